/**
 * Invariants that hold for every cache configuration, checked on a live cache.
 * Does not import fast-check.
 *
 * @module
 */
import { Cache, isDelivering } from '../cache.js';
import { knownOptions } from '../errors.js';
import { exactClockScheduler, unrefScheduler } from '../expiry/unrefScheduler.js';
import type { Counts, MetricsSnapshot, ShardMetrics } from '../metrics/metricsSnapshot.js';
import { COUNT_NAMES } from '../metrics/metricsSnapshot.js';
import type { CacheSnapshot } from '../shard/snapshot.js';
import type { EventCounts, EventRecorder } from './eventRecorder.js';
import { trackingOf } from './eventRecorder.js';
import { show } from './operations.js';

/**
 * The metrics figures {@link checkInvariants} looks at (a `MetricsSnapshot` has them all).
 * @example
 * const figures: CheckedMetrics = cache.metrics();
 */
export type CheckedMetrics = Pick<MetricsSnapshot, keyof Counts | 'hitRatio' | 'maxSize'> & {
  readonly shards: readonly ShardMetrics[];
};

/**
 * What {@link checkInvariants} reads: a `Cache` has all of it, and so can a fake (to
 * test a check, or a wrapper of your own).
 * @example
 * const subject: InvariantSubject<string, number> = new Cache<string, number>();
 */
export interface InvariantSubject<K = unknown, V = unknown> {
  readonly size: number;
  readonly options: {
    readonly maxCacheSize: number;
    readonly shardCount?: number;
    /** The cache's clock: entries with `expiresAt ≤ now()` must be gone. */
    readonly scheduler: { now(): number };
  };
  /** When true, only what a disposed cache still answers (`metrics()`, `snapshot()`) is read. */
  readonly disposed?: boolean;
  keys(): Iterable<K>;
  metrics(): CheckedMetrics;
  snapshot(): CacheSnapshot<K, V>;
}

/**
 * Extra inputs of {@link checkInvariants}.
 * @example
 * checkInvariants(cache, { recorder: recordEvents(cache) });
 */
export interface InvariantExtras<K = unknown, V = unknown> {
  /**
   * A recorder started with {@link recordEvents}: adds "metrics = counted events"
   * (`metrics().evictions − baseline === evict events`, and so on for hits, misses,
   * sets, deletes, expirations and size), and, while it records, the checks that hold
   * for any eviction policy and bound the cache from below (see {@link checkInvariants}).
   */
  readonly recorder?: EventRecorder<K, V>;
}

/**
 * The outcome of {@link checkInvariants}.
 * @example
 * const { ok, violations }: InvariantReport = checkInvariants(cache);
 */
export interface InvariantReport {
  /** True when no invariant is broken. */
  readonly ok: boolean;
  /** One line per broken invariant; empty when `ok`. */
  readonly violations: readonly string[];
}


// Which event type each counter counts (size is derived separately).
const COUNTED_BY: ReadonlyArray<readonly [keyof Counts, keyof EventCounts]> = [
  ['hits', 'hit'],
  ['misses', 'miss'],
  ['sets', 'set'],
  ['deletes', 'delete'],
  ['evictions', 'evict'],
  ['expirations', 'expire'],
];

const MAX_LISTED = 5;

