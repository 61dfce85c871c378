/**
 * A cache on a virtual clock: time moves only when the test says so, and moving it
 * runs the cache's expiry timers that fall due on the way, so TTL tests never sleep.
 *
 * This file does not import fast-check: `createVirtualCache` works without it.
 *
 * @module
 */
import { VirtualTimeScheduler } from 'rxjs';
import { Cache } from '../cache.js';
import type { CacheOptions } from '../options.js';

const PREFIX = 'macho/testing: ';

/**
 * Options of {@link createVirtualCache}: any {@link CacheOptions}; `scheduler`, if
 * given, must be a `VirtualTimeScheduler` (to share one clock among several caches).
 * @example
 * const scheduler = new VirtualTimeScheduler();
 * const options: VirtualCacheOptions = { maxCacheSize: 10, ttl: 100, scheduler };
 */
export interface VirtualCacheOptions extends Omit<CacheOptions, 'scheduler'> {
  /** The virtual clock to use; default: a new one, starting at time 0. */
  scheduler?: VirtualTimeScheduler;
}

/**
 * A {@link Cache} on a virtual clock, with the controls that move that clock.
 * @example
 * const { cache, advanceTo, now }: VirtualCache<string, number> = createVirtualCache({ ttl: 100 });
 */
export interface VirtualCache<K = unknown, V = unknown> {
  /** The cache, built with the given options and the virtual scheduler. */
  readonly cache: Cache<K, V>;
  /** The clock and timer source of {@link cache}. */
  readonly scheduler: VirtualTimeScheduler;
  /** The current virtual time, in ms. */
  now(): number;
  /**
   * Moves virtual time forward by `ms`, running every timer due by then (the cache's
   * expiry timer among them), and stops exactly at the target.
   * @returns the new time.
   * @throws RangeError if `ms` is negative or not finite.
   */
  advance(ms: number): number;
  /**
   * Moves virtual time forward to `time`, as {@link advance} does. The clock never
   * runs backwards: a `time` before {@link now} throws.
   * @returns the new time.
   * @throws RangeError if `time` is before now or not finite.
   */
  advanceTo(time: number): number;
  /** Disposes of the cache (its timers are cancelled). Calling it again does nothing. */
  dispose(): void;
}

// A scheduler that is being flushed by one of our advances: an advance from inside
// a timer (or a subscriber it triggered) would flush re-entrantly and run timers out
// of order, so it is refused.
const flushing = new WeakSet<VirtualTimeScheduler>();

/**
 * A new cache whose clock and timers are an RxJS `VirtualTimeScheduler`: time starts
 * at 0 (or at the given scheduler's time) and moves only through
 * {@link VirtualCache.advance} and {@link VirtualCache.advanceTo}.
 *
 * @typeParam K - the cache's keys.
 * @typeParam V - the cache's values.
 * @param options - the configuration under test, as for `new Cache(options)` (a
 *   `CacheOptions` object is accepted as it is); a `scheduler`, if given, must be a
 *   `VirtualTimeScheduler`.
 * @throws TypeError if `options.scheduler` is not a `VirtualTimeScheduler`; the cache's
 *   own TypeError or RangeError for a bad option.
 * @example
 * import { createVirtualCache } from 'macho/testing';
 *
 * const { cache, advance, dispose } = createVirtualCache<string, number>({ ttl: 1_000 });
 * cache.set('a', 1);
 * advance(999);
 * cache.get('a'); // 1
 * advance(1); // the expiry timer fires: one 'expire' event
 * cache.get('a'); // undefined
 * dispose();
 */
export function createVirtualCache<K = unknown, V = unknown>(
  options: VirtualCacheOptions | CacheOptions = {},
): VirtualCache<K, V> {
  const given: unknown = (options as { scheduler?: unknown } | null | undefined)?.scheduler;
  if (given !== undefined && !(given instanceof VirtualTimeScheduler))
    throw new TypeError(`${PREFIX}option "scheduler" must be a VirtualTimeScheduler (or left out)`);
  const scheduler = given ?? new VirtualTimeScheduler();
  const cache = new Cache<K, V>({ ...options, scheduler });

  const advanceTo = (time: number): number => {
    if (!Number.isFinite(time)) throw new RangeError(`${PREFIX}cannot move virtual time to ${String(time)}`);
    const from = scheduler.now();
    if (time < from) throw new RangeError(`${PREFIX}virtual time never runs backwards (now ${from}, asked for ${time})`);
    if (flushing.has(scheduler))
      throw new Error(`${PREFIX}cannot move virtual time from inside a timer or a subscriber it triggered`);
    runUntil(scheduler, time);
    return scheduler.now();
  };

  return {
    cache,
    scheduler,
    now: () => scheduler.now(),
    advance: (ms: number) => {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError(`${PREFIX}advance needs a finite number of ms ≥ 0; got ${String(ms)}`);
      return advanceTo(scheduler.now() + ms);
    },
    advanceTo,
    dispose: () => cache.dispose(),
  };
}

// Runs every action due at or before `target`, then leaves the clock at `target`.
// `flush()` runs actions while their time is ≤ `maxFrames` and sets the clock to the
// time of the last one it ran; a no-op scheduled at the target makes that the target,
// and `maxFrames` keeps later timers (the next expiry) pending.
function runUntil(scheduler: VirtualTimeScheduler, target: number): void {
  const maxFrames = scheduler.maxFrames;
  scheduler.schedule(() => {}, target - scheduler.now());
  scheduler.maxFrames = target;
  flushing.add(scheduler);
  try {
    scheduler.flush();
  } finally {
    flushing.delete(scheduler);
    scheduler.maxFrames = maxFrames;
    // flush() throws on a failing action and then drops the rest: still end at the target.
    scheduler.frame = target;
  }
}
