import type { Observable, Observer, Subject, Subscriber } from 'rxjs';
import { Observable as RxObservable } from 'rxjs';
import type { Command } from '../commands.js';
import type { CacheEvent, CacheEventType } from '../events.js';
import { EVENT_TYPES } from '../events.js';
import { LeanSubject } from './leanSubject.js';
import { reportError, reporting } from './reportError.js';


// The queue's stand-in subject for errors to report (see Outbox.report).
const REPORT = { next: reportError } as unknown as Subject<unknown>;

/** Queue slots kept between commands; a longer queue (a burst of expiries) is let go after delivery. */
const QUEUE_KEPT = 1024;

/** `wants[type]`: somebody listens for events of that type right now. */
export type EventWants = Record<CacheEventType, boolean>;

/**
 * Where commands and events leave the cache.
 *
 * Two rules live here. **Nothing is built for nobody:** shards read {@link wants} and
 * {@link wantsCommands} (plain fields, updated only when someone subscribes or
 * unsubscribes) and allocate a command or event object only when it has a reader.
 * **Notifications go out after the state change, in order:** a command enqueues what
 * it produced and the caller {@link flush}es once the command is complete. A
 * subscriber that calls back into the cache enqueues behind what is already waiting,
 * so every reader sees commands and events in the order they were applied.
 *
 * And one more: **a subscriber sees what is applied after it subscribed.** One that
 * subscribes from inside a handler, while earlier commands' events are still being
 * handed out, skips those: it starts from the cache as it is (`metrics()`,
 * `snapshot()`, `peek`), which already holds their effect, so counting or showing them
 * again would be wrong. Queue positions ({@link position}, {@link delivering}) tell
 * which items came before the subscription.
 */
export class Outbox<K, V> {
  /** Event types somebody listens to. Read by shards on the hot path. */
  readonly wants: EventWants;
  /** True while somebody listens to the command log. */
  wantsCommands = false;

  readonly #byType: Record<CacheEventType, Subject<CacheEvent<K, V>>>;
  readonly #all = new LeanSubject<CacheEvent<K, V>>();
  readonly #commands = new LeanSubject<Command<K, V>>();
  readonly #observables = new Map<CacheEventType | 'all', Observable<CacheEvent<K, V>>>();
  // Pending deliveries as flat pairs (subject, value): no wrapper object per item.
  // Slots [#head, #tail) are pending. The array is reused, never shrunk by assigning
  // its length (a runtime call, ~5 % of an evicting set when it ran per command);
  // after a burst larger than QUEUE_KEPT it is replaced, so that memory comes back.
  #queue: unknown[] = [];
  #head = 0;
  #tail = 0;
  #draining = false;
  // A first value is being handed out on its own (handOut), not a queued item.
  #handingOut = false;
  // Queue positions are counted from the cache's start: #base is what earlier drains
  // handed out, so an item's position is #base plus its slot in #queue.
  #base = 0;
  #delivering = 0;
  // complete() was called from a subscriber: finish the drain first, then complete.
  #completing = false;

  /** The command log, as an observable. */
  readonly commands$: Observable<Command<K, V>>;

  constructor() {
    this.wants = Object.fromEntries(EVENT_TYPES.map((type) => [type, false])) as EventWants;
    this.#byType = Object.fromEntries(EVENT_TYPES.map((type) => [type, new LeanSubject()])) as Record<
      CacheEventType,
      Subject<CacheEvent<K, V>>
    >;
    this.commands$ = this.#tracked(this.#commands);
  }

  /** Every event. */
  get events$(): Observable<CacheEvent<K, V>> {
    return this.on('all');
  }

  /** Events of one type (`'all'`: every event). */
  on(type: CacheEventType | 'all'): Observable<CacheEvent<K, V>> {
    let observable = this.#observables.get(type);
    if (observable === undefined) {
      observable = this.#tracked(type === 'all' ? this.#all : this.#byType[type]);
      this.#observables.set(type, observable);
    }
    return observable;
  }

