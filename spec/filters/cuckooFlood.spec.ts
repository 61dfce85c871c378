/**
 * Keys that share both cuckoo-filter hashes, against the filter alone and against a
 * cache with cuckoo pre-checks. Unique symbols of one description hash alike under
 * every seed (and a determined attacker can craft strings that collide in both FNV-1a
 * hashes); such keys have the same fingerprint and the same two buckets at every table
 * size. A filter with `liveKeys` (a shard's) must take them all without throwing and
 * without growing, and must still never answer "absent" for a member. Strings crafted
 * against one hash only (cheap to make) must spread like any others.
 */
import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import type { Command, PolicyFactory } from 'macho';
import { Cache, hashKey, PolicyContractError } from 'macho';
import { checkInvariants, createVirtualCache, recordEvents } from 'macho/testing';
import { CUCKOO_BUCKET_SIZE, CUCKOO_STASH_SIZE, CuckooFilter, FilterCapacityError } from '../../src/filters/cuckooFilter.js';
import type * as Filters from '../../src/filters/index.js';
import type { MembershipFilter } from '../../src/filters/membershipFilter.js';
import { CUCKOO_KEY_SEED, collidingKeys } from '../support/collidingKeys.js';
import { mulberry32, randomKeys } from '../support/randomKeys.js';

// Every shard filter the cache under test builds, so that the tests can read its size
// (the cache exposes none), and a switch that makes their `add` throw.
interface Captured {
  readonly filter: CuckooFilter<unknown>;
  readonly capacity: number;
  readonly initialBuckets: number;
  readonly initialBytes: number;
}
const shardFilters = vi.hoisted(() => ({ captured: [] as Captured[] }));

vi.mock('../../src/filters/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof Filters>();
  const createShardFilter: typeof original.createShardFilter = (kind, capacity, probability, liveKeys) => {
    const filter = original.createShardFilter(kind, capacity, probability, liveKeys);
    if (!(filter instanceof original.CuckooFilter)) return filter;
    shardFilters.captured.push({ filter, capacity, initialBuckets: filter.buckets, initialBytes: filter.byteLength });
    const wrapper: MembershipFilter<unknown> = {
      add: (key) => filter.add(key),
      remove: (key) => filter.remove(key),
      mightContain: (key) => filter.mightContain(key),
      clear: () => filter.clear(),
    };
    return wrapper;
  };
  return { ...original, createShardFilter };
});

/** Two buckets of 4 and the stash: how many keys of one hash a table can place. */
const PLACEABLE = 2 * CUCKOO_BUCKET_SIZE + CUCKOO_STASH_SIZE;

type Key = string | symbol;
const flood: readonly symbol[] = Array.from({ length: 1024 }, () => Symbol('flood'));

describe('keys with both cuckoo filter hashes equal', () => {
  it('are distinct and collide in the filter; a standalone filter still refuses the 17th, unchanged', () => {
    expect(new Set(flood).size).toBe(1024);
    expect(new Set(flood.map((key) => hashKey(key, CUCKOO_KEY_SEED))).size).toBe(1);
    expect(new Set(flood.map((key) => hashKey(key, 0x1f83d9ab))).size).toBe(1); // the fingerprint's
    // A standalone filter (no liveKeys) keeps its documented behaviour: however empty
    // the table, the 17th key of one hash does not fit, and add throws, changing nothing.
    const filter = new CuckooFilter<symbol>(10_000, 0.01);
    for (let i = 0; i < PLACEABLE; i++) filter.add(flood[i]!);
    expect(() => filter.add(flood[PLACEABLE]!)).toThrow(FilterCapacityError);
    expect(filter.tryAdd(flood[PLACEABLE]!)).toBe(false);
    expect(filter.size).toBe(PLACEABLE);
    expect(filter.overflowed).toBe(0);
    expect(filter.loadFactor).toBeLessThan(0.01);
  });
});

describe('keys crafted to share the bucket hash only', () => {
  it('spread over the table like any others: no stash, no overflow, no false negative', () => {
    // Their second buckets follow their fingerprints (1,023 values at p = 0.01), so
    // many more than the 16 that two shared buckets and the stash hold fit.
    const crafted = collidingKeys('flood:', 7); // 128 strings of one bucket hash
    expect(new Set(crafted.map((key) => hashKey(key, CUCKOO_KEY_SEED))).size).toBe(1);
    const filter = new CuckooFilter<string>(2_000, 0.01);
    for (const key of crafted) filter.add(key); // one hash for both would throw at the 17th
    expect(filter.size).toBe(128);
    expect(filter.stashed).toBe(0);
    expect(crafted.filter((key) => !filter.mightContain(key))).toEqual([]);
    const live = new Set<string>();
    const shardLike = new CuckooFilter<string>(1_000, 0.01, { liveKeys: () => live });
    for (const key of crafted.slice(0, 100)) {
      live.add(key);
      shardLike.add(key);
    }
    expect(shardLike.overflowed).toBe(0);
    expect(shardLike.growths).toBe(0);
  });
});

