import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StaticFilterError, XorFilter } from '../../src/filters/xorFilter.js';
import { randomKeys } from '../support/randomKeys.js';

function hits(filter: XorFilter<string>, strangers: readonly string[]): number {
  let count = 0;
  for (const key of strangers) if (filter.mightContain(key)) count++;
  return count;
}

const N = 10_000;
const members = randomKeys('member', N, 1);
const strangers = randomKeys('stranger', 1_000_000, 2);

describe('XorFilter.build', () => {
  it('has no false negatives, for any key set (duplicates, SameValueZero twins, objects, mixed types)', () => {
    const fixed: unknown[] = [0, -0, Number.NaN, 1.5, 2 ** 40, 10n, {}, [], () => 0, Symbol.for('s'), null, undefined, true];
    const key = fc.oneof(fc.constantFrom(...fixed), fc.string({ maxLength: 4 }), fc.integer(), fc.double());
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300 }), fc.constantFrom(8 as const, 16 as const), fc.integer(), (keys, bits, seed) => {
        const filter = XorFilter.build(keys, { fingerprintBits: bits, seed });
        for (const k of keys) expect(filter.mightContain(k)).toBe(true);
        expect(filter.size).toBeLessThanOrEqual(new Set(keys).size);
      }),
      { numRuns: 300 },
    );
  });

  it('retries peeling with a new seed when it fails, and every retried build is still exact', () => {
    let retried = 0;
    for (let seed = 0; seed < 150; seed++) {
      const keys = randomKeys(`retry${seed}`, 50, seed);
      const filter = XorFilter.build(keys, { seed });
      if (filter.attempts > 1) retried++;
      expect(keys.filter((k) => !filter.mightContain(k))).toEqual([]);
    }
    // Peeling fails now and then (a few % per attempt at this size): the path is exercised.
    expect(retried).toBeGreaterThan(0);
  });

  it('stores keys equal under SameValueZero, and repeated keys, once', () => {
    const filter = XorFilter.build([0, -0, Number.NaN, Number.NaN, 'a', 'a', 'b']);
    expect(filter.size).toBe(4);
    expect(filter.mightContain(-0)).toBe(true);
    expect(filter.mightContain(Number.NaN)).toBe(true);
  });

  it('takes any iterable: a Set, a generator, Map keys', () => {
    function* generate(): Generator<string> {
      yield* ['x', 'y'];
    }
    expect(XorFilter.build(new Set(['a', 'b'])).mightContain('a')).toBe(true);
    expect(XorFilter.build(generate()).mightContain('y')).toBe(true);
    expect(XorFilter.build(new Map([['k', 1]]).keys()).mightContain('k')).toBe(true);
  });

  it('answers false for everything when built from no keys', () => {
    const empty = XorFilter.build<string>([]);
    expect(empty.size).toBe(0);
    expect(hits(empty, strangers.slice(0, 10_000))).toBe(0);
  });

  it.each([
    [() => XorFilter.build(['a'], { fingerprintBits: 12 as 8 }), RangeError, /^macho\/xor: fingerprintBits must be 8 or 16; got 12/],
    [() => XorFilter.build(42 as unknown as string[]), TypeError, /^macho\/xor: keys must be an iterable/],
    // A string is iterable, but building from its characters is never what was meant.
    [() => XorFilter.build('abc' as unknown as string[]), TypeError, /^macho\/xor: keys must be an iterable/],
    [() => XorFilter.build(['a'], null as unknown as object), TypeError, /^macho\/xor: options/],
    // Names up the prototype chain are read too, so they are checked too.
    [() => XorFilter.build(['a'], Object.create({ seeed: 1 }) as object), TypeError, /^macho\/xor: unknown option "seeed"/],
    [() => XorFilter.build(['a'], { seed: 1.5 }), RangeError, /^macho\/xor: seed must be a safe integer; got 1\.5/],
    [() => XorFilter.build(['a'], { seed: '1' as unknown as number }), TypeError, /^macho\/xor: seed must be a number/],
  ])('rejects bad arguments with a named error (%#)', (call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});