/**
 * Checks the invariants every cache must keep, whatever its configuration:
 *
 * - `size ≤ maxCacheSize`, and each shard's size ≤ that shard's `maxSize`;
 * - `size` equals `metrics().size`, the number of `snapshot()` entries (per shard
 *   too), and the number of `keys()`; snapshot keys are distinct and equal `keys()`;
 * - no snapshot entry has `expiresAt ≤` the clock's now;
 * - every count in `metrics()` (total and per shard) is an integer ≥ 0, the totals
 *   are the sums of the shards, `maxSize` is `maxCacheSize`;
 * - `hitRatio` is in [0, 1] and equals `hits / (hits + misses)` (0 with no reads);
 * - the snapshot, its entries array, each entry and the metrics are frozen;
 * - with `extras.recorder`: metrics moved by exactly the counted events; and, while
 *   it records, what holds for any eviction policy (the checks above are upper bounds;
 *   these also catch a cache that holds too little, or lets entries go too early):
 *   - an entry leaves only with an event that says why (`'evict'`, `'expire'`,
 *     `'delete'`, `'clear'`): every key the events leave live is in `snapshot()`, with
 *     the last value written, and nothing else is;
 *   - an `'evict'` only when a new key arrives in a full shard (its live entries equal
 *     its `maxSize`), one per new key; a new key in a full shard always evicts;
 *   - an `'expire'` only at or after the entry's expiry time (`at ≥ expiredAt`, the
 *     time `snapshot()` showed);
 *   - a `'hit'` only for a live key, with its value; a `'miss'` only for a key that is
 *     not; `'set'` says `replaced` exactly for a live key; `'clear'` counts its shard.
 *
 * Reading `size`, `keys()` and `snapshot()` is what any read does: it removes the
 * entries whose TTL passed (as logged `expire` commands). A read that throws is
 * reported as a violation, not rethrown.
 *
 * With a recorder, call it between commands, not from inside a subscriber of the cache
 * (`events$`, `on()`, `watch()`, …): there, the events of the command being delivered,
 * and of any command the subscriber makes, are still queued, so the recorder cannot
 * have them. That is detected (the cache's `snapshot().version` counts commands
 * applied; the recorder counts those it received on `commands$`) and reported as the
 * one violation "the recorder is behind …", instead of false differences.
 *
 * @returns `{ ok, violations }`: never throws for a broken invariant.
 * @example
 * import { checkInvariants } from 'macho/testing';
 *
 * const report = checkInvariants(cache);
 * if (!report.ok) console.error(report.violations.join('\n'));
 */
export function checkInvariants<K, V>(
  cache: InvariantSubject<K, V>,
  extras: InvariantExtras<K, V> = {},
): InvariantReport {
  // A misspelt `recorder` would switch its checks off without a word.
  knownOptions('macho/testing: checkInvariants', extras, ['recorder']);
  const violations: string[] = [];
  const fail = (message: string): void => {
    violations.push(message);
  };
  const read = <T>(what: string, get: () => T): T | undefined => {
    try {
      return get();
    } catch (error) {
      fail(`${what} threw: ${error instanceof Error ? error.message : show(error)}`);
      return undefined;
    }
  };

  const { maxCacheSize, shardCount } = cache.options;
  const disposed = cache.disposed === true;
  // The default clock's cached reading lags, but a cache reads Date.now() itself while
  // an entry can expire (the only time the clock is checked against here).
  const clock = cache.options.scheduler === unrefScheduler ? exactClockScheduler : cache.options.scheduler;
  // The clock first: whatever the reads below see was taken at `now` or later.
  const now = read('the clock', () => clock.now());
  const snapshot = read('snapshot()', () => cache.snapshot());
  const size = disposed ? undefined : read('size', () => cache.size);
  const keys = disposed ? undefined : read('keys()', () => [...cache.keys()]);
  const metrics = read('metrics()', () => cache.metrics());
  const later = read('the clock', () => clock.now());

  // With a clock that moves (real time), a read may remove entries that expired
  // between two reads: the figures are compared only if no entry could have.
  const settled =
    disposed ||
    (now !== undefined &&
      later !== undefined &&
      (later === now ||
        (snapshot !== undefined && !snapshot.entries.some((e) => e.expiresAt !== undefined && e.expiresAt <= later))));

  if (size !== undefined) {
    if (!isCount(size)) fail(`size is ${show(size)}, not an integer ≥ 0`);
    if (size > maxCacheSize) fail(`size ${size} exceeds maxCacheSize ${maxCacheSize}`);
  }

  if (metrics !== undefined) checkMetrics(metrics, maxCacheSize, shardCount, fail);

  if (snapshot !== undefined) {
    checkSnapshot(snapshot, disposed ? undefined : now, metrics, settled, fail);
    if (settled && size !== undefined && size !== snapshot.entries.length)
      fail(`size ${size} differs from the ${snapshot.entries.length} entries of snapshot()`);
  }

  if (settled && size !== undefined && metrics !== undefined && metrics.size !== size)
    fail(`size ${size} differs from metrics().size ${metrics.size}`);

  if (settled && keys !== undefined) {
    if (size !== undefined && keys.length !== size) fail(`keys() yields ${keys.length} keys but size is ${size}`);
    if (snapshot !== undefined) {
      const inSnapshot = new Set(snapshot.entries.map((e) => e.key));
      const inKeys = new Set(keys);
      if (inKeys.size !== keys.length) fail(`keys() yields a key more than once`);
      const missing = keys.filter((k) => !inSnapshot.has(k));
      const extra = [...inSnapshot].filter((k) => !inKeys.has(k));
      if (missing.length > 0) fail(`keys() yields ${list(missing)}, absent from snapshot()`);
      if (extra.length > 0) fail(`snapshot() has ${list(extra)}, absent from keys()`);
    }
  }

  if (extras.recorder !== undefined) {
    // Inside a subscriber the recorder may not have had the events of the command being
    // handed out (the command itself it has: commands go out first).
    const handingOut = cache instanceof Cache && isDelivering(cache);
    checkRecorder(extras.recorder, metrics, snapshot, settled, handingOut, fail);
  }

  return Object.freeze({ ok: violations.length === 0, violations: Object.freeze(violations) });
}

