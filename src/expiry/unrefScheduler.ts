import type { SchedulerAction, SchedulerLike } from 'rxjs';
import { Subscription } from 'rxjs';

// setTimeout's delay is a signed 32-bit number of ms; a longer one fires at once
// (with a TimeoutOverflowWarning). Longer waits are made of several timers.
const MAX_TIMER_DELAY = 2 ** 31 - 1;

class UnrefAction<T> extends Subscription implements SchedulerAction<T> {
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly work: (this: SchedulerAction<T>, state?: T) => void) {
    super(() => this.#cancel());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.#cancel();
    this.#arm(state, Date.now() + Math.max(0, delay));
    return this;
  }

  #arm(state: T | undefined, dueAt: number): void {
    const wait = Math.min(Math.max(0, dueAt - Date.now()), MAX_TIMER_DELAY);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (Date.now() < dueAt) return this.#arm(state, dueAt);
      this.work.call(this, state);
    }, wait);
    // The point of this scheduler: a pending cache timer never keeps Node running.
    this.#timer.unref?.();
  }

  #cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * The default clock and timer source: like RxJS's `asyncScheduler` (`Date.now()` and
 * `setTimeout`), except that its timers are unref'd, so a cache nobody disposes still
 * lets the process exit, and delays beyond setTimeout's 24.8-day limit work.
 *
 * @example
 * new Cache({ ttl: 60_000, scheduler: unrefScheduler }); // the same as the default
 */
export const unrefScheduler: SchedulerLike = Object.freeze({
  now: (): number => Date.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new UnrefAction<T>(work).schedule(state, delay);
  },
});
