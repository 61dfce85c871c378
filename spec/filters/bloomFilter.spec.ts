import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CountingBloomFilter,
  RebuildingBloomFilter,
  createBloomFilter,
} from '../../src/filters/bloomFilter.js';
import { bloomParameters, primeAtLeast } from '../../src/filters/bloomMath.js';
import type { MembershipFilter } from '../../src/filters/membershipFilter.js';
import { randomKeys } from '../support/randomKeys.js';

type Make = <K>(capacity: number, probability: number, liveKeys: () => Iterable<K>) => MembershipFilter<K>;

const designs: ReadonlyArray<{ name: string; make: Make }> = [
  { name: 'CountingBloomFilter', make: (capacity, probability) => new CountingBloomFilter(capacity, probability) },
  {
    name: 'RebuildingBloomFilter',
    make: (capacity, probability, liveKeys) => new RebuildingBloomFilter(capacity, probability, liveKeys),
  },
  { name: 'createBloomFilter', make: createBloomFilter },
];

function falsePositiveRate(filter: MembershipFilter<string>, strangers: readonly string[]): number {
  let hits = 0;
  for (const key of strangers) if (filter.mightContain(key)) hits++;
  return hits / strangers.length;
}

/** Loose enough for sampling noise, tight enough to catch a mis-sized or stale filter. */
function expectNear(rate: number, p: number): void {
  expect(rate).toBeLessThanOrEqual(1.5 * p + 0.002);
  expect(rate).toBeGreaterThanOrEqual(0.4 * p);
}

const N = 10_000;
const PROBABILITIES = [0.01, 0.05, 0.1] as const;
const strangers = randomKeys('stranger', 100_000, 2);

describe('bloomParameters', () => {
  it('matches the textbook formulas on known values', () => {
    expect(bloomParameters(1000, 0.01)).toEqual({ bits: 9586, hashes: 7 });
    expect(bloomParameters(100, 0.001)).toEqual({ bits: 1438, hashes: 10 });
    expect(bloomParameters(10_000, 0.05)).toEqual({ bits: 62_353, hashes: 4 });
    expect(bloomParameters(10_000, 0.1)).toEqual({ bits: 47_926, hashes: 3 });
    expect(bloomParameters(1, 0.5)).toEqual({ bits: 2, hashes: 1 });
  });

  it('sizes filters to a prime slot count, never past the 2^31 − 1 slots a filter may have', () => {
    expect([2, 10, 9586, 958_506].map(primeAtLeast)).toEqual([2, 11, 9587, 958_519]);
    expect(primeAtLeast(2 ** 31)).toBe(2 ** 31 - 1); // itself prime
  });

  it('never uses zero hash functions, even where the formula rounds to 0', () => {
    expect(bloomParameters(1000, 0.9)).toEqual({ bits: 220, hashes: 1 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, minExcluded: true, maxExcluded: true, noNaN: true }),
        (capacity, probability) => {
          const { bits, hashes } = bloomParameters(capacity, probability);
          expect(Number.isInteger(hashes) && hashes >= 1).toBe(true);
          expect(Number.isInteger(bits) && bits >= 1).toBe(true);
        },
      ),
    );
  });

  it.each([
    ['capacity', () => bloomParameters('10' as unknown as number, 0.1), TypeError],
    ['capacity', () => bloomParameters(0, 0.1), RangeError],
    ['capacity', () => bloomParameters(-5, 0.1), RangeError],
    ['capacity', () => bloomParameters(2.5, 0.1), RangeError],
    ['capacity', () => bloomParameters(Number.NaN, 0.1), RangeError],
    ['capacity', () => bloomParameters(Number.POSITIVE_INFINITY, 0.1), RangeError],
    ['capacity', () => bloomParameters(2 ** 40, 0.1), RangeError],
    ['probability', () => bloomParameters(10, null as unknown as number), TypeError],
    ['probability', () => bloomParameters(10, 0), RangeError],
    ['probability', () => bloomParameters(10, 1), RangeError],
    ['probability', () => bloomParameters(10, -0.1), RangeError],
    ['probability', () => bloomParameters(10, Number.NaN), RangeError],
  ])('rejects a bad %s with a named error', (name, call, type) => {
    expect(call).toThrow(type);
    expect(call).toThrow(new RegExp(`^macho/bloom: .*${name}`));
  });
});

