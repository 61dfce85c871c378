import type { SchedulerLike } from 'rxjs';
import { asyncScheduler } from 'rxjs';
import { describe, knownOptions, messageOf, optionRangeError, optionTypeError } from './errors.js';
import { firstReading } from './expiry/checkedClock.js';
import { isOwnScheduler, unrefScheduler } from './expiry/unrefScheduler.js';
import type { StrategyName } from './policies/index.js';
import { BUILTIN_POLICIES, isStrategyName } from './policies/index.js';
import type { PolicyFactory } from './policies/policy.js';
import type { ShardFilterKind } from './filters/index.js';
import { isShardFilterKind } from './filters/index.js';
import { MIN_CUCKOO_PROBABILITY } from './filters/cuckooFilter.js';
import type { LoaderGuard, LoaderGuardLike } from './loading/loaderGuard.js';
import { resolveLoaderGuard } from './loading/loaderGuard.js';

/**
 * Options of a {@link Cache}. Every option is checked at construction: a wrong type
 * throws a `TypeError`, a value out of range a `RangeError`, both naming the option.
 * An option name the cache does not know also throws (a typo is not ignored).
 */
export interface CacheOptions<K = unknown> {
  /** Most live entries, across all shards. Integer from 1 to 2^30. Default `100`. */
  maxCacheSize?: number | undefined;
  /** Default time-to-live in ms; `0` or `Infinity` never expire. Default `600_000` (10 min). */
  ttl?: number | undefined;
  /** Number of shards; capacity is split among them. Integer in 1 … `maxCacheSize`. Default `1`. */
  shardCount?: number | undefined;
  /**
   * Eviction policy: a built-in name (`'lru'`, `'fifo'`, `'random'`, `'lfu'`, `'mfu'`,
   * `'sieve'`, `'s3fifo'`, `'tinylfu'`, `'arc'`, `'lirs'`, `'clockpro'`) or your own
   * {@link PolicyFactory}.
   * Default `'lru'`.
   */
  strategy?: StrategyName | PolicyFactory | undefined;
  /** Keep a bloom filter per shard and check it before each lookup. Default `false`. */
  bloom?: boolean | undefined;
  /** The bloom filter's target false-positive rate, strictly between 0 and 1. Default `0.01`. Checked, and unused, without `bloom: true`. */
  probability?: number | undefined;
  /**
   * The kind of the per-shard pre-check that `bloom: true` turns on: `'bloom'` (a
   * counting bloom filter) or `'cuckoo'` (a cuckoo filter: ~7× less memory; with it,
   * `probability` must be at least ≈ 1.22e-4). Giving `filter` with `bloom` left out is a
   * `RangeError`, not a silent no-op; with `bloom: false` given, it is kept, switched off
   * (and its probability floor is not checked). An XOR filter is not offered here: it is static
   * and a shard must forget evicted keys (use it as a `loaderGuard`). Default `'bloom'`.
   */
  filter?: ShardFilterKind | undefined;
  /**
   * Keys known to exist at the origin, checked by `getOrLoad` before it calls a loader:
   * a key the guard rules out rejects at once with `KeyNotFoundError`, and the loader is
   * not called (cache-penetration protection). A `LoaderGuard` (from
   * `loaderGuard.fromKeys`, with counters), a membership filter, or `(key) => boolean`.
   * Default: none.
   */
  loaderGuard?: LoaderGuardLike<K> | undefined;
  /**
   * Seed of each shard's random generator (the `'random'` policy, custom policies), for
   * reproducible runs; shard *i* uses `seed + i`. A safe integer, with `seed + shardCount − 1`
   * one too. Default `1`.
   */
  seed?: number | undefined;
  /**
   * The clock and the timers (an RxJS `SchedulerLike`). Default: {@link unrefScheduler},
   * real time whose timers never keep the process alive; but a cache made inside
   * `TestScheduler.run()` gets RxJS's `asyncScheduler`, which the run makes virtual, as
   * it does for every time-based operator (dispose of such a cache inside the run: the
   * run's final flush runs every timer it left). Pass a `VirtualTimeScheduler` in tests.
   * RxJS's `asyncScheduler` works too: the Node timers behind the cache's expiry
   * actions on it are unref'd, so they do not keep the process alive either.
   */
  scheduler?: SchedulerLike | undefined;
  /**
   * Time one `get` in this many `get`s, and one `set` in this many `set`s, for the
   * latency figures in `metrics()`; `0` turns timing off. Integer from 0 to 2^30. Default `64`.
   */
  latencySampleEvery?: number | undefined;
  /**
   * Not a choice of its own: the factory `strategy` resolves to, as `cache.options`
   * reports it. Accepted so that a cache's `options` build an identical cache (or a
   * replay of its log); anything else is a `RangeError`. Choose a policy with `strategy`.
   */
  policy?: PolicyFactory | undefined;
}