describe('CuckooFilter with liveKeys under a flood of one hash', () => {
  it('never throws nor grows: the keys it cannot place are kept exactly, and leave with remove and clear', () => {
    const live = new Set<symbol>();
    const filter = new CuckooFilter<symbol>(1_000, 0.01, { liveKeys: () => live });
    const { buckets, byteLength } = filter;
    const keys = flood.slice(0, 300);
    for (const key of keys) {
      filter.add(key); // as a shard does: the filter first, then its index
      live.add(key);
    }
    expect(filter.growths).toBe(0);
    expect(filter.buckets).toBe(buckets);
    expect(filter.byteLength).toBe(byteLength);
    expect(filter.size).toBe(300);
    expect(filter.overflowed).toBe(300 - PLACEABLE);
    expect(keys.filter((key) => !filter.mightContain(key))).toEqual([]);

    // Removed in a shuffled order, the rest stay members at every step.
    const random = mulberry32(3);
    const order = [...keys].sort(() => random() - 0.5);
    for (let i = 0; i < 200; i++) {
      expect(filter.remove(order[i]!)).toBe(true);
      live.delete(order[i]!);
      for (let j = i + 1; j < order.length; j += 7) expect(filter.mightContain(order[j]!)).toBe(true);
    }
    expect(order.slice(200).filter((key) => !filter.mightContain(key))).toEqual([]);
    expect(filter.size).toBe(100);
    expect(filter.overflowed).toBeLessThanOrEqual(100);
    for (const key of order.slice(200)) expect(filter.remove(key)).toBe(true);
    expect(filter.size).toBe(0);
    expect(filter.overflowed).toBe(0);
    expect(keys.some((key) => filter.mightContain(key))).toBe(false);

    for (const key of keys) filter.add(key);
    expect(filter.overflowed).toBe(300 - PLACEABLE);
    filter.clear();
    expect(filter.size).toBe(0);
    expect(filter.overflowed).toBe(0);
    expect(keys.some((key) => filter.mightContain(key))).toBe(false);
  });

  it('keeps multiset counts in the overflow: a key added twice stays until removed twice', () => {
    const live = new Set<symbol>(); // never read: the table is far from crowded
    const filter = new CuckooFilter<symbol>(100, 0.01, { liveKeys: () => live });
    for (let i = 0; i < PLACEABLE; i++) filter.add(flood[i]!);
    const extra = flood[PLACEABLE]!;
    filter.add(extra);
    filter.add(extra);
    expect(filter.overflowed).toBe(2);
    expect(filter.remove(extra)).toBe(true);
    expect(filter.remove(extra)).toBe(true);
    expect(filter.overflowed).toBe(0);
    expect(filter.size).toBe(PLACEABLE);
  });

  it('still grows, once, when the table is honestly crowded, and not again for the flood', () => {
    const capacity = 1_000;
    const live = new Set<Key>();
    const filter = new CuckooFilter<Key>(capacity, 0.01, { liveKeys: () => live });
    const initial = filter.buckets;
    const keys = [...randomKeys('crowd', capacity, 5), ...flood.slice(0, 600)];
    const order: Key[] = [];
    for (const key of keys) {
      filter.add(key);
      if (live.size >= capacity) {
        const oldest = order.shift()!; // a FIFO shard: evict the oldest
        live.delete(oldest);
        expect(filter.remove(oldest)).toBe(true);
      }
      live.add(key);
      order.push(key);
    }
    expect(filter.growths).toBeLessThanOrEqual(1);
    expect(filter.buckets).toBeLessThanOrEqual(2 * initial);
    expect(filter.size).toBe(capacity);
    expect([...live].filter((key) => !filter.mightContain(key))).toEqual([]);
  });

  it('never throws, never forgets a member and stays within O(live keys), under any mix of flood and ordinary keys', () => {
    const floodKeys = flood.slice(0, 48);
    const plainKeys = randomKeys('plain', 48, 6);
    const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...floodKeys) }, { weight: 2, arbitrary: fc.constantFrom(...plainKeys) });
    const op = fc.oneof(
      { weight: 12, arbitrary: fc.record({ type: fc.constant('add' as const), key }) },
      { weight: 6, arbitrary: fc.record({ type: fc.constant('remove' as const), key }) },
      { weight: 1, arbitrary: fc.constant({ type: 'clear' as const, key: '' as Key }) },
    );
    let overflowSeen = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(0.5, 0.01, 2 ** -13),
        fc.integer(),
        fc.array(op, { maxLength: 300, size: 'max' }),
        (capacity, probability, seed, ops) => {
          // The owner (a shard) holds at most `capacity` keys, evicting before it inserts.
          const live = new Set<Key>();
          const filter = new CuckooFilter<Key>(capacity, probability, { seed, liveKeys: () => live });
          const initialBuckets = filter.buckets;
          for (const { type, key } of ops) {
            if (type === 'add' && !live.has(key)) {
              filter.add(key);
              if (live.size >= capacity) {
                const victim = live.values().next().value!;
                live.delete(victim);
                expect(filter.remove(victim)).toBe(true);
              }
              live.add(key);
            } else if (type === 'remove' && live.has(key)) {
              live.delete(key);
              expect(filter.remove(key)).toBe(true);
            } else if (type === 'clear') {
              live.clear();
              filter.clear();
            }
            expect(filter.size).toBe(live.size);
            for (const member of live) expect(filter.mightContain(member)).toBe(true);
            // Growth needs a half-full table, and `capacity` keys fill less than half of
            // a doubled one: at most one doubling, whatever the keys.
            expect(filter.buckets).toBeLessThanOrEqual(2 * initialBuckets);
            expect(filter.overflowed).toBeLessThanOrEqual(live.size);
            overflowSeen = Math.max(overflowSeen, filter.overflowed);
          }
        },
      ),
      { numRuns: 120 },
    );
    expect(overflowSeen).toBeGreaterThan(0);
  });
});