describe.each(designs)('$name', ({ name, make }) => {
  it('rejects bad arguments, naming them', () => {
    expect(() => make(0, 0.1, () => [])).toThrow(/^macho\/bloom: capacity/);
    expect(() => make(10, 1, () => [])).toThrow(/^macho\/bloom: probability/);
    if (name !== 'CountingBloomFilter') {
      const notAFunction = [] as unknown as () => Iterable<unknown>;
      expect(() => make(10, 0.1, notAFunction)).toThrow(TypeError);
      expect(() => make(10, 0.1, notAFunction)).toThrow(/^macho\/bloom: liveKeys/);
    }
  });

  it('never forgets a member: no false negatives under any add/remove/clear sequence', () => {
    // Keys that are equal under SameValueZero (0/-0, NaN/NaN) but written differently,
    // objects compared by identity, and small strings and numbers that collide often.
    const fixed: unknown[] = [0, -0, Number.NaN, 1.5, 2 ** 40, {}, {}, [], () => 0, Symbol.for('s'), null];
    const key = fc.oneof(
      fc.constantFrom(...fixed),
      fc.string({ maxLength: 2 }),
      fc.integer({ min: -20, max: 20 }),
    );
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ type: fc.constant('set' as const), key }) },
      { weight: 4, arbitrary: fc.record({ type: fc.constant('delete' as const), key }) },
      { weight: 1, arbitrary: fc.constant({ type: 'clear' as const, key: undefined }) },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.constantFrom(0.5, 0.1, 0.01, 0.0001),
        fc.array(op, { maxLength: 80 }),
        (capacity, probability, ops) => {
          const members = new Set<unknown>();
          const filter = make<unknown>(capacity, probability, () => members);
          for (const { type, key } of ops) {
            // As a cache drives it: add on joining, remove on leaving, both once.
            if (type === 'set' && !members.has(key)) {
              members.add(key);
              filter.add(key);
            } else if (type === 'delete' && members.has(key)) {
              members.delete(key);
              filter.remove(key);
            } else if (type === 'clear') {
              members.clear();
              filter.clear();
            }
            for (const member of members) expect(filter.mightContain(member)).toBe(true);
          }
        },
      ),
    );
  });

  it('keeps its members when heavily overloaded (counters saturate, bits fill up)', () => {
    const members = new Set(randomKeys('member', 1000, 3));
    const filter = make<string>(1, 0.5, () => members);
    for (const key of members) filter.add(key);
    const survivors = [...members].slice(0, 10);
    for (const key of [...members].slice(10)) {
      members.delete(key);
      filter.remove(key);
    }
    for (const key of survivors) expect(filter.mightContain(key)).toBe(true);
  });

  it('is empty after clear, and usable again', () => {
    const members = new Set(randomKeys('member', 100, 4));
    const filter = make<string>(100, 0.01, () => members);
    for (const key of members) filter.add(key);
    filter.clear();
    for (const key of members) expect(filter.mightContain(key)).toBe(false);
    for (const key of members) filter.add(key);
    for (const key of members) expect(filter.mightContain(key)).toBe(true);
  });

  it('forgets removed keys: after a full turnover the false-positive rate is still ≈ p', () => {
    const p = 0.01;
    const members = new Set<string>();
    const filter = make<string>(N, p, () => members);
    const first = randomKeys('first', N, 5);
    for (const key of first) {
      members.add(key);
      filter.add(key);
    }
    for (const key of first) {
      members.delete(key);
      filter.remove(key);
    }
    for (const key of randomKeys('second', N, 6)) {
      members.add(key);
      filter.add(key);
    }
    // A filter that kept the first keys' bits would be at ≈ 0.16 here.
    expectNear(falsePositiveRate(filter, strangers), p);
  });

  it.each(PROBABILITIES)('has a false-positive rate near p = %s when full', (p) => {
    const members = new Set(randomKeys('member', N, 1));
    const filter = make<string>(N, p, () => members);
    for (const key of members) filter.add(key);
    for (const key of members) expect(filter.mightContain(key)).toBe(true);
    const rate = falsePositiveRate(filter, strangers);
    expectNear(rate, p);
    if (p === 0.01) {
      expect(rate).toBeGreaterThanOrEqual(0.004);
      expect(rate).toBeLessThanOrEqual(0.02);
    }
  });

  it('has a false-positive rate near p for sequential keys too', () => {
    const p = 0.01;
    const members = new Set(Array.from({ length: N }, (_, i) => `user:${i}`));
    const filter = make<string>(N, p, () => members);
    for (const key of members) filter.add(key);
    const sequentialStrangers = Array.from({ length: 100_000 }, (_, i) => `user:${N + i}`);
    expectNear(falsePositiveRate(filter, sequentialStrangers), p);
  });

  it.each([
    [1, 0.01],
    [4, 0.01],
    [25, 0.01],
    [25, 0.001],
    [100, 0.0002],
  ])('keeps its false-positive target in small filters too (capacity %s, p = %s), as small shards build', (capacity, p) => {
    // Many small filters, each full, each probed with its own strangers: the mean rate.
    // (Plain double hashing over a composite number of slots gave 1.5–10× p here.)
    const filters = 100;
    const probes = 10_000;
    let positives = 0;
    for (let f = 0; f < filters; f++) {
      const members = Array.from({ length: capacity }, (_, i) => `f${f}:member${i}`);
      const filter = make<string>(capacity, p, () => members);
      for (const key of members) filter.add(key);
      for (let i = 0; i < probes; i++) if (filter.mightContain(`f${f}:stranger${i}`)) positives++;
    }
    expect(positives / (filters * probes)).toBeLessThanOrEqual(1.3 * p);
  });

  it.each(PROBABILITIES)('keeps the false-positive rate near p = %s under churn', (p) => {
    // A sliding window: N keys live at any time, 5N adds and 4N removes in all.
    const keys = randomKeys('churn', 5 * N, 7);
    const members = new Set<string>();
    const filter = make<string>(N, p, () => members);
    const sample = strangers.slice(0, 20_000);
    let worst = 0;
    for (let i = 0; i < keys.length; i++) {
      if (i >= N) {
        members.delete(keys[i - N]!);
        filter.remove(keys[i - N]!);
      }
      members.add(keys[i]!);
      filter.add(keys[i]!);
      // Probed at an interval unrelated to any rebuild period, to see every phase.
      if (i >= N && i % 1777 === 0) worst = Math.max(worst, falsePositiveRate(filter, sample));
    }
    for (const key of members) expect(filter.mightContain(key)).toBe(true);
    expectNear(falsePositiveRate(filter, strangers), p);
    expect(worst).toBeLessThanOrEqual(1.5 * p + 0.002);
  });
});

describe('RebuildingBloomFilter', () => {
  it('stays correct (says "maybe") when liveKeys throws during a rebuild', () => {
    const members = new Set(['a', 'b', 'c']);
    let fail = false;
    const filter = new RebuildingBloomFilter<string>(1, 0.01, () => {
      if (fail) throw new Error('boom');
      return members;
    });
    for (const key of members) filter.add(key);
    fail = true;
    members.delete('c');
    expect(() => filter.remove('c')).toThrow('boom');
    expect(filter.mightContain('a')).toBe(true);
    expect(filter.mightContain('b')).toBe(true);
    fail = false;
    members.delete('b');
    filter.remove('b');
    expect(filter.mightContain('a')).toBe(true);
  });
});