/** {@link CacheOptions} with every default filled in and every value checked. */
export interface ResolvedOptions {
  readonly maxCacheSize: number;
  /** In ms; `0` means entries never expire (an `Infinity` given is stored as `0`). */
  readonly ttl: number;
  readonly shardCount: number;
  readonly strategy: StrategyName | PolicyFactory;
  readonly policy: PolicyFactory;
  readonly bloom: boolean;
  readonly probability: number;
  /** The per-shard filter kind (used when `bloom` is `true`). */
  readonly filter: ShardFilterKind;
  /**
   * The loader guard of `getOrLoad` (a bare filter or predicate wrapped in a
   * `LoaderGuard`). Typed for any key: a `LoaderGuard<K>` here would make a
   * `Cache<string, V>` no longer a `Cache` (the guard's key type is invariant).
   */
  readonly loaderGuard: LoaderGuard<unknown> | undefined;
  readonly seed: number;
  readonly scheduler: SchedulerLike;
  readonly latencySampleEvery: number;
}

/** The defaults, as documented on {@link CacheOptions}. */
export const DEFAULT_OPTIONS = Object.freeze({
  maxCacheSize: 100,
  ttl: 600_000,
  shardCount: 1,
  strategy: 'lru' as StrategyName,
  bloom: false,
  probability: 0.01,
  filter: 'bloom' as ShardFilterKind,
  seed: 1,
  latencySampleEvery: 64,
});

// Per-slot arrays are allocated up front (as lru-cache does); this bounds them.
const MAX_CAPACITY = 2 ** 30;
/** Largest seed magnitude: a safe integer, so that `seed + i` is exact for every shard. */
const MAX_SEED = Number.MAX_SAFE_INTEGER;

/**
 * The option names a cache reads (`policy` included: see {@link CacheOptions.policy}).
 * @internal (not exported by the package)
 */
export const OPTION_NAMES: readonly string[] = Object.freeze([
  'maxCacheSize',
  'ttl',
  'shardCount',
  'strategy',
  'bloom',
  'probability',
  'filter',
  'loaderGuard',
  'seed',
  'scheduler',
  'latencySampleEvery',
  'policy',
]);

/**
 * Checks `options` and fills in the defaults.
 * @throws TypeError or RangeError naming the first bad option.
 * @example
 * resolveOptions({ maxCacheSize: 0 }); // RangeError: option "maxCacheSize" must be …
 */
