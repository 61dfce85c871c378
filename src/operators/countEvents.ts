import type { OperatorFunction } from 'rxjs';
import { defer, scan } from 'rxjs';
import type { CacheEvent } from '../events.js';
import { describe } from '../errors.js';
import type { Counts } from '../metrics/metricsSnapshot.js';
import { COUNT_NAMES } from '../metrics/metricsSnapshot.js';

/** Mutable per-shard counts, private to one subscription of {@link countEvents}. */
type Tally = { -readonly [P in keyof Counts]: number };

/**
 * The metrics counts as a `scan` over events: hits, misses, sets, deletes, evictions,
 * expirations and size, per shard. Starting from `start` (for example the counts of
 * `cache.metrics()` when you subscribe), it emits after each event the counts so far;
 * fed every event of a cache, it agrees with `cache.metrics()`.
 *
 * The accumulator is mutated in place and the same array is re-emitted: copying seven
 * numbers per shard on every event would cost more than the cache operation itself.
 * Copy (or `map` to a frozen snapshot) before you keep a value.
 *
 * @example
 * cache.events$.pipe(countEvents(cache.metrics().shards), auditTime(1000))
 *   .subscribe((shards) => console.log(shards.map((shard) => shard.hits)));
 */
export function countEvents(start: readonly Counts[]): OperatorFunction<CacheEvent, readonly Counts[]> {
  checkStart(start);
  return (events$) =>
    defer(() => {
      const tallies: Tally[] = start.map((c) => ({
        hits: c.hits,
        misses: c.misses,
        sets: c.sets,
        deletes: c.deletes,
        evictions: c.evictions,
        expirations: c.expirations,
        size: c.size,
      }));
      return events$.pipe(scan((acc: Tally[], event: CacheEvent) => tally(acc, event), tallies));
    });
}

// The counts to start from: one per shard, each with every counter a number (what
// `metrics().shards` gives). Anything else would count nothing without a word.
function checkStart(start: readonly Counts[]): void {
  if (!Array.isArray(start) || start.length === 0)
    throw new TypeError(`macho: countEvents() takes the counts to start from, one per shard (metrics().shards); got ${describe(start)}`);
  start.forEach((counts: unknown, shard) => {
    const bad = COUNT_NAMES.find((name) => typeof (counts as Partial<Record<string, unknown>> | null)?.[name] !== 'number');
    if (bad !== undefined)
      throw new TypeError(`macho: countEvents(): the counts of shard ${shard} have no number "${bad}"; pass metrics().shards`);
  });
}

function tally(tallies: Tally[], event: CacheEvent): Tally[] {
  const t = tallies[event.shard];
  // An event of a shard it was not given counts for: the counts are another cache's.
  if (t === undefined)
    throw new RangeError(`macho: countEvents(): an event of shard ${String(event.shard)}, but counts were given for ${tallies.length} shard(s)`);
  switch (event.type) {
    case 'hit':
      t.hits++;
      break;
    case 'miss':
      t.misses++;
      break;
    case 'set':
      t.sets++;
      if (!event.replaced) t.size++;
      break;
    case 'delete':
      t.deletes++;
      t.size--;
      break;
    case 'evict':
      t.evictions++;
      t.size--;
      break;
    case 'expire':
      t.expirations++;
      t.size--;
      break;
    case 'clear':
      t.size -= event.count;
      break;
  }
  return tallies;
}