  // One builder per event type, called only when `wants[type]`: the shard's hot
  // methods then hold a flag test and a call, not an object literal and a freeze,
  // which keeps them small enough for V8 to inline whole into the caller's loop.

  /** Queues a `'hit'` event. */
  hit(key: K, value: V, shard: number, at: number): void {
    this.#enqueue(this.#byType.hit, Object.freeze({ type: 'hit', key, value, shard, at }));
  }

  /** Queues a `'miss'` event. */
  miss(key: K, shard: number, at: number): void {
    this.#enqueue(this.#byType.miss, Object.freeze({ type: 'miss', key, shard, at }));
  }

  /** Queues a `'set'` event. */
  set(key: K, value: V, replaced: boolean, shard: number, at: number): void {
    this.#enqueue(this.#byType.set, Object.freeze({ type: 'set', key, value, replaced, shard, at }));
  }

  /** Queues a `'delete'` event. */
  delete(key: K, value: V, shard: number, at: number): void {
    this.#enqueue(this.#byType.delete, Object.freeze({ type: 'delete', key, value, shard, at }));
  }

  /** Queues an `'evict'` event. */
  evict(key: K, value: V, shard: number, at: number): void {
    this.#enqueue(this.#byType.evict, Object.freeze({ type: 'evict', key, value, shard, at }));
  }

  /** Queues an `'expire'` event. */
  expire(key: K, value: V, expiredAt: number, shard: number, at: number): void {
    this.#enqueue(this.#byType.expire, Object.freeze({ type: 'expire', key, value, expiredAt, shard, at }));
  }

  /** Queues a `'clear'` event. */
  clear(shard: number, at: number, count: number): void {
    // `key: undefined` as a field of its own: DESIGN.md has every event carry a key.
    this.#enqueue(this.#byType.clear, Object.freeze({ type: 'clear', key: undefined, shard, at, count }));
  }

  /**
   * Queues an error for RxJS's `onUnhandledError` (see reportError), reported when the
   * queue is next handed out: after the command under way, as a subscriber's error is,
   * so that the hook, which may call into the cache, never runs in the middle of one.
   */
  report(error: unknown): void {
    this.#enqueue(REPORT, error);
  }

  /** Queues a command for the log (only call when `wantsCommands`). */
  command(command: Command<K, V>): void {
    this.#enqueue(this.#commands, command);
  }

