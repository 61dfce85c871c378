import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { CacheOptions, MetricsSnapshot, StrategyName } from 'macho';
import { BUILTIN_POLICIES, Cache } from 'macho';
import { advance, LruModel } from './support/models.js';

function sharded(options: CacheOptions): Cache<string, number> {
  return new Cache<string, number>({ ttl: 0, scheduler: new VirtualTimeScheduler(), ...options });
}

const shardCapacities = (cache: { metrics(): MetricsSnapshot }): number[] => cache.metrics().shards.map((s) => s.maxSize);

/** (maxCacheSize, shardCount) with 1 ≤ shardCount ≤ maxCacheSize. */
const sizes = fc
  .integer({ min: 1, max: 64 })
  .chain((max) => fc.tuple(fc.constant(max), fc.integer({ min: 1, max: Math.min(max, 16) })));

describe('sharding: capacity', () => {
  it.each([
    { maxCacheSize: 10, shardCount: 4, expected: [3, 3, 2, 2] },
    { maxCacheSize: 7, shardCount: 7, expected: [1, 1, 1, 1, 1, 1, 1] },
    { maxCacheSize: 100, shardCount: 1, expected: [100] },
    { maxCacheSize: 11, shardCount: 3, expected: [4, 4, 3] },
  ])('splits $maxCacheSize over $shardCount shards as $expected', ({ maxCacheSize, shardCount, expected }) => {
    const cache = sharded({ maxCacheSize, shardCount });
    expect(shardCapacities(cache)).toEqual(expected);
    expect(cache.metrics().maxSize).toBe(maxCacheSize);
  });

  it('gives each shard the floor of the share, and the remainder one each to the first shards', () => {
    fc.assert(
      fc.property(sizes, ([maxCacheSize, shardCount]) => {
        const capacities = shardCapacities(sharded({ maxCacheSize, shardCount }));
        const share = Math.floor(maxCacheSize / shardCount);
        const remainder = maxCacheSize % shardCount;
        expect(capacities).toHaveLength(shardCount);
        expect(capacities.reduce((a, b) => a + b, 0)).toBe(maxCacheSize);
        capacities.forEach((capacity, shard) => expect(capacity).toBe(shard < remainder ? share + 1 : share));
      }),
      { numRuns: 200 },
    );
  });
});

// Many more keys than room, so that every shard fills up and evicts.
const key = fc.integer({ min: 0, max: 39 }).map((n) => `key:${n}`);
type Op = { op: 'set'; key: string; value: number } | { op: 'get' | 'peek' | 'has' | 'delete'; key: string };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.nat(99) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
);

