import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { CacheOptions } from 'macho';
import {
  Cache,
  CountingBloomFilter,
  CuckooFilter,
  DEFAULT_OPTIONS,
  FILTER_KINDS,
  MIN_CUCKOO_PROBABILITY,
  RebuildingBloomFilter,
  SHARD_FILTER_KINDS,
  XorFilter,
  bloomParameters,
  createShardFilter,
  filterFromKeys,
  xorFingerprintBits,
} from 'macho';
import { cacheCommands, runCacheCommands } from 'macho/testing';
import { randomKeys } from '../support/randomKeys.js';

const scheduler = (): VirtualTimeScheduler => new VirtualTimeScheduler();

describe('option "filter"', () => {
  it('defaults to "bloom", and bloom/probability alone behave exactly as before', () => {
    expect(DEFAULT_OPTIONS.filter).toBe('bloom');
    const cache = new Cache({ bloom: true, probability: 0.05, scheduler: scheduler() });
    expect(cache.options).toMatchObject({ bloom: true, probability: 0.05, filter: 'bloom', loaderGuard: undefined });
    cache.dispose();
  });

  it.each([
    [{ filter: 'cuckoo' }, RangeError, /^macho: option "filter" must be given with bloom \(true, or false to keep it switched off\).*; got "cuckoo"/],
    [{ filter: 'bloom' }, RangeError, /^macho: option "filter" must be given with bloom /],
    [{ bloom: true, filter: 'xor' }, RangeError, /^macho: option "filter" must be "bloom" or "cuckoo" \(an XOR filter is static: .*loaderGuard/],
    [{ bloom: true, filter: 'lru' }, RangeError, /^macho: option "filter" must be "bloom" or "cuckoo"; got "lru"/],
    [{ bloom: true, filter: 1 }, TypeError, /^macho: option "filter" must be "bloom" or "cuckoo"; got 1/],
    [{ bloom: true, filter: null }, TypeError, /^macho: option "filter"/],
    // Cuckoo fingerprints stop at 16 bits; a smaller rate is refused, naming probability.
    [{ bloom: true, filter: 'cuckoo', probability: 1e-5 }, RangeError, /^macho: option "probability" must be at least 0\.0001220703125 with filter "cuckoo"/],
  ])('rejects %o with a named error', (options, type, message) => {
    const make = (): Cache => new Cache({ scheduler: scheduler(), ...(options as CacheOptions) });
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });

  it('accepts bloom: true with filter "cuckoo" down to the smallest cuckoo probability', () => {
    for (const probability of [0.5, 0.01, MIN_CUCKOO_PROBABILITY]) {
      const cache = new Cache({ bloom: true, filter: 'cuckoo', probability, scheduler: scheduler() });
      expect(cache.options.filter).toBe('cuckoo');
      cache.dispose();
    }
    // The bloom filter still takes any probability in (0, 1).
    new Cache({ bloom: true, probability: 1e-9, scheduler: scheduler() }).dispose();
  });

  it.each([
    { maxCacheSize: 3, ttl: 0, strategy: 'fifo' as const },
    { maxCacheSize: 4, shardCount: 2, ttl: 100, strategy: 'random' as const },
    { maxCacheSize: 6, shardCount: 3, ttl: 30, strategy: 'lru' as const },
  ])('a cache with cuckoo pre-checks agrees with the model for %o', (config) => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 0, -0, Number.NaN];
    fc.assert(
      fc.property(fc.commands(cacheCommands(keys, fc.nat(4), { maxAdvance: 40 }), { maxCommands: 60 }), (commands) => {
        runCacheCommands(commands, { ...config, bloom: true, filter: 'cuckoo', probability: 0.5 });
      }),
      { numRuns: 100 },
    );
  });

  it('finds every live entry through the cuckoo pre-check under heavy eviction (50k sets into 5k slots)', () => {
    const cache = new Cache<string, number>({
      maxCacheSize: 5_000,
      shardCount: 4,
      ttl: 0,
      bloom: true,
      filter: 'cuckoo',
      scheduler: scheduler(),
      latencySampleEvery: 0,
    });
    const keys = randomKeys('k', 50_000, 21);
    for (let i = 0; i < keys.length; i++) cache.set(keys[i]!, i);
    // peek reads the index directly, past the filter: get must agree with it on every key.
    let live = 0;
    const disagreements: string[] = [];
    for (const key of keys) {
      const expected = cache.peek(key);
      if (expected !== undefined) live++;
      if (cache.get(key) !== expected) disagreements.push(key);
    }
    expect(disagreements).toEqual([]);
    expect(live).toBe(5_000);
    expect(cache.metrics()).toMatchObject({ hits: 5_000, misses: 45_000, evictions: 45_000, size: 5_000 });
    cache.dispose();
  });
});

