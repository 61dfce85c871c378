// The Macho demo (`npm start`): two seconds of a skewed workload against a sharded
// cache with TTL and bloom filters, watched through the cache's own streams.
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncScheduler, take, throttleTime } from 'rxjs';
import type { EvictEvent, ExpireEvent, MetricsSnapshot } from 'macho';
import { Cache, SeededRandom } from 'macho';

const KEYS = 5_000; // distinct keys in the workload
const CAPACITY = 1_000; // the cache holds a fifth of them
const SHARDS = 4;
const TTL = 1_000; // ms; a tenth of the entries get a shorter, per-entry TTL
const SHORT_TTL = 250;
const RUN_MS = 2_000;

// A Zipf-like key stream (popularity of rank r ∝ 1/r, as in real caches: a few keys
// are hot, most are cold), drawn from a seeded generator so every run is the same.
const random = new SeededRandom(42);
const cdf = new Float64Array(KEYS);
for (let r = 0, sum = 0; r < KEYS; r++) cdf[r] = sum += 1 / (r + 1);
function nextKey(): string {
  const x = random.next() * cdf[KEYS - 1]!;
  let lo = 0;
  let hi = KEYS - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return `item:${lo}`;
}

interface Item {
  id: string;
  loadedAt: number; // when it was "loaded", on the cache's clock
}

const cache = new Cache<string, Item>({
  maxCacheSize: CAPACITY,
  shardCount: SHARDS,
  ttl: TTL,
  bloom: true,
  probability: 0.01,
});

// Timestamps from the cache's own clock (its scheduler): the time events carry in `at`.
const clock = cache.options.scheduler;

console.log(`Macho demo: ${KEYS.toLocaleString()} keys (Zipf-like popularity) against a cache of ${CAPACITY.toLocaleString()} entries`);
console.log(`in ${SHARDS} shards, LRU, TTL ${TTL} ms (${SHORT_TTL} ms for 1 entry in 10), bloom filters on. Cache-aside:`);
console.log(`get(key), and on a miss set(key, value). Running for ${RUN_MS / 1000} s.\n`);

// The first few evictions and expirations, straight from the event streams.
const samples: string[] = [];
const sample = (what: string, e: EvictEvent<string, Item> | ExpireEvent<string, Item>, why: string): void =>
  void samples.push(`${what.padEnd(7)} ${e.key.padEnd(10)} shard ${e.shard}  lived ${String(e.at - e.value.loadedAt).padStart(4)} ms  ${why}`);
cache.on('evict').pipe(take(3)).subscribe((e) => sample('evict', e, 'least recently used in its full shard'));
cache.on('expire').pipe(take(3)).subscribe((e) => sample('expire', e, 'its TTL ran out'));

// metrics$ emits at most once per tick of the cache's scheduler (real time here);
// a terminal needs far fewer updates, so throttle to a few lines a second.
const start = performance.now();
let ops = 0;
const line = (m: MetricsSnapshot): string =>
  `  t=${((performance.now() - start) / 1000).toFixed(1)}s  ${ops.toLocaleString().padStart(9)} ops  hit ratio ${(m.hitRatio * 100).toFixed(1)}%  size ${m.size}/${m.maxSize}  evictions ${m.evictions.toLocaleString()}  expirations ${m.expirations.toLocaleString()}`;
console.log('Live metrics (cache.metrics$):');
const live = cache.metrics$
  .pipe(throttleTime(400, asyncScheduler, { leading: false, trailing: true }))
  .subscribe((m) => console.log(line(m)));

// The workload runs in slices, with a short real-time pause between them so timers can
// fire: the expiry timer, metrics$ and the throttle above.
while (performance.now() - start < RUN_MS) {
  for (let i = 0; i < 2_000; i++, ops++) {
    const key = nextKey();
    if (cache.get(key) === undefined) {
      const value: Item = { id: key, loadedAt: clock.now() }; // "load" it
      cache.set(key, value, random.next() < 0.1 ? { ttl: SHORT_TTL } : undefined);
    }
  }
  await sleep(1);
}
live.unsubscribe();
const m = cache.metrics();
cache.dispose(); // completes every stream and cancels the expiry timer

console.log('\nA sample of the events (cache.on(\'evict\'), cache.on(\'expire\')):');
for (const sample of samples) console.log(`  ${sample}`);

const us = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;
const rows: [string, string][] = [
  ['operations', `${ops.toLocaleString()} in ${RUN_MS / 1000} s`],
  ['hits', m.hits.toLocaleString()],
  ['misses', m.misses.toLocaleString()],
  ['hit ratio', `${(m.hitRatio * 100).toFixed(1)}%`],
  ['sets', m.sets.toLocaleString()],
  ['evictions', `${m.evictions.toLocaleString()} (capacity)`],
  ['expirations', `${m.expirations.toLocaleString()} (TTL)`],
  ['size', `${m.size} / ${m.maxSize}`],
  ['per-shard size', m.shards.map((s) => `#${s.shard}: ${s.size}/${s.maxSize}`).join('  ')],
  ['get latency', `p50 ${us(m.latency.get.p50)}  p99 ${us(m.latency.get.p99)}  (${m.latency.get.count.toLocaleString()} sampled)`],
  ['set latency', `p50 ${us(m.latency.set.p50)}  p99 ${us(m.latency.set.p99)}  (${m.latency.set.count.toLocaleString()} sampled)`],
  ['entry lifespan', `median ${m.lifespan.median.toFixed(0)} ms  mean ${m.lifespan.mean.toFixed(0)} ms  max ${m.lifespan.max.toFixed(0)} ms  (${m.lifespan.count.toLocaleString()} removed)`],
];
console.log('\nSummary (cache.metrics()):');
for (const [name, value] of rows) console.log(`  ${name.padEnd(15)} ${value}`);
console.log('\nNext: the examples/ folder has one short script per feature (npx tsx examples/basic.ts).');