describe('sharding: entries', () => {
  it('stays within each shard’s capacity, evicting within the shard, with stable routing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 16 }).chain((max) => fc.tuple(fc.constant(max), fc.integer({ min: 2, max: Math.min(max, 5) }))),
        fc.array(op, { maxLength: 150, size: 'large' }),
        ([maxCacheSize, shardCount], ops) => {
          const cache = sharded({ maxCacheSize, shardCount, strategy: 'lru' });
          const capacities = shardCapacities(cache);
          // One LRU model per shard: with sharding, each shard is its own LRU cache.
          const models = capacities.map((capacity) => new LruModel<string, number>(capacity));
          const shardOfKey = new Map<string, number>();
          const route = (k: string, shard: number) => {
            expect(shard).toBeGreaterThanOrEqual(0);
            expect(shard).toBeLessThan(shardCount);
            if (!shardOfKey.has(k)) shardOfKey.set(k, shard);
            expect(shard, `shard of ${k}`).toBe(shardOfKey.get(k));
          };
          // Checked after each operation, not inside the subscriber: the cache reports
          // a subscriber's exceptions asynchronously instead of letting them through.
          const events: { type: string; key: string; shard: number }[] = [];
          cache.events$.subscribe((e) => {
            if (e.type !== 'clear') events.push({ type: e.type, key: e.key, shard: e.shard });
          });
          /** Routes of this operation's events; its evictions. */
          const takeEvents = () => {
            const taken = events.splice(0);
            for (const e of taken) route(e.key, e.shard);
            return taken.filter((e) => e.type === 'evict').map(({ key, shard }) => ({ key, shard }));
          };

          for (const o of ops) {
            const known = shardOfKey.get(o.key);
            const model = known === undefined ? undefined : models[known]!;
            switch (o.op) {
              case 'set': {
                cache.set(o.key, o.value);
                const evicted = takeEvents();
                const shard = shardOfKey.get(o.key)!; // learnt from the 'set' event
                const expected = models[shard]!.set(o.key, o.value);
                expect(evicted).toEqual(expected ? [{ key: expected.evicted, shard }] : []);
                break;
              }
              case 'get': {
                const got = cache.get(o.key);
                expect(takeEvents()).toEqual([]); // a hit or a miss, which teaches the shard
                expect(got).toBe(models[shardOfKey.get(o.key)!]!.get(o.key));
                break;
              }
              case 'peek':
                expect(cache.peek(o.key)).toBe(model?.peek(o.key));
                break;
              case 'has':
                expect(cache.has(o.key)).toBe(model?.has(o.key) ?? false);
                break;
              case 'delete':
                expect(cache.delete(o.key)).toBe(model?.delete(o.key) ?? false);
                break;
            }

            expect(takeEvents()).toEqual([]);
            const metrics = cache.metrics();
            expect(cache.size).toBeLessThanOrEqual(maxCacheSize);
            metrics.shards.forEach((s) => {
              expect(s.size).toBeLessThanOrEqual(s.maxSize);
              expect(s.size).toBe(models[s.shard]!.size);
            });
          }
          // Snapshot entries report the same shard as the events did.
          for (const entry of cache.snapshot().entries) route(entry.key, entry.shard);
          models.forEach((model, shard) => {
            const inShard = cache.snapshot().entries.filter((e) => e.shard === shard).map((e) => e.key);
            expect(new Set(inShard)).toEqual(new Set(model.keys()));
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('routes a key to the same shard in every cache with the same shard count', () => {
    const first = sharded({ maxCacheSize: 1000, shardCount: 8 });
    const second = sharded({ maxCacheSize: 1000, shardCount: 8 });
    const keys = Array.from({ length: 200 }, (_, i) => `user:${i}`);
    for (const k of keys) first.set(k, 1);
    for (const k of [...keys].reverse()) second.set(k, 2);
    const shardsOf = (cache: Cache<string, number>) =>
      new Map(cache.snapshot().entries.map((e) => [e.key, e.shard] as const));
    expect(shardsOf(second)).toEqual(shardsOf(first));
  });

  it('spreads keys over every shard', () => {
    const cache = sharded({ maxCacheSize: 4000, shardCount: 4 });
    for (let i = 0; i < 400; i++) cache.set(`item-${i}`, i);
    for (const shard of cache.metrics().shards) {
      // 100 expected per shard; any sensible hash lands far inside these bounds.
      expect(shard.size).toBeGreaterThan(50);
      expect(shard.size).toBeLessThan(150);
    }
  });
});

const COUNTS = ['hits', 'misses', 'sets', 'deletes', 'evictions', 'expirations', 'size', 'maxSize'] as const;

function expectShardsSumToTotals(metrics: MetricsSnapshot): void {
  for (const field of COUNTS) {
    const sum = metrics.shards.reduce((total, shard) => total + shard[field], 0);
    expect(sum, field).toBe(metrics[field]);
  }
  const reads = metrics.hits + metrics.misses;
  expect(metrics.hitRatio).toBe(reads === 0 ? 0 : metrics.hits / reads);
}

describe('sharding: metrics', () => {
  it('per-shard figures sum to the totals', () => {
    type MetricsOp = Op | { op: 'wait'; ms: number } | { op: 'clear' };
    const metricsOp: fc.Arbitrary<MetricsOp> = fc.oneof(
      { weight: 6, arbitrary: op },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 60 }) }) },
      { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(BUILTIN_POLICIES) as StrategyName[])),
        fc.integer({ min: 1, max: 5 }),
        fc.array(metricsOp, { maxLength: 120, size: 'large' }),
        (strategy, shardCount, ops) => {
          const scheduler = new VirtualTimeScheduler();
          // A TTL, so that expirations are counted too.
          const cache = new Cache<string, number>({ maxCacheSize: 12, shardCount, strategy, ttl: 100, scheduler });
          for (const o of ops) {
            if (o.op === 'wait') advance(scheduler, o.ms);
            else if (o.op === 'clear') cache.clear();
            else if (o.op === 'set') cache.set(o.key, o.value);
            else cache[o.op](o.key);
            expectShardsSumToTotals(cache.metrics());
          }
          expect(cache.metrics().size).toBe(cache.size);
        },
      ),
      { numRuns: 60 },
    );
  });
});
