// Sharding and bloom filters: keys are routed to shards by hash, each shard has its own
// capacity, policy and (with `bloom: true`) a counting bloom filter checked before the
// lookup. Run: npx tsx examples/shardingBloom.ts
import { Cache, shardOf } from 'macho';

const options = { maxCacheSize: 10_000, shardCount: 4, ttl: 0 } as const;
const cache = new Cache<string, number>({ ...options, bloom: true, probability: 0.01 });

// Routing is a pure function of the key: the same shard in every process and run.
console.log(`'user:1' lives in shard ${shardOf('user:1', 4)}, 'user:2' in shard ${shardOf('user:2', 4)}`);

for (let i = 0; i < 12_000; i++) cache.set(`user:${i}`, i); // 2,000 more than fit: evictions
for (let i = 0; i < 20_000; i++) cache.get(`user:${i}`); // the older keys and 8,000 unknown ones miss

// Capacity is split across shards (10,000 / 4 = 2,500 each); hashing spreads the keys.
const m = cache.metrics();
console.log('\nshard    size     max    hits  misses   ratio  evicted');
for (const s of m.shards) {
  const row = [s.size, s.maxSize, s.hits, s.misses, s.hitRatio.toFixed(3), s.evictions];
  console.log(`${String(s.shard).padStart(5)}  ${row.map((v) => String(v).padStart(6)).join('  ')}`);
}
console.log(`  all  ${[m.size, m.maxSize, m.hits, m.misses, m.hitRatio.toFixed(3), m.evictions].map((v) => String(v).padStart(6)).join('  ')}`);

// What the bloom filter buys: a miss answered by the filter skips the Map lookup, but
// costs two key hashes, and so does every hit. Against a JS Map that is rarely a win;
// measure with your own keys before turning it on.
function timeMisses(bloom: boolean): number {
  const c = new Cache<string, number>({ ...options, bloom, latencySampleEvery: 0 });
  for (let i = 0; i < 10_000; i++) c.set(`user:${i}`, i);
  const start = performance.now();
  for (let i = 0; i < 200_000; i++) c.get(`absent:${i}`);
  const ms = performance.now() - start;
  c.dispose();
  return ms;
}
timeMisses(true); // warm-up
console.log(`\n200k misses: ${timeMisses(false).toFixed(1)} ms without bloom, ${timeMisses(true).toFixed(1)} ms with bloom`);
cache.dispose();
