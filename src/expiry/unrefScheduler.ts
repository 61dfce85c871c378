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
      markStale(); // the work reads the clock: let it see the time this timer fired at
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

// A cached wall clock. Date.now() costs ~40-50 ns, about a tenth of a whole cache
// operation, and every command reads the clock. The value is refreshed every
// millisecond while the event loop turns (an unref'd timer marks it stale) and every
// READS_PER_REFRESH reads (a long synchronous loop, during which no timer can run,
// still sees time advance). So it lags Date.now() by about 1 ms while the event loop
// turns; within one synchronous run it lags by whatever time the code spends between
// READS_PER_REFRESH cache operations, which is unbounded if that code does long work
// between two of them. lru-cache's `ttlResolution` makes the same trade. A cache reads
// Date.now() through refreshClock instead while it holds an entry that can expire (see
// Cache's #now), so the lag only ever affects stamps, never a TTL decision; the
// cachedClockScheduler below keeps the lag for TTLs too.
const READS_PER_REFRESH = 64;
let cachedNow = 0;
let readsLeft = 0;
let refreshPending = false;

function markStale(): void {
  readsLeft = 0;
  refreshPending = false;
}

// Read on every command: kept tiny so that it is inlined; the refresh stays out of line.
function cachedClock(): number {
  return --readsLeft > 0 ? cachedNow : refreshClock();
}

/**
 * `Date.now()`, read now, which also becomes the cached clock's reading (so a cache
 * that reads the cached clock next never sees time run back). What a cache with the
 * default clock reads while some entry can expire: see `Cache`'s `#now`.
 * @internal
 */
export function refreshClock(): number {
  cachedNow = Date.now();
  readsLeft = READS_PER_REFRESH;
  if (!refreshPending) {
    refreshPending = true;
    setTimeout(markStale, 1).unref?.(); // a number, not a Timeout, outside Node (browsers, Deno)
  }
  return cachedNow;
}

/**
 * The default clock and timer source: like RxJS's `asyncScheduler` (`Date.now()` and
 * `setTimeout`), except that its timers are unref'd, so a cache nobody disposes still
 * lets the process exit, delays beyond setTimeout's 24.8-day limit work, and `now()`
 * is a cached reading of `Date.now()` refreshed every millisecond (and every 64
 * reads), which makes it nearly free on the hot path.
 *
 * A cache with this clock reads `Date.now()` itself while it holds an entry that can
 * expire (and for a write with a TTL): an entry is never returned once its TTL has
 * passed in wall time, however long your code ran since the last cache operation, or
 * however far a test set a faked `Date` forward. The cached reading serves the commands
 * of a cache with nothing to expire, whose stamps (`at`) may then lag by up to a
 * millisecond, or by the length of synchronous work between two operations. That clock
 * read costs a TTL-heavy workload ~8 % of its throughput (a cache with the default
 * `ttl` of 600 s always has entries that can expire): {@link cachedClockScheduler}
 * keeps the cached reading throughout.
 *
 * @example
 * new Cache({ ttl: 60_000, scheduler: unrefScheduler }); // the same as the default
 */
export const unrefScheduler: SchedulerLike = Object.freeze({
  now: cachedClock,
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new UnrefAction<T>(work).schedule(state, delay);
  },
});

/**
 * {@link unrefScheduler} with an exact clock: `now()` reads `Date.now()` every time, so
 * every command is stamped with the wall-clock time, also in a cache without TTL
 * entries (the default already reads it exactly while entries can expire). Each
 * operation pays the clock read (~50 ns). Timers are unref'd as in the default.
 *
 * @example
 * // events and the command log stamped to the millisecond, TTL or not
 * new Cache({ ttl: 0, scheduler: exactClockScheduler });
 */
export const exactClockScheduler: SchedulerLike = Object.freeze({
  now: () => Date.now(),
  schedule: unrefScheduler.schedule,
});

/**
 * {@link unrefScheduler}'s cached clock, used for every command, TTL entries included
 * (what `lru-cache` does with its `ttlResolution`):
 * ~8 % more throughput on a TTL-heavy workload, at a price: inside one synchronous
 * run the clock moves only every 64 cache operations, so code that works for a long
 * time between two of them (a 2-second loop, then `get`), or a test that sets a faked
 * `Date` forward without running timers, can be served an entry whose TTL has passed
 * in wall time. Timers are unref'd as in the default.
 *
 * @example
 * // a hot read-through cache where a TTL that runs a little long does no harm
 * new Cache({ ttl: 60_000, scheduler: cachedClockScheduler });
 */
export const cachedClockScheduler: SchedulerLike = Object.freeze({
  now: cachedClock,
  schedule: unrefScheduler.schedule,
});

/** True for the package's own schedulers, whose clocks read `Date.now()` and need no check. */
export function isOwnScheduler(scheduler: SchedulerLike): boolean {
  return scheduler === unrefScheduler || scheduler === exactClockScheduler || scheduler === cachedClockScheduler;
}
