import type { Observer } from 'rxjs';
import { config, ObjectUnsubscribedError, Subject } from 'rxjs';

// RxJS 7's Subject keeps `observers` and a copy-on-change `currentObservers`; these are
// internal, so their presence is checked once, and without them LeanSubject is a
// plain Subject.
interface SubjectInternals<T> {
  currentObservers: Observer<T>[] | null;
  observers: Observer<T>[];
}
const hasInternals = ((probe: object) => 'currentObservers' in probe && Array.isArray((probe as SubjectInternals<unknown>).observers))(
  new Subject<unknown>(),
);

/**
 * A `Subject` whose `next` is a plain indexed loop. Node loads RxJS's CommonJS build,
 * down-levelled to ES5, where `Subject.next` wraps each call in a closure and iterates
 * its observers through an allocated iterator: ~100 ns per emission measured here,
 * more than a whole cache `get`. Semantics are Subject's: observers are snapshotted
 * when the set changes, a subscriber added during an emission misses it, and a closed
 * subject throws `ObjectUnsubscribedError`.
 */
export class LeanSubject<T> extends Subject<T> {
  override next(value: T): void {
    // With RxJS's deprecated synchronous error handling, a subscriber's error is only
    // captured inside Subject.next's error context (and rethrown at its end, for the
    // outbox to report); outside one, RxJS drops it.
    if (!hasInternals || config.useDeprecatedSynchronousErrorHandling) return super.next(value);
    if (this.closed) throw new ObjectUnsubscribedError();
    if (this.isStopped) return;
    const self = this as unknown as SubjectInternals<T>;
    const observers = self.currentObservers ?? (self.currentObservers = self.observers.slice());
    for (let i = 0; i < observers.length; i++) observers[i]!.next(value);
  }
}
