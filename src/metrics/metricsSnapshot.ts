import type { SampleSummary } from './sampleStats.js';

/** Operation counts of one shard (or of the whole cache). */
export interface Counts {
  /** `get`s that found a live entry. */
  readonly hits: number;
  /** `get`s that found nothing. */
  readonly misses: number;
  /** Writes: `set`s and `update`s. */
  readonly sets: number;
  /** Live entries removed by `delete`. */
  readonly deletes: number;
  /** Entries removed by the policy for capacity (never TTL). */
  readonly evictions: number;
  /** Entries removed because their TTL passed. */
  readonly expirations: number;
  /** Live entries. */
  readonly size: number;
}

/**
 * The fields of {@link Counts}, in their order.
 * @internal (not exported by the package)
 */
export const COUNT_NAMES = ['hits', 'misses', 'sets', 'deletes', 'evictions', 'expirations', 'size'] as const satisfies readonly (keyof Counts)[];

/** The figures of one shard. */
export interface ShardMetrics extends Counts {
  readonly shard: number;
  /** hits / (hits + misses); 0 before any read. */
  readonly hitRatio: number;
  /** This shard's capacity. */
  readonly maxSize: number;
}

/**
 * Lifespan of entries that left the cache (by delete, eviction or expiry), in ms: from
 * the write that made the entry to its removal, or for an expired entry to its expiry
 * time (however late the clean-up came).
 */
export interface LifespanMetrics {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Median of a bounded uniform sample, by nearest rank (a measured value: the lower middle one of an even count). */
  readonly median: number;
}

/**
 * Everything `metrics()` and `metrics$` report: frozen, and exact for the counts.
 * Latency figures are in ms over a sample of operations (option `latencySampleEvery`).
 */
export interface MetricsSnapshot extends Counts {
  /** hits / (hits + misses); 0 before any read. */
  readonly hitRatio: number;
  /** The cache's capacity (`maxCacheSize`). */
  readonly maxSize: number;
  /** Per-shard figures, indexed by shard number. */
  readonly shards: readonly ShardMetrics[];
  /** Time per `get` and per `set`, in ms (count = operations timed). */
  readonly latency: { readonly get: SampleSummary; readonly set: SampleSummary };
  /** How long removed entries had lived. */
  readonly lifespan: LifespanMetrics;
}

/** hits / (hits + misses), 0 when there were no reads. */
export function hitRatio(hits: number, misses: number): number {
  const reads = hits + misses;
  return reads === 0 ? 0 : hits / reads;
}

/** What {@link buildMetrics} needs besides the counts. */
export interface MetricsExtras {
  readonly shardCapacities: readonly number[];
  readonly latencyGet: SampleSummary;
  readonly latencySet: SampleSummary;
  readonly lifespan: SampleSummary;
}

/**
 * A frozen {@link MetricsSnapshot} from per-shard counts; used both by `metrics()`
 * (counts read from the shards) and by `metrics$` (counts scanned from events).
 */
export function buildMetrics(shardCounts: readonly Counts[], extras: MetricsExtras): MetricsSnapshot {
  const total = { hits: 0, misses: 0, sets: 0, deletes: 0, evictions: 0, expirations: 0, size: 0 };
  let maxSize = 0;
  const shards = shardCounts.map((c, shard) => {
    total.hits += c.hits;
    total.misses += c.misses;
    total.sets += c.sets;
    total.deletes += c.deletes;
    total.evictions += c.evictions;
    total.expirations += c.expirations;
    total.size += c.size;
    const capacity = extras.shardCapacities[shard] ?? 0;
    maxSize += capacity;
    return Object.freeze({
      shard,
      hits: c.hits,
      misses: c.misses,
      hitRatio: hitRatio(c.hits, c.misses),
      sets: c.sets,
      deletes: c.deletes,
      evictions: c.evictions,
      expirations: c.expirations,
      size: c.size,
      maxSize: capacity,
    });
  });
  const l = extras.lifespan;
  return Object.freeze({
    ...total,
    hitRatio: hitRatio(total.hits, total.misses),
    maxSize,
    shards: Object.freeze(shards),
    latency: Object.freeze({ get: Object.freeze(extras.latencyGet), set: Object.freeze(extras.latencySet) }),
    lifespan: Object.freeze({ count: l.count, min: l.min, max: l.max, mean: l.mean, median: l.p50 }),
  });
}