// --- the cache -----------------------------------------------------------------------

type Op =
  | { readonly type: 'set'; readonly key: Key; readonly value: number; readonly ttl?: number }
  | { readonly type: 'get' | 'has' | 'delete'; readonly key: Key }
  | { readonly type: 'advance'; readonly ms: number }
  | { readonly type: 'clear' };

function capture(): Captured[] {
  shardFilters.captured = [];
  return shardFilters.captured;
}

describe('a cache with cuckoo pre-checks under a flood of one filter hash', () => {
  it.each([
    { maxCacheSize: 40, shardCount: 1, strategy: 'lru' as const, ttl: 0 },
    { maxCacheSize: 30, shardCount: 1, strategy: 'random' as const, ttl: 150 },
    { maxCacheSize: 48, shardCount: 2, strategy: 'fifo' as const, ttl: 0 },
    { maxCacheSize: 72, shardCount: 3, strategy: 'lfu' as const, ttl: 300 }, // the flood's shard: 24 slots
  ])('agrees with a Map model, its events and its metrics, and replays; filters stay small (%o)', (config) => {
    const floodKeys = flood.slice(0, 96);
    const plainKeys = randomKeys('plain', 24, 8);
    const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...floodKeys) }, { weight: 1, arbitrary: fc.constantFrom(...plainKeys) });
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 50, arbitrary: fc.record({ type: fc.constant('set' as const), key, value: fc.nat(999) }) },
      { weight: 6, arbitrary: fc.record({ type: fc.constant('set' as const), key, value: fc.nat(999), ttl: fc.integer({ min: 0, max: 400 }) }) },
      { weight: 25, arbitrary: fc.record({ type: fc.constantFrom('get' as const, 'has' as const), key }) },
      { weight: 10, arbitrary: fc.record({ type: fc.constant('delete' as const), key }) },
      { weight: 5, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.nat(200) }) },
      { weight: 1, arbitrary: fc.constant({ type: 'clear' as const }) },
    );
    let overflowSeen = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 400, size: 'max' }), (ops) => {
        const filters = capture();
        const options = { ...config, bloom: true, filter: 'cuckoo' as const, seed: 7, latencySampleEvery: 0 };
        const real = createVirtualCache<Key, number>(options);
        const { cache } = real;
        const model = new Map<Key, number>();
        const log: Command<Key, number>[] = [];
        cache.commands$.subscribe((command) => log.push(command));
        // The model learns the removals the cache chooses (evictions, expiries) from its
        // events; everything else it works out itself.
        cache.events$.subscribe((event) => {
          if (event.type === 'evict' || event.type === 'expire') model.delete(event.key);
        });
        const recorder = recordEvents(cache);
        let sets = 0;
        try {
          for (const o of ops) {
            switch (o.type) {
              case 'set':
                cache.set(o.key, o.value, o.ttl === undefined ? undefined : { ttl: o.ttl }); // must not throw
                model.set(o.key, o.value);
                sets++;
                break;
              case 'get': // compared after the call: its catch-up may expire entries
                expect(cache.get(o.key)).toBe(model.get(o.key));
                break;
              case 'has':
                expect(cache.has(o.key)).toBe(model.has(o.key));
                break;
              case 'delete':
                expect(cache.delete(o.key)).toBe(model.has(o.key));
                model.delete(o.key);
                break;
              case 'advance':
                real.advance(o.ms);
                break;
              case 'clear':
                cache.clear();
                model.clear();
                break;
            }
            expect(cache.size).toBe(model.size);
            expect(cache.size).toBeLessThanOrEqual(config.maxCacheSize);
            // Each shard filter holds exactly its shard's live keys, and no more memory
            // than its capacity justifies.
            const shards = cache.metrics().shards;
            expect(filters.map(({ filter }) => filter.size)).toEqual(shards.map((shard) => shard.size));
            for (const { filter, capacity, initialBuckets } of filters) {
              expect(filter.buckets).toBeLessThanOrEqual(2 * initialBuckets);
              expect(filter.overflowed).toBeLessThanOrEqual(capacity);
              overflowSeen = Math.max(overflowSeen, filter.overflowed);
            }
          }
          // Every key, through the pre-check: no false negatives, no stale answers.
          for (const k of [...floodKeys, ...plainKeys]) expect(cache.get(k)).toBe(model.get(k));
          expect(recorder.counts().set).toBe(sets);
          expect(checkInvariants(cache, { recorder }).violations).toEqual([]);
          const replayed = Cache.replay(log, { ...options, scheduler: new VirtualTimeScheduler() });
          expect(replayed.snapshot().entries).toEqual(cache.snapshot().entries);
          replayed.dispose();
        } finally {
          recorder.stop();
          real.dispose();
        }
      }),
      { numRuns: 40 },
    );
    // The runs did reach the exact overflow (more than 16 flooded keys in one shard).
    expect(overflowSeen).toBeGreaterThan(0);
  });

  it('takes 1,024 keys of one hash through a 100-entry cache: no throw, no growth, all answers right', () => {
    const filters = capture();
    const scheduler = new VirtualTimeScheduler();
    const options = { maxCacheSize: 100, bloom: true, filter: 'cuckoo' as const, scheduler, latencySampleEvery: 0 };
    const cache = new Cache<symbol, number>(options);
    const log: Command<symbol, number>[] = [];
    cache.commands$.subscribe((command) => log.push(command));
    const evicted: symbol[] = [];
    cache.on('evict').subscribe(({ key }) => evicted.push(key));
    flood.forEach((key, i) => cache.set(key, i));

    expect(filters).toHaveLength(1);
    const [{ filter, initialBuckets, initialBytes }] = filters as [Captured];
    // Memory: the table never grew; the overflow holds live keys only.
    expect(filter.growths).toBe(0);
    expect(filter.buckets).toBe(initialBuckets);
    expect(filter.byteLength).toBe(initialBytes);
    expect(filter.size).toBe(100);
    // The shard adds before it evicts, so a victim may leave a slot a newcomer then fills.
    expect(filter.overflowed).toBeGreaterThanOrEqual(100 - PLACEABLE);
    expect(filter.overflowed).toBeLessThanOrEqual(100 - PLACEABLE + 1);

    // LRU: the last 100 are cached, every other one was evicted, with its event.
    expect(cache.size).toBe(100);
    expect(evicted).toEqual(flood.slice(0, 924));
    const hits = flood.filter((key, i) => cache.get(key) === i);
    expect(hits).toEqual(flood.slice(924));
    expect(cache.metrics()).toMatchObject({ sets: 1024, evictions: 924, hits: 100, misses: 924, size: 100 });
    expect(Cache.replay(log, { ...options, scheduler: new VirtualTimeScheduler() }).snapshot().entries).toEqual(
      cache.snapshot().entries,
    );

    // Deleting the flooded keys empties the overflow; the rest stay visible to get.
    for (const key of flood.slice(924, 1000)) expect(cache.delete(key)).toBe(true);
    expect(filter.size).toBe(24);
    expect(filter.overflowed).toBeLessThanOrEqual(24);
    expect(flood.slice(1000).filter((key) => cache.get(key) === undefined)).toEqual([]);
    cache.clear();
    expect(filter.size).toBe(0);
    expect(filter.overflowed).toBe(0);
    expect(flood.some((key) => cache.get(key) !== undefined)).toBe(false);
    cache.dispose();
  });

  it('forgets a new key again when its eviction is refused (a custom policy naming an empty slot)', () => {
    const captured = capture();
    const refusing: PolicyFactory = () => ({
      name: 'refusing',
      onInsert: () => {},
      onAccess: () => {},
      onUpdate: () => {},
      onRemove: () => {},
      onClear: () => {},
      victim: () => -1,
    });
    const cache = new Cache<string, number>({ maxCacheSize: 2, bloom: true, filter: 'cuckoo', strategy: refusing, ttl: 0 });
    cache.set('a', 1).set('b', 2);
    expect(() => cache.set('c', 3)).toThrow(PolicyContractError);
    expect(captured[0]!.filter.size).toBe(2); // 'a' and 'b': no trace of 'c'
    cache.delete('a');
    cache.set('c', 3);
    expect(captured[0]!.filter.size).toBe(2);
    cache.dispose();
  });
});