describe('filter factories', () => {
  it('list the kinds: shards get only those that can forget keys', () => {
    expect(FILTER_KINDS).toEqual(['bloom', 'cuckoo', 'xor']);
    expect(SHARD_FILTER_KINDS).toEqual(['bloom', 'cuckoo']);
  });

  it('createShardFilter builds the counting bloom filter or a growing cuckoo filter; never xor', () => {
    const live = new Set<string>();
    expect(createShardFilter('bloom', 10, 0.01, () => live)).toBeInstanceOf(CountingBloomFilter);
    const cuckoo = createShardFilter<string>('cuckoo', 1, 0.01, () => live);
    expect(cuckoo).toBeInstanceOf(CuckooFilter);
    for (let i = 0; i < 100; i++) {
      live.add(`k${i}`);
      cuckoo.add(`k${i}`); // grows from liveKeys: no FilterCapacityError
    }
    for (const key of live) expect(cuckoo.mightContain(key)).toBe(true);
    expect(() => createShardFilter('xor' as 'bloom', 10, 0.01, () => live)).toThrow(/static and cannot forget evicted keys/);
  });

  it('filterFromKeys builds each kind holding the keys, duplicates once', () => {
    const keys = ['a', 'b', 'b', 'c'];
    for (const kind of FILTER_KINDS) {
      const filter = filterFromKeys(kind, keys);
      for (const key of keys) expect(filter.mightContain(key)).toBe(true);
    }
    expect((filterFromKeys('cuckoo', keys) as CuckooFilter<string>).size).toBe(3);
    expect((filterFromKeys('xor', keys) as XorFilter<string>).size).toBe(3);
    expect(() => filterFromKeys('cuckoo', 'abc' as unknown as string[])).toThrow(/keys must be an iterable/);
    expect(() => filterFromKeys('nope' as 'xor', keys)).toThrow(/kind must be "bloom", "cuckoo" or "xor"/);
  });

  it('builders refuse a null or misspelt option, naming it, instead of taking a default', () => {
    const keys = ['a', 'b'];
    for (const kind of FILTER_KINDS) {
      expect(() => filterFromKeys(kind, keys, { probability: null as never })).toThrow(TypeError);
      expect(() => filterFromKeys(kind, keys, { probability: null as never })).toThrow(/probability must be a number; got null/);
      expect(() => filterFromKeys(kind, keys, { capacty: 10 } as never)).toThrow(/unknown option "capacty"/);
    }
    expect(() => XorFilter.build(keys, { fingerprintBits: null as never })).toThrow(/fingerprintBits must be 8 or 16; got null/);
    expect(() => XorFilter.build(keys, { seed: null as never })).toThrow(/seed must be a number; got null/);
    expect(() => XorFilter.build(keys, { fingerprintbits: 16 } as never)).toThrow(/unknown option "fingerprintbits"/);
    // A misspelt liveKeys would turn a growing filter into one that throws when full.
    expect(() => new CuckooFilter(4, 0.01, { livekeys: () => keys } as never)).toThrow(/unknown option "livekeys"/);
    expect(() => xorFingerprintBits('0.01' as never)).toThrow(TypeError);
  });

  it('xorFingerprintBits: 8 bits while 1/256 is enough, else 16', () => {
    expect(xorFingerprintBits(0.5)).toBe(8);
    expect(xorFingerprintBits(1 / 256)).toBe(8);
    expect(xorFingerprintBits(0.0039)).toBe(16);
    expect(xorFingerprintBits(2 ** -16)).toBe(16);
    expect(() => xorFingerprintBits(1e-6)).toThrow(RangeError);
  });
});