export function resolveOptions<K = unknown>(options: CacheOptions<K> = {}): ResolvedOptions {
  // An array would pass for an object and have its methods read as options ("filter").
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw optionTypeError('options', 'an object', options);
  knownOptions('macho', options, OPTION_NAMES);
  const maxCacheSize = integerOption('maxCacheSize', options.maxCacheSize, DEFAULT_OPTIONS.maxCacheSize, 1, MAX_CAPACITY);
  const shardCount = integerOption('shardCount', options.shardCount, DEFAULT_OPTIONS.shardCount, 1, Infinity);
  if (shardCount > maxCacheSize)
    throw optionRangeError('shardCount', `at most maxCacheSize (${maxCacheSize}), so every shard holds an entry`, shardCount);
  // Only an absent option (undefined) takes its default: `null` is a bad value, not a silent fallback.
  const strategy = options.strategy === undefined ? DEFAULT_OPTIONS.strategy : options.strategy;
  let policy: PolicyFactory;
  if (typeof strategy === 'function') policy = strategy;
  else if (typeof strategy !== 'string') throw optionTypeError('strategy', 'a policy name or a policy factory function', strategy);
  else if (!isStrategyName(strategy))
    throw optionRangeError('strategy', `one of ${Object.keys(BUILTIN_POLICIES).map((n) => `"${n}"`).join(', ')} or a policy factory`, strategy);
  else policy = BUILTIN_POLICIES[strategy];
  // What cache.options reports for `strategy`, taken back (new Cache(cache.options), a
  // replay with them) when it is that very factory; `strategy` is what chooses.
  if (options.policy !== undefined && options.policy !== policy) {
    const got = typeof options.policy === 'function' ? `a function (${options.policy.name || 'anonymous'})` : describe(options.policy);
    throw new RangeError(
      `macho: option "policy" must be left out, or be the factory that "strategy" resolves to (as cache.options ` +
        `reports it); choose a policy with "strategy"; got ${got}`,
    );
  }
  const probability = numberOption('probability', options.probability, DEFAULT_OPTIONS.probability);
  if (!(probability > 0 && probability < 1)) throw optionRangeError('probability', 'strictly between 0 and 1', probability);
  const seed = integerOption('seed', options.seed, DEFAULT_OPTIONS.seed, -MAX_SEED, MAX_SEED);
  // Shard i draws from seed + i: that too must be exact, or two shards would share a seed.
  if (seed > MAX_SEED - (shardCount - 1))
    throw optionRangeError('seed', `at most ${MAX_SEED} − (shardCount − 1) = ${MAX_SEED - (shardCount - 1)} (shard i uses seed + i)`, seed);
  const bloom = options.bloom === undefined ? DEFAULT_OPTIONS.bloom : options.bloom;
  if (typeof bloom !== 'boolean') throw optionTypeError('bloom', 'a boolean', bloom);
  const filter = filterOption(options.filter, bloom, options.bloom !== undefined, probability);
  const loaderGuard = options.loaderGuard === undefined ? undefined : resolveLoaderGuard<unknown>('loaderGuard', options.loaderGuard);
  return Object.freeze({
    maxCacheSize,
    ttl: ttlOption('ttl', options.ttl === undefined ? DEFAULT_OPTIONS.ttl : options.ttl),
    shardCount,
    strategy,
    policy,
    bloom,
    probability,
    filter,
    loaderGuard,
    seed,
    scheduler: schedulerOption(options.scheduler),
    latencySampleEvery: integerOption(
      'latencySampleEvery',
      options.latencySampleEvery,
      DEFAULT_OPTIONS.latencySampleEvery,
      0,
      2 ** 30,
    ),
  });
}

/**
 * Checks a TTL (the cache's or one entry's) and normalises "never" to `0`.
 * @throws TypeError if not a number, RangeError if negative or NaN.
 * @example
 * ttlOption('ttl', Infinity); // 0
 */
export function ttlOption(name: string, value: unknown): number {
  if (typeof value !== 'number') throw optionTypeError(name, 'a number of ms (0 or Infinity: never expire)', value);
  if (!(value >= 0)) throw optionRangeError(name, 'a number of ms ≥ 0 (0 or Infinity: never expire)', value);
  return value === Infinity ? 0 : value;
}

function numberOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw optionTypeError(name, 'a number', value);
  return value;
}

function integerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  const n = numberOption(name, value, fallback);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw optionRangeError(name, range, n);
  }
  return n;
}

