import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Counts, MetricsSnapshot } from 'macho';
import { Cache, CacheDisposedError, countEvents } from 'macho';
import type { Driven, Key, Value } from '../fixtures/ops.js';
import { opsArb, optionsArb } from '../fixtures/ops.js';
import type { Tally } from '../fixtures/tally.js';
import { count, countsOf, padded } from '../fixtures/tally.js';
import { advance, lateTimers, virtualClock } from '../fixtures/virtualTime.js';

const ratio = (hits: number, misses: number): number => (hits + misses === 0 ? 0 : hits / (hits + misses));

function copyCounts(counts: readonly Counts[]): Tally[] {
  return counts.map(({ hits, misses, sets, deletes, evictions, expirations, size }) => ({
    hits,
    misses,
    sets,
    deletes,
    evictions,
    expirations,
    size,
  }));
}

/** The totals and ratios of a metrics snapshot follow from its per-shard counts. */
function expectConsistent(metrics: MetricsSnapshot, maxCacheSize: number): void {
  const keys = ['hits', 'misses', 'sets', 'deletes', 'evictions', 'expirations', 'size'] as const;
  for (const key of keys) expect(metrics[key]).toBe(metrics.shards.reduce((sum, shard) => sum + shard[key], 0));
  expect(metrics.hitRatio).toBe(ratio(metrics.hits, metrics.misses));
  for (const shard of metrics.shards) expect(shard.hitRatio).toBe(ratio(shard.hits, shard.misses));
  metrics.shards.forEach((shard, i) => expect(shard.shard).toBe(i));
  expect(metrics.maxSize).toBe(maxCacheSize);
  expect(metrics.shards.reduce((sum, shard) => sum + shard.maxSize, 0)).toBe(maxCacheSize);
  // Every removal by delete, eviction or expiry has a lifespan; clear does not count.
  expect(metrics.lifespan.count).toBe(metrics.deletes + metrics.evictions + metrics.expirations);
  expect(Object.isFrozen(metrics)).toBe(true);
  expect(Object.isFrozen(metrics.shards)).toBe(true);
}