/**
 * {@link checkInvariants}, throwing when an invariant is broken: for `fc.assert`
 * properties and plain tests.
 *
 * @throws Error whose message lists every violation, one per line.
 * @example
 * import fc from 'fast-check';
 * import { applyOperation, assertInvariants, cacheOperations, createVirtualCache } from 'macho/testing';
 *
 * fc.assert(fc.property(cacheOperations(['a', 'b', 'c'], fc.integer()), (ops) => {
 *   const virtual = createVirtualCache<string, number>({ maxCacheSize: 2, ttl: 100 });
 *   for (const op of ops) {
 *     applyOperation(virtual, op);
 *     assertInvariants(virtual.cache);
 *   }
 *   virtual.dispose();
 * }));
 */
export function assertInvariants<K, V>(cache: InvariantSubject<K, V>, extras: InvariantExtras<K, V> = {}): void {
  const { ok, violations } = checkInvariants(cache, extras);
  if (!ok)
    throw new Error(`macho/testing: ${violations.length} cache invariant(s) broken:\n  - ${violations.join('\n  - ')}`);
}

function checkMetrics(
  metrics: CheckedMetrics,
  maxCacheSize: number,
  shardCount: number | undefined,
  fail: (message: string) => void,
): void {
  if (!Object.isFrozen(metrics)) fail('metrics() is not frozen');
  checkCounts('metrics()', metrics, fail);
  if (metrics.maxSize !== maxCacheSize) fail(`metrics().maxSize ${metrics.maxSize} is not maxCacheSize ${maxCacheSize}`);
  if (metrics.size > metrics.maxSize) fail(`metrics().size ${metrics.size} exceeds metrics().maxSize ${metrics.maxSize}`);
  const shards = metrics.shards;
  if (shardCount !== undefined && shards.length !== shardCount)
    fail(`metrics() has ${shards.length} shards; shardCount is ${shardCount}`);
  let maxSizes = 0;
  const sums: Record<(typeof COUNT_NAMES)[number], number> = {
    hits: 0,
    misses: 0,
    sets: 0,
    deletes: 0,
    evictions: 0,
    expirations: 0,
    size: 0,
  };
  shards.forEach((shard, index) => {
    const where = `shard ${index}`;
    if (shard.shard !== index) fail(`${where}: metrics say it is shard ${show(shard.shard)}`);
    checkCounts(where, shard, fail);
    if (shard.size > shard.maxSize) fail(`${where}: size ${shard.size} exceeds its maxSize ${shard.maxSize}`);
    maxSizes += shard.maxSize;
    for (const name of COUNT_NAMES) sums[name] += shard[name];
  });
  if (shards.length > 0) {
    if (maxSizes !== metrics.maxSize) fail(`shard maxSizes add up to ${maxSizes}, not metrics().maxSize ${metrics.maxSize}`);
    for (const name of COUNT_NAMES)
      if (sums[name] !== metrics[name]) fail(`shard ${name} add up to ${sums[name]}, not metrics().${name} ${metrics[name]}`);
  }
}

function checkCounts(where: string, counts: Counts & { readonly hitRatio: number }, fail: (message: string) => void): void {
  for (const name of COUNT_NAMES)
    if (!isCount(counts[name])) fail(`${where}: ${name} is ${show(counts[name])}, not an integer ≥ 0`);
  const { hits, misses, hitRatio } = counts;
  if (!(hitRatio >= 0 && hitRatio <= 1)) fail(`${where}: hitRatio ${show(hitRatio)} is outside [0, 1]`);
  const expected = hits + misses === 0 ? 0 : hits / (hits + misses);
  if (!(Math.abs(hitRatio - expected) <= 1e-12))
    fail(`${where}: hitRatio ${show(hitRatio)} is not hits / (hits + misses) = ${expected}`);
}

