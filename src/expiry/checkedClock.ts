import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { describe } from '../errors.js';
import { reportError } from '../stream/reportError.js';
import { exactClockScheduler, unrefScheduler } from './unrefScheduler.js';

/**
 * A scheduler you pass, with its clock checked. Every command's time comes from
 * `now()`, and from it each entry's birth and expiry time: a reading that is not a
 * finite number would corrupt them (a `NaN` expiry never comes; one `NaN` birth time
 * shifts every entry's, and an infinite one leaves the lifespan figures infinite for
 * good). Such a reading is replaced by the last good one, so time stands still for
 * that command, and reported through RxJS's `config.onUnhandledError` (else thrown on
 * a later tick, as a throwing subscriber's error is) once per run of bad readings: the
 * cache goes on, consistent, and the bad clock does not go unnoticed.
 *
 * The package's own schedulers are not wrapped (their readings come from `Date.now()`):
 * see {@link checkedClock}.
 */
export class CheckedClock implements SchedulerLike {
  readonly #inner: SchedulerLike;
  #last = 0;
  #failing = false;

  constructor(inner: SchedulerLike) {
    this.#inner = inner;
    this.now(); // the first good reading (the scheduler option was refused without one)
  }

  now(): number {
    let at: unknown;
    try {
      at = this.#inner.now();
    } catch (error) {
      return this.#bad(error, 'threw');
    }
    if (typeof at === 'number' && at - at === 0) {
      this.#failing = false;
      return (this.#last = at);
    }
    return this.#bad(undefined, `returned ${describe(at)}`);
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    return this.#inner.schedule(work, delay, state);
  }

  #bad(cause: unknown, what: string): number {
    if (!this.#failing) {
      this.#failing = true;
      reportError(
        new TypeError(
          `macho: the scheduler's now() ${what}; a clock must return finite numbers of ms. ` +
            `Until it does, the cache uses its last good reading (${this.#last})`,
          cause === undefined ? undefined : { cause },
        ),
      );
    }
    return this.#last;
  }
}

/** The clock a cache reads: `scheduler` itself if it is one of the package's own, else checked. */
export function checkedClock(scheduler: SchedulerLike): SchedulerLike {
  return scheduler === unrefScheduler || scheduler === exactClockScheduler ? scheduler : new CheckedClock(scheduler);
}