describe('measured false-positive rate and bits per key against theory (n = 10,000, 100,000 strangers)', () => {
  const n = 10_000;
  const members = randomKeys('member', n, 31);
  const strangers = randomKeys('stranger', 100_000, 32);
  const rate = (filter: { mightContain(key: string): boolean }): number => {
    let hits = 0;
    for (const key of strangers) if (filter.mightContain(key)) hits++;
    return hits / strangers.length;
  };

  // Each row: the filter, its theoretical FP rate and bits per key, and the measured ones.
  // Tolerances are about ±3 σ of the sampling noise (wider where few hits are expected).
  it('bloom, counting bloom and cuckoo at p = 0.01; xor8 and xor16', () => {
    const p = 0.01;
    const counting = new CountingBloomFilter<string>(n, p);
    const rebuilding = new RebuildingBloomFilter<string>(n, p, () => members);
    const cuckoo = new CuckooFilter<string>(n, p);
    for (const key of members) {
      counting.add(key);
      rebuilding.add(key);
      cuckoo.add(key);
    }
    const xor8 = XorFilter.build(members, { fingerprintBits: 8 });
    const xor16 = XorFilter.build(members, { fingerprintBits: 16 });

    // Bloom: FP p at 1.44·log2(1/p) bits per key (ideal); the counting filter spends a
    // byte per counter, 8× that; the rebuilding one 9/8× (room for stale keys).
    const idealBloomBits = 1.44 * Math.log2(1 / p);
    expect(bloomParameters(n, p).bits / n).toBeCloseTo(idealBloomBits, 1);
    expect((8 * counting.byteLength) / n).toBeCloseTo(8 * (bloomParameters(n, p).bits / n), 1);
    expect((8 * rebuilding.byteLength) / n).toBeLessThan(1.14 * idealBloomBits);
    expect(rate(counting)).toBeGreaterThan(0.7 * p);
    expect(rate(counting)).toBeLessThan(1.3 * p);

    // Cuckoo: FP ≈ 2b·α / 2^f at f / α bits per key.
    const f = cuckoo.fingerprintBits;
    const cuckooTheory = (8 * cuckoo.loadFactor) / (2 ** f - 1);
    expect(rate(cuckoo)).toBeGreaterThan(0.75 * cuckooTheory);
    expect(rate(cuckoo)).toBeLessThan(1.25 * cuckooTheory);
    expect((8 * cuckoo.byteLength) / n).toBeCloseTo(f / 0.95, 0);

    // XOR: FP 1/2^f at 1.23·f bits per key.
    expect(rate(xor8)).toBeGreaterThan(0.8 / 256);
    expect(rate(xor8)).toBeLessThan(1.2 / 256);
    expect(rate(xor16)).toBeLessThan(12 / 65_536); // ≈ 1.5 hits expected in 100,000
    for (const [filter, f] of [[xor8, 8], [xor16, 16]] as const) {
      expect((8 * filter.byteLength) / n).toBeGreaterThanOrEqual(1.23 * f);
      expect((8 * filter.byteLength) / n).toBeLessThanOrEqual(1.23 * f + (33 * f) / n); // + 32 cells
    }

    // The ordering the theory predicts, per bit spent: xor < cuckoo < counting bloom.
    expect(xor8.byteLength).toBeLessThan(cuckoo.byteLength);
    expect(cuckoo.byteLength).toBeLessThan(counting.byteLength / 5);
  });
});