function checkSnapshot<K, V>(
  snapshot: CacheSnapshot<K, V>,
  now: number | undefined,
  metrics: CheckedMetrics | undefined,
  settled: boolean,
  fail: (message: string) => void,
): void {
  const { entries } = snapshot;
  if (!Object.isFrozen(snapshot)) fail('snapshot() is not frozen');
  if (!Object.isFrozen(entries)) fail('snapshot().entries is not frozen');
  const unfrozen = entries.filter((e) => !Object.isFrozen(e)).map((e) => e.key);
  if (unfrozen.length > 0) fail(`snapshot() entries not frozen: ${list(unfrozen)}`);
  if (snapshot.size !== entries.length) fail(`snapshot().size ${snapshot.size} differs from its ${entries.length} entries`);

  const seen = new Set<K>();
  const repeated: K[] = [];
  for (const { key } of entries) {
    if (seen.has(key)) repeated.push(key);
    seen.add(key);
  }
  if (repeated.length > 0) fail(`snapshot() holds a key more than once: ${list(repeated)}`);

  if (now !== undefined) {
    const stale = entries.filter((e) => e.expiresAt !== undefined && e.expiresAt <= now);
    if (stale.length > 0)
      fail(`snapshot() holds entries expired at or before now (${now}): ${list(stale, (e) => `${show(e.key)}@${e.expiresAt}`)}`);
  }

  if (metrics !== undefined) {
    const perShard = new Array<number>(metrics.shards.length).fill(0);
    const misplaced: K[] = [];
    for (const entry of entries) {
      if (Number.isInteger(entry.shard) && entry.shard >= 0 && entry.shard < perShard.length) perShard[entry.shard]!++;
      else misplaced.push(entry.key);
    }
    if (misplaced.length > 0) fail(`snapshot() entries in no shard of metrics(): ${list(misplaced)}`);
    if (settled)
      metrics.shards.forEach((shard, index) => {
        if (perShard[index] !== shard.size)
          fail(`shard ${index}: metrics size ${shard.size} differs from its ${perShard[index]} snapshot entries`);
      });
  }
}

function checkRecorder<K, V>(
  recorder: EventRecorder<K, V>,
  metrics: CheckedMetrics | undefined,
  snapshot: CacheSnapshot<K, V> | undefined,
  settled: boolean,
  handingOut: boolean,
  fail: (message: string) => void,
): void {
  const tracking = recorder.stopped ? undefined : trackingOf(recorder);
  if (tracking !== undefined && snapshot !== undefined) {
    const behind = snapshot.version - tracking.version - tracking.commands;
    if (behind > 0 || handingOut) {
      fail(
        `the recorder is behind: ${behind > 0 ? `${behind} command(s) applied since it started have not been delivered to it yet` : 'the events of the command being handed out may not all have reached it'} ` +
          '(checkInvariants was called while the cache was still handing out events: from inside a ' +
          'subscriber of the cache?); the checks against recorded events are skipped. Check between commands.',
      );
      return;
    }
  }
  const end = recorder.final ?? metrics;
  if (end !== undefined) checkRecorded(recorder, end, fail);
  if (tracking === undefined) return;
  const { problems } = tracking.ledger;
  for (const problem of problems.slice(0, MAX_LISTED)) fail(problem);
  if (problems.length > MAX_LISTED) fail(`… and ${problems.length - MAX_LISTED} more problem(s) with the recorded events`);
  if (settled && snapshot !== undefined) for (const problem of tracking.ledger.compare(snapshot)) fail(problem);
}

function checkRecorded<K, V>(recorder: EventRecorder<K, V>, end: CheckedMetrics, fail: (message: string) => void): void {
  const counted = recorder.counts();
  const start = recorder.baseline;
  for (const [metric, event] of COUNTED_BY) {
    const moved = end[metric] - start[metric];
    if (moved !== counted[event])
      fail(`metrics().${metric} moved by ${moved} but ${counted[event]} '${event}' event(s) were recorded`);
  }
  const size = start.size + counted.inserted - counted.delete - counted.evict - counted.expire - counted.cleared;
  if (size !== end.size) fail(`metrics().size is ${end.size} but the recorded events leave ${size}`);
}

function isCount(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

function list<T>(items: readonly T[], format: (item: T) => string = show): string {
  const shown = items.slice(0, MAX_LISTED).map(format).join(', ');
  return items.length > MAX_LISTED ? `${shown} … and ${items.length - MAX_LISTED} more` : shown;
}