describe('metrics: property', () => {
  it('metrics() equals the counts of the events, and the countEvents scan from any point on', () => {
    fc.assert(
      fc.property(optionsArb, opsArb({ maxCommands: 60 }), fc.nat(60), (options, ops, startAt) => {
        const scheduler = virtualClock();
        const cache = new Cache<Key, Value>({ ...options, scheduler });
        const shardCount = options.shardCount ?? 1;
        const maxCacheSize = options.maxCacheSize ?? 100;
        const tallies: Tally[] = [];
        cache.events$.subscribe((event) => count(tallies, event));
        let scanned: Tally[] | undefined;
        let done = 0;
        const subscribeScan = (): void => {
          const start = cache.metrics().shards;
          scanned = copyCounts(start);
          cache.events$.pipe(countEvents(start)).subscribe((counts) => (scanned = copyCounts(counts)));
        };
        const driven: Driven = {
          cache,
          scheduler,
          afterEach() {
            if (done++ === startAt) subscribeScan();
            const metrics = cache.metrics();
            expect(countsOf(metrics)).toEqual(padded(tallies, shardCount));
            if (scanned !== undefined) expect(scanned).toEqual(countsOf(metrics));
            expectConsistent(metrics, maxCacheSize);
          },
        };
        if (startAt === 0) subscribeScan();
        fc.modelRun(() => ({ model: {}, real: driven }), ops);
        cache.dispose();
        // Still readable after dispose, and unchanged by it.
        expect(countsOf(cache.metrics())).toEqual(padded(tallies, shardCount));
      }),
      { numRuns: 200 },
    );
  });

  it('latency: every get and set timed with latencySampleEvery 1, none with 0, one in n otherwise', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.constantFrom('get', 'set', 'add', 'set-undefined', 'peek', 'has', 'delete'), { maxLength: 80 }),
        (every, calls) => {
          const cache = new Cache<string, number>({ latencySampleEvery: every, scheduler: virtualClock() });
          for (const call of calls) {
            if (call === 'get') cache.get('k');
            else if (call === 'set') cache.set('k', 1);
            else if (call === 'add') cache.add('k', 1);
            else if (call === 'set-undefined') cache.set('k', undefined as unknown as number);
            else if (call === 'peek') cache.peek('k');
            else if (call === 'has') cache.has('k');
            else cache.delete('k');
          }
          const gets = calls.filter((c) => c === 'get').length;
          const sets = calls.filter((c) => c === 'set' || c === 'add' || c === 'set-undefined').length;
          const { latency } = cache.metrics();
          if (every === 0) {
            expect(latency.get).toMatchObject({ count: 0, min: 0, max: 0, mean: 0 });
            expect(latency.set).toMatchObject({ count: 0, min: 0, max: 0, mean: 0 });
          } else if (every === 1) {
            expect(latency.get.count).toBe(gets);
            expect(latency.set.count).toBe(sets);
          } else {
            // Each method has its own countdown: an alternating get/set loop times both.
            expect(latency.get.count).toBe(Math.floor(gets / every));
            expect(latency.set.count).toBe(Math.floor(sets / every));
          }
          for (const summary of [latency.get, latency.set]) {
            expect(summary.min).toBeGreaterThanOrEqual(0);
            expect(summary.min).toBeLessThanOrEqual(summary.max);
            if (summary.count > 0) {
              expect(summary.mean).toBeGreaterThanOrEqual(summary.min);
              expect(summary.mean).toBeLessThanOrEqual(summary.max);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('metrics: examples', () => {
  it('hitRatio is hits / (hits + misses), and 0 before any read', () => {
    const cache = new Cache<string, number>({ shardCount: 2, maxCacheSize: 10, scheduler: virtualClock() });
    expect(cache.metrics()).toMatchObject({ hits: 0, misses: 0, hitRatio: 0 });
    for (const shard of cache.metrics().shards) expect(shard.hitRatio).toBe(0);
    cache.set('a', 1);
    cache.peek('a');
    cache.has('b');
    expect(cache.metrics().hitRatio).toBe(0); // peek and has are not reads for the ratio
    cache.get('a');
    cache.get('a');
    cache.get('a');
    cache.get('b');
    expect(cache.metrics()).toMatchObject({ hits: 3, misses: 1, hitRatio: 0.75 });
  });

  it('counts each kind of removal apart, and lifespans for delete, evict and expire', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 100, scheduler });
    cache.set('a', 1); // t = 0
    advance(scheduler, 10);
    cache.set('b', 2, { ttl: 5 }); // t = 10, expires at 15
    advance(scheduler, 10); // 'b' expires: lifespan 5
    cache.set('c', 3); // t = 20
    cache.set('d', 4); // evicts 'a': lifespan 20
    advance(scheduler, 10);
    cache.delete('c'); // t = 30: lifespan 10
    cache.clear(); // removes 'd', counted by none of them
    const metrics = cache.metrics();
    expect(metrics).toMatchObject({ sets: 4, deletes: 1, evictions: 1, expirations: 1, size: 0 });
    expect(metrics.lifespan).toMatchObject({ count: 3, min: 5, max: 20, mean: (5 + 20 + 10) / 3, median: 10 });
  });

  it("counts an expired entry's lifespan to its expiry time, however late the clean-up", () => {
    // A timer 1,000 ms late (a busy event loop), and an entry first touched long after.
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 100, scheduler: lateTimers(scheduler, 1_000) });
    cache.set('a', 1);
    cache.set('b', 2, { ttl: 50 });
    advance(scheduler, 5_000);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.metrics().lifespan).toMatchObject({ count: 2, min: 50, max: 100 });
  });

  it('keeps lifespans exact across clock spans far beyond a small integer of ms', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ maxCacheSize: 10, ttl: 0, scheduler });
    const month = 30 * 24 * 3600 * 1000; // more than 2^31 ms
    cache.set('old', 1); // t = 0
    advance(scheduler, month);
    cache.set('young', 2); // t = month: far from every earlier birth time
    advance(scheduler, 7.5);
    cache.set('fraction', 3); // a birth time that is not a whole ms
    advance(scheduler, 2.5);
    cache.delete('young'); // lifespan 10
    cache.delete('fraction'); // lifespan 2.5
    advance(scheduler, 3 * month);
    cache.delete('old'); // lifespan 4 months + 10 ms
    expect(cache.metrics().lifespan).toMatchObject({ count: 3, min: 2.5, max: 4 * month + 10, median: 10 });
  });

  it('counts per shard, and a write by update as a set', () => {
    const cache = new Cache<number, { n: number }>({ shardCount: 4, maxCacheSize: 100, scheduler: virtualClock() });
    const tallies: Tally[] = [];
    cache.events$.subscribe((event) => count(tallies, event));
    for (let i = 0; i < 40; i++) cache.set(i, { n: i });
    for (let i = 0; i < 40; i += 2) cache.update(i, (draft) => void (draft.n += 1));
    for (let i = 0; i < 60; i += 3) cache.get(i);
    const metrics = cache.metrics();
    expect(metrics.sets).toBe(60);
    expect(metrics.hits + metrics.misses).toBe(20);
    expect(countsOf(metrics)).toEqual(padded(tallies, 4));
    expect(metrics.shards.filter((shard) => shard.size > 0).length).toBeGreaterThan(1);
  });

  it('metrics() expires what is due first: size counts live entries only, whatever was read before', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 500, shardCount: 2, scheduler: lateTimers(scheduler, 1_000) });
    cache.set('a', 1).set('b', 2);
    advance(scheduler, 500);
    expect(cache.metrics()).toMatchObject({ size: 0, expirations: 2 });
  });

  it('times only the gets and sets that happened: not a refused ttl, not a call after dispose', () => {
    const cache = new Cache<string, number>({ latencySampleEvery: 1, scheduler: virtualClock() });
    cache.set('a', 1);
    cache.get('a');
    for (let i = 0; i < 3; i++) expect(() => cache.set('a', 2, { ttl: -1 })).toThrow(RangeError);
    cache.dispose();
    for (let i = 0; i < 3; i++) {
      expect(() => cache.get('a')).toThrow(CacheDisposedError);
      expect(() => cache.set('a', 3)).toThrow(CacheDisposedError);
    }
    const { latency, sets } = cache.metrics();
    expect({ gets: latency.get.count, sets: latency.set.count, counted: sets }).toEqual({ gets: 1, sets: 1, counted: 1 });
  });

  it('never records a negative lifespan, even for a log whose times run backwards', () => {
    const cache = new Cache<string, number>({ scheduler: virtualClock() });
    cache.execute({ type: 'set', key: 'a', value: 1, at: 1_000 });
    cache.execute({ type: 'delete', key: 'a', at: 10 });
    expect(cache.metrics().lifespan).toMatchObject({ count: 1, min: 0, max: 0 });
  });
});