describe('XorFilter', () => {
  it.each([
    [8 as const, 1 / 256],
    [16 as const, 1 / 65_536],
  ])('xor%i: false-positive rate ≈ 1/2^f and 1.23·f bits per key (+32 cells)', (bits, theory) => {
    const filter = XorFilter.build(members, { fingerprintBits: bits });
    expect(members.filter((key) => !filter.mightContain(key))).toEqual([]);
    // xor16 needs many strangers to see any false positive at all.
    const sample = bits === 8 ? strangers.slice(0, 300_000) : strangers;
    const count = hits(filter, sample);
    const expected = theory * sample.length; // 1,172 for xor8, 15.3 for xor16
    const slack = bits === 8 ? 1.1 : 2.2; // ±3.4 σ / ±4 σ
    expect(count).toBeLessThanOrEqual(expected * slack);
    expect(count).toBeGreaterThanOrEqual(expected / slack);
    const bitsPerKey = (8 * filter.byteLength) / N;
    const cells = 3 * Math.ceil((Math.floor(1.23 * N) + 32) / 3);
    expect(filter.byteLength).toBe((cells * bits) / 8);
    expect(bitsPerKey).toBeGreaterThanOrEqual(1.23 * bits);
    expect(bitsPerKey).toBeLessThanOrEqual(1.23 * bits + (33 * bits) / N);
  });

  it('has the same false-positive rate for sequential keys', () => {
    const filter = XorFilter.build(
      Array.from({ length: N }, (_, i) => `user:${i}`),
      { fingerprintBits: 8 },
    );
    const count = hits(
      filter,
      Array.from({ length: 300_000 }, (_, i) => `user:${N + i}`),
    );
    expect(count / 300_000).toBeGreaterThan((1 / 256) * 0.88);
    expect(count / 300_000).toBeLessThan((1 / 256) * 1.12);
  });

  it('is static: add and remove throw a StaticFilterError that says to rebuild', () => {
    const filter = XorFilter.build(['a', 'b']);
    expect(() => filter.add('c')).toThrow(StaticFilterError);
    expect(() => filter.add('c')).toThrow(TypeError);
    expect(() => filter.add('c')).toThrow(/^macho\/xor: cannot add "c": an XOR filter is static\. Rebuild it/);
    expect(() => filter.remove('a')).toThrow(/^macho\/xor: cannot remove "a": an XOR filter is static/);
    // Nothing changed.
    expect(filter.mightContain('a')).toBe(true);
    expect(filter.size).toBe(2);
  });

  it('rebuild replaces the key set in place; a failing rebuild keeps the old one', () => {
    const filter = XorFilter.build(['a', 'b', 'c'], { fingerprintBits: 16 });
    filter.rebuild(['c', 'd']);
    expect(filter.size).toBe(2);
    expect(filter.mightContain('d')).toBe(true);
    expect(filter.mightContain('c')).toBe(true);
    expect(filter.mightContain('a')).toBe(false); // 16 bits: a false positive here would be a 1-in-65,536 fluke
    expect(() => filter.rebuild(null as unknown as string[])).toThrow(TypeError);
    expect(filter.mightContain('d')).toBe(true);
  });

  it('clear forgets everything until the next rebuild', () => {
    const filter = XorFilter.build(members.slice(0, 100));
    filter.clear();
    expect(filter.size).toBe(0);
    for (const key of members.slice(0, 100)) expect(filter.mightContain(key)).toBe(false);
    filter.rebuild(members.slice(0, 100));
    for (const key of members.slice(0, 100)) expect(filter.mightContain(key)).toBe(true);
  });

  it('builds 100,000 keys in one or two attempts, at 9.84 bits per key (xor8)', () => {
    const keys = randomKeys('big', 100_000, 3);
    const filter = XorFilter.build(keys);
    expect(filter.attempts).toBeLessThanOrEqual(2);
    expect((8 * filter.byteLength) / keys.length).toBeCloseTo(9.84, 1);
    expect(keys.filter((key) => !filter.mightContain(key))).toEqual([]);
  });
});