// `filter` chooses the kind of the pre-check that `bloom` turns on: alone it would do
// nothing, which is a mistake worth reporting rather than a setting to ignore. With
// `bloom: false` given, it is a switched-off setting (a flag from a config file,
// DEFAULT_OPTIONS or cache.options spread): kept, as `probability` is.
function filterOption(value: unknown, bloom: boolean, bloomGiven: boolean, probability: number): ShardFilterKind {
  if (value === undefined) return DEFAULT_OPTIONS.filter;
  if (typeof value !== 'string') throw optionTypeError('filter', '"bloom" or "cuckoo"', value);
  if (value === 'xor')
    throw optionRangeError(
      'filter',
      '"bloom" or "cuckoo" (an XOR filter is static: a shard must forget evicted keys, which it cannot; ' +
        'use one as a loaderGuard, e.g. loaderGuard.fromKeys(keys, { kind: "xor" }))',
      value,
    );
  if (!isShardFilterKind(value)) throw optionRangeError('filter', '"bloom" or "cuckoo"', value);
  if (!bloomGiven)
    throw optionRangeError('filter', 'given with bloom (true, or false to keep it switched off): it chooses the kind of the pre-check that bloom turns on', value);
  if (bloom && value === 'cuckoo' && probability < MIN_CUCKOO_PROBABILITY)
    throw optionRangeError(
      'probability',
      `at least ${MIN_CUCKOO_PROBABILITY} with filter "cuckoo" (its fingerprints are at most 16 bits)`,
      probability,
    );
  return value;
}

// Inside TestScheduler.run(), RxJS makes asyncScheduler virtual (its now() reads the
// run's frame, its timers run when the run flushes) so that every time-based operator
// runs in virtual time; a cache made there without a scheduler should too. Out of a
// run, asyncScheduler.now() is Date.now() (faked or not). Told apart by a probe, not by
// comparing the readings (a Date faked near 0 reads like a frame): with Date.now
// briefly made to answer NaN, only a run's clock still gives a number. Where Date.now
// cannot be replaced (a frozen realm), the readings are compared after all.
function insideTestSchedulerRun(): boolean {
  // The exact property is put back (an inherited one by deleting the own one, a spy or
  // a getter as it was), and the answer trusted only if the probe was really in place.
  const own = Object.getOwnPropertyDescriptor(Date, 'now');
  const probe = (): number => NaN;
  try {
    Object.defineProperty(Date, 'now', { value: probe, configurable: true, writable: true, enumerable: false });
  } catch {
    return readingsDiffer();
  }
  try {
    if (Date.now !== probe) return readingsDiffer();
    return !Number.isNaN(asyncScheduler.now());
  } finally {
    if (own === undefined) delete (Date as { now?: unknown }).now;
    else Object.defineProperty(Date, 'now', own);
  }
}

// Where Date.now cannot be replaced: the readings compared (a frame counts from 0).
function readingsDiffer(): boolean {
  return Math.abs(asyncScheduler.now() - Date.now()) > 1_000;
}

function schedulerOption(value: unknown): SchedulerLike {
  if (value === undefined) return insideTestSchedulerRun() ? asyncScheduler : unrefScheduler;
  const candidate = value as Partial<SchedulerLike> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.now !== 'function' || typeof candidate.schedule !== 'function')
    throw optionTypeError('scheduler', 'an RxJS SchedulerLike (with now() and schedule())', value);
  // Its clock, read once here (and the reading kept for the cache's CheckedClock).
  if (!isOwnScheduler(candidate as SchedulerLike)) firstReading(candidate as SchedulerLike);
  // Tried once here, so that a scheduler that cannot run in this environment (RxJS's
  // animationFrameScheduler outside a browser) is refused now rather than failing in
  // the middle of the first command that arms a timer.
  try {
    candidate.schedule(() => {}, 0).unsubscribe();
  } catch (error) {
    throw new TypeError(
      `macho: option "scheduler" cannot schedule work here: ${messageOf(error)}`,
      { cause: error },
    );
  }
  return candidate as SchedulerLike;
}
