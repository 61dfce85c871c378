import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { describe, messageOf } from '../errors.js';
import { isOwnScheduler } from './unrefScheduler.js';

/**
 * A scheduler you pass, with its clock checked. Every command's time comes from
 * `now()`, and from it each entry's birth and expiry time: a reading that is not a
 * finite number would corrupt them (a `NaN` expiry never comes; one `NaN` birth time
 * shifts every entry's, and an infinite one leaves the lifespan figures infinite for
 * good). Such a reading is replaced by the last good one, so time stands still for
 * that command, and reported through RxJS's `config.onUnhandledError` (else thrown on
 * a later tick, as a throwing subscriber's error is), after the command under way,
 * once per run of bad readings: the
 * cache goes on, consistent, and the bad clock does not go unnoticed.
 *
 * The package's own schedulers are not wrapped (their readings come from `Date.now()`):
 * see {@link checkedClock}.
 */
export class CheckedClock implements SchedulerLike {
  readonly #inner: SchedulerLike;
  readonly #report: (error: unknown) => void;
  #last: number;
  #failing = false;

  /**
   * Starts from the reading the options check took ({@link firstReading}), so that
   * the clock is read once at construction; else reads it now.
   * @throws TypeError naming the option `scheduler` if that reading is not a finite number.
   */
  /** @param report - where a bad reading goes (the cache's outbox: after the command under way). */
  constructor(inner: SchedulerLike, report: (error: unknown) => void) {
    this.#inner = inner;
    this.#report = report;
    this.#last = firstReadings.get(inner) ?? firstReading(inner);
    firstReadings.delete(inner);
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

  /**
   * {@link now}, except that a bad reading gives at least `time` (and keeps it as the
   * last good one): for a caller that knows time has reached `time`, the expiry timer
   * firing when it was armed to. A good reading is given as it is.
   */
  nowAtLeast(time: number): number {
    const at = this.now();
    if (!this.#failing || !(time > at)) return at;
    return (this.#last = time);
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    return this.#inner.schedule(work, delay, state);
  }

  #bad(cause: unknown, what: string): number {
    if (!this.#failing) {
      this.#failing = true;
      this.#report(
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

// The reading the options check took, until the cache's CheckedClock starts from it.
const firstReadings = new WeakMap<SchedulerLike, number>();

/**
 * Reads a scheduler's clock for the options check: the first reading must be a finite
 * number, or there is no time to fall back on. Kept for the {@link CheckedClock} that
 * the cache then makes, so that building a cache reads the clock once.
 * @throws TypeError naming the option `scheduler`.
 */
export function firstReading(scheduler: SchedulerLike): number {
  let first: unknown;
  try {
    first = scheduler.now();
  } catch (error) {
    throw new TypeError(`macho: option "scheduler": its now() threw: ${messageOf(error)}`, { cause: error });
  }
  if (typeof first !== 'number' || first - first !== 0)
    throw new TypeError(`macho: option "scheduler" must have a now() that returns a finite number of ms; got ${describe(first)}`);
  firstReadings.set(scheduler, first);
  return first;
}

/** The clock a cache reads: `scheduler` itself if it is one of the package's own, else checked. */
export function checkedClock(scheduler: SchedulerLike, report: (error: unknown) => void): SchedulerLike {
  return isOwnScheduler(scheduler) ? scheduler : new CheckedClock(scheduler, report);
}

