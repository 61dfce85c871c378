/**
 * A cache on a virtual clock: time moves only when the test says so, and moving it
 * runs the cache's expiry timers that fall due on the way, so TTL tests never sleep.
 * An error the cache reports while those timers run (it has no caller to throw to) is
 * thrown by the advance that ran them, so the test fails where the clock moved.
 *
 * This file does not import fast-check: `createVirtualCache` works without it.
 *
 * @module
 */
import { config, VirtualTimeScheduler } from 'rxjs';
import { Cache } from '../cache.js';
import { knownOptions } from '../errors.js';
import { ExpiryTimer } from '../expiry/expiryTimer.js';
import type { CacheOptions } from '../options.js';
import { OPTION_NAMES } from '../options.js';
import { reportError } from '../stream/reportError.js';
import { show } from './operations.js';

const PREFIX = 'macho/testing: ';

/**
 * Options of {@link createVirtualCache}: any {@link CacheOptions}; `scheduler`, if
 * given, must be a `VirtualTimeScheduler` (to share one clock among several caches).
 * @example
 * const scheduler = new VirtualTimeScheduler();
 * const options: VirtualCacheOptions = { maxCacheSize: 10, ttl: 100, scheduler };
 */
export interface VirtualCacheOptions<K = unknown> extends Omit<CacheOptions<K>, 'scheduler'> {
  /** The virtual clock to use; default: a new one, starting at time 0. */
  scheduler?: VirtualTimeScheduler | undefined;
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
   *
   * An error that a timer's work *reports* rather than throws (a custom policy's hook
   * throwing during a timer-driven expiry, which has no caller to throw to, goes to
   * RxJS's `config.onUnhandledError`, else is rethrown on a later tick) is caught while
   * the timers run and thrown from here once they are done, so the test that moved the
   * clock fails (and fast-check shrinks it) instead of the process dying later. The
   * hook is restored before `advance` returns or throws; errors reported outside an
   * advance, or asynchronously by RxJS itself (a throwing subscriber of yours), go
   * where they always go.
   * @returns the new time.
   * @throws RangeError if `ms` is negative or not finite.
   * @throws {@link VirtualTimeError} when errors were reported while the timers ran
   *   (`cause`: the first; `errors`: all). The clock is at the target all the same,
   *   and every timer due ran.
   * @throws whatever a timer's work threw, unchanged (an action of yours on a shared
   *   scheduler); the timers after it do not run, and the clock is at the target.
   */
  advance(ms: number): number;
  /**
   * Moves virtual time forward to `time`, as {@link advance} does (errors included).
   * The clock never runs backwards: a `time` before {@link now} throws.
   * @returns the new time.
   * @throws RangeError if `time` is before now or not finite.
   * @throws {@link VirtualTimeError} as {@link advance} does.
   */
  advanceTo(time: number): number;
  /** Disposes of the cache (its timers are cancelled). Calling it again does nothing. */
  dispose(): void;
}

// How many reported errors a VirtualTimeError's message names (all are in `.errors`).
const LISTED_ERRORS = 3;

/**
 * Thrown by {@link VirtualCache.advance} and {@link VirtualCache.advanceTo} when the
 * timers they ran reported errors (see `advance`): an `AggregateError` of them, with the
 * first as `cause`.
 * @example
 * try {
 *   virtual.advance(100);
 * } catch (error) {
 *   if (error instanceof VirtualTimeError) console.error(error.cause); // e.g. a PolicyContractError
 * }
 */
export class VirtualTimeError extends AggregateError {
  override readonly name = 'VirtualTimeError';
  /** Virtual time when the advance began. */
  readonly from: number;
  /** The advance's target: where the clock is now. */
  readonly to: number;
  constructor(errors: readonly unknown[], from: number, to: number) {
    if (!Array.isArray(errors)) throw new TypeError(`${PREFIX}VirtualTimeError takes an array of errors; got ${show(errors)}`);
    const what = errors.slice(0, LISTED_ERRORS).map(describeError);
    if (errors.length > LISTED_ERRORS) what.push(`… and ${errors.length - LISTED_ERRORS} more (see .errors)`);
    super(
      errors,
      `${PREFIX}${errors.length === 1 ? 'an error was' : `${errors.length} errors were`} reported while the timers ` +
        `due from ${from} to ${to} ms (virtual time) ran: ${what.join('; ')}`,
      { cause: errors[0] },
    );
    this.from = from;
    this.to = to;
  }
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
 *   own TypeError or RangeError for a bad option. (`advance` and `advanceTo` throw a
 *   {@link VirtualTimeError} for errors reported while their timers ran.)
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
  options: VirtualCacheOptions<K> | CacheOptions<K> = {},
): VirtualCache<K, V> {
  // As new Cache(options) would: anything but an object is a mistake, not the defaults.
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`${PREFIX}createVirtualCache takes options (an object) or nothing; got ${show(options)}`);
  const source = options as Record<string, unknown>;
  const given: unknown = source['scheduler'];
  if (given !== undefined && !(given instanceof VirtualTimeScheduler))
    throw new TypeError(`${PREFIX}option "scheduler" must be a VirtualTimeScheduler (or left out)`);
  const scheduler = given ?? new VirtualTimeScheduler();
  // The names checked as the cache checks them, then each option read once, from the
  // caller's object itself, as new Cache() reads it: a spread drops getters of a class
  // and inherited options, an object built on top of it would run a getter on another
  // `this` (a #private field then throws), and a Proxy answers reads it may not answer `in`.
  knownOptions('macho', source, OPTION_NAMES);
  const copy: Record<string, unknown> = { scheduler };
  for (const name of OPTION_NAMES) {
    if (name === 'scheduler') continue;
    const value = source[name];
    if (value !== undefined) copy[name] = value;
  }
  const cache = new Cache<K, V>(copy as CacheOptions<K>);

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
//
// While the actions run, RxJS's `config.onUnhandledError` collects what the cache
// reports (an error in a timer-driven expiry has no caller: src/stream/reportError.ts
// hands it to that hook, else rethrows it on a later tick, where it would kill the
// process long after the property passed). The collected errors are thrown here, as
// one VirtualTimeError, once the clock is at the target and the hook is restored.
function runUntil(scheduler: VirtualTimeScheduler, target: number): void {
  const from = scheduler.now();
  const maxFrames = scheduler.maxFrames;
  const reported: unknown[] = [];
  const hook = config.onUnhandledError;
  scheduler.schedule(() => {}, target - from);
  scheduler.maxFrames = target;
  flushing.add(scheduler);
  config.onUnhandledError = (error: unknown) => {
    reported.push(error);
  };
  let completed = false;
  try {
    scheduler.flush();
    completed = true;
  } finally {
    config.onUnhandledError = hook;
    flushing.delete(scheduler);
    scheduler.maxFrames = maxFrames;
    // flush() throws on a failing action and then drops the rest: still end at the target.
    scheduler.frame = target;
    // An action threw: its error goes up unchanged, and what was reported before it
    // goes where it would have gone without us (nothing is swallowed).
    if (!completed) {
      for (const error of reported) reportError(error);
      // flush() dropped every pending action, the expiry timers of every cache on this
      // scheduler too: armed again, so that the next advance drives expiry (the skipped
      // ones included).
      ExpiryTimer.rearmDropped();
    }
  }
  if (reported.length > 0) throw new VirtualTimeError(reported, from, target);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