  #enqueue(subject: object, value: unknown): void {
    const queue = this.#queue;
    queue[this.#tail] = subject;
    queue[this.#tail + 1] = value;
    this.#tail += 2;
  }

  /** The position the next queued item will have: a subscriber that starts now skips those before it. */
  get position(): number {
    return this.#base + this.#tail;
  }

  /**
   * Whether queued items are being handed out (the caller runs inside a subscriber of
   * this outbox, and readers may not have had everything queued yet). Not while a
   * first value is handed out on its own ({@link handOut}): nothing was queued then.
   */
  get draining(): boolean {
    return this.#draining && !this.#handingOut;
  }

  /** The position of the item being handed out (meaningful only during a delivery). */
  get delivering(): number {
    return this.#delivering;
  }

  /** A position in the queue, to {@link rollback} to if the command being applied fails. */
  mark(): number {
    return this.#tail;
  }

  /** Drops what was queued since `mark` (a command that failed, and its events). */
  rollback(mark: number): void {
    if (mark < this.#head) return;
    this.#queue.fill(undefined, mark, this.#tail);
    this.#tail = mark;
  }

  /** Delivers everything queued, unless a delivery is already under way up the stack. */
  flush(): void {
    // Called after every command, and most have queued nothing: this test is all that
    // is inlined into the command; the loop stays out of line.
    if (this.#draining || this.#head === this.#tail) return;
    this.#drain();
  }

  #drain(): void {
    this.#draining = true;
    const queue = this.#queue;
    try {
      while (this.#head < this.#tail) {
        const subject = queue[this.#head] as Subject<unknown>;
        const value = queue[this.#head + 1];
        queue[this.#head] = queue[this.#head + 1] = undefined;
        this.#delivering = this.#base + this.#head;
        this.#head += 2;
        try {
          subject.next(value);
        } catch (error) {
          reportError(error);
        }
        // Apart: a subject that throws (RxJS's deprecated synchronous error handling
        // rethrows a subscriber's error) must not keep the event from events$.
        if (subject !== this.#commands && subject !== REPORT && this.#all.observed) {
          try {
            this.#all.next(value as CacheEvent<K, V>);
          } catch (error) {
            reportError(error);
          }
        }
      }
    } finally {
      // Normally everything was delivered; if an error escaped, the rest is dropped.
      if (this.#head !== this.#tail) queue.fill(undefined, this.#head, this.#tail);
      if (queue.length > QUEUE_KEPT) this.#queue = [];
      this.#base += this.#tail;
      this.#head = 0;
      this.#tail = 0;
      this.#draining = false;
      if (this.#completing) this.#completeNow();
    }
  }

  /**
   * Hands `value` to one subscriber as a delivery of its own: the first value of a
   * `watch`, `metrics$` or `snapshots$`, given at subscription. What the subscriber
   * does on it is queued and delivered once it returns, as from any other handler,
   * rather than to it in the middle of its handling `value` (a watcher that seeds a
   * missing key and then renders must render the seeded value last). Subscribe the
   * reader to later items first, so that those the subscriber causes reach it.
   */
  handOut<T>(subscriber: Observer<T>, value: T): void {
    if (this.#draining) return subscriber.next(value); // queued behind this delivery anyway
    this.#draining = true;
    this.#handingOut = true;
    try {
      subscriber.next(value);
    } finally {
      this.#draining = false;
      this.#handingOut = false;
      // #drain completes the streams afterwards if the subscriber disposed of the cache.
      if (this.#head !== this.#tail) this.#drain();
      else if (this.#completing) this.#completeNow();
    }
  }

  /**
   * Completes every stream; later events and commands are dropped. Called from a
   * subscriber (dispose inside an event handler), it first lets the delivery under way
   * hand out what is already queued: those commands took effect, so their readers
   * (metrics counted from events, a recorded log) must see them.
   */
  complete(): void {
    if (this.#draining) this.#completing = true;
    else this.#completeNow();
  }

  #completeNow(): void {
    this.#completing = false;
    this.#queue = [];
    this.#base += this.#tail;
    this.#head = 0;
    this.#tail = 0;
    // A complete handler that throws is reported, and the other streams still complete
    // (RxJS's deprecated synchronous error handling rethrows it from complete()).
    for (const type of EVENT_TYPES) reporting(() => this.#byType[type].complete());
    reporting(() => this.#all.complete());
    reporting(() => this.#commands.complete());
    this.#refresh();
  }

  #tracked<T>(subject: Subject<T>): Observable<T> {
    return new RxObservable<T>((subscriber) => {
      const inner = this.#draining ? subject.subscribe(this.#skippingQueued(subscriber)) : subject.subscribe(subscriber);
      this.#refresh();
      return () => {
        inner.unsubscribe();
        this.#refresh();
      };
    });
  }

  // A subscriber that joins during a delivery: items queued before it are not for it.
  // Only such late joiners pay the position test; the others get the subject's values as is.
  #skippingQueued<T>(subscriber: Subscriber<T>): Partial<Observer<T>> {
    const since = this.position;
    return {
      next: (value) => {
        if (this.#delivering >= since) subscriber.next(value);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    };
  }

  #refresh(): void {
    const all = this.#all.observed;
    for (const type of EVENT_TYPES) this.wants[type] = all || this.#byType[type].observed;
    this.wantsCommands = this.#commands.observed;
  }
}
