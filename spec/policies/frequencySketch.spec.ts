import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrequencySketch, hashKey } from 'macho';

// Hashes as the W-TinyLFU policy feeds them: hashKey of a key, 32-bit unsigned.
const hash = (key: number): number => hashKey(key, 0x5eed);

describe('FrequencySketch', () => {
  it('counts from 0 and saturates at 15', () => {
    const sketch = new FrequencySketch(64, 1_000_000);
    expect(sketch.frequency(hash(1))).toBe(0);
    for (let i = 1; i <= 20; i++) {
      sketch.increment(hash(1));
      expect(sketch.frequency(hash(1))).toBe(Math.min(i, 15));
    }
    expect(sketch.frequency(hash(2))).toBe(0);
  });

  it('is accurate when it holds as many keys as its capacity', () => {
    const sketch = new FrequencySketch(1000, 1_000_000);
    for (let k = 0; k < 1000; k++) sketch.increment(hash(k));
    let exact = 0;
    for (let k = 0; k < 1000; k++) if (sketch.frequency(hash(k)) === 1) exact++;
    let ghosts = 0;
    for (let k = 1000; k < 2000; k++) if (sketch.frequency(hash(k)) !== 0) ghosts++;
    expect(exact).toBeGreaterThanOrEqual(980);
    expect(ghosts).toBeLessThanOrEqual(20);
  });

  it('spreads poor hashes (small consecutive integers) over the table', () => {
    const sketch = new FrequencySketch(256, 1_000_000);
    for (let h = 0; h < 256; h++) sketch.increment(h);
    let exact = 0;
    for (let h = 0; h < 256; h++) if (sketch.frequency(h) === 1) exact++;
    expect(exact).toBeGreaterThanOrEqual(240);
  });

  it('halves every counter after sampleSize increments', () => {
    const sketch = new FrequencySketch(16, 40);
    expect(sketch.sampleSize).toBe(40);
    for (let i = 0; i < 10; i++) sketch.increment(hash(1)); // 10 increments
    for (let k = 2; k < 31; k++) sketch.increment(hash(k)); // 29 more: 39
    expect(sketch.additions).toBe(39);
    expect(sketch.frequency(hash(1))).toBeGreaterThanOrEqual(10);
    const before = sketch.frequency(hash(1));
    sketch.increment(hash(31)); // the 40th: aging
    expect(sketch.additions).toBeLessThan(40);
    expect(sketch.frequency(hash(1))).toBe(Math.floor(before / 2));
  });

  it('defaults to a sample of 10 × capacity, and saturated increments do not count', () => {
    const sketch = new FrequencySketch(100);
    expect(sketch.sampleSize).toBe(1000);
    for (let i = 0; i < 100; i++) sketch.increment(hash(1));
    expect(sketch.additions).toBe(15); // the key's counters stopped at 15
  });

  it('clear forgets everything', () => {
    const sketch = new FrequencySketch(16);
    sketch.increment(hash(1));
    sketch.clear();
    expect(sketch.frequency(hash(1))).toBe(0);
    expect(sketch.additions).toBe(0);
  });

  it('rejects a bad capacity or sample size, naming the module', () => {
    expect(() => new FrequencySketch(0)).toThrow(/macho\/frequencySketch: capacity/);
    expect(() => new FrequencySketch(1.5)).toThrow(RangeError);
    expect(() => new FrequencySketch(8, 0)).toThrow(/sampleSize/);
  });

  // Small capacities crowd many keys into one 64-byte block: collisions are common there,
  // which is where the count-min bound earns its keep.
  const capacity = fc.constantFrom(1, 2, 8, 100, 5000);
  const stream = fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 600, size: 'max' });

  it('never underestimates a count before the first aging (count-min, capped at 15)', () => {
    fc.assert(
      fc.property(capacity, stream, (cap, keys) => {
        const sketch = new FrequencySketch(cap, 1_000_000);
        const counts = new Map<number, number>();
        for (const k of keys) {
          sketch.increment(hash(k));
          counts.set(k, (counts.get(k) ?? 0) + 1);
        }
        // Plain comparisons in the loops (expect() per key is slow); one assertion each.
        const under = [...counts].filter(([k, n]) => sketch.frequency(hash(k)) < Math.min(n, 15));
        expect(under).toEqual([]);
        let max = 0;
        for (let k = 0; k <= 300; k++) max = Math.max(max, sketch.frequency(hash(k)));
        expect(max).toBeLessThanOrEqual(15);
      }),
      { numRuns: 200 },
    );
  });

  it('aging halves every estimate, rounding down', () => {
    fc.assert(
      fc.property(capacity, stream, (cap, keys) => {
        const sketch = new FrequencySketch(cap, 1_000_000);
        for (const k of keys) sketch.increment(hash(k));
        const before = Array.from({ length: 301 }, (_, k) => sketch.frequency(hash(k)));
        sketch.age();
        const after = Array.from({ length: 301 }, (_, k) => sketch.frequency(hash(k)));
        expect(after).toEqual(before.map((f) => f >> 1));
      }),
      { numRuns: 200 },
    );
  });

  it('ages on schedule: additions stay below the sample size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), stream, (sampleSize, keys) => {
        const sketch = new FrequencySketch(8, sampleSize);
        let most = 0;
        for (const k of keys) {
          sketch.increment(hash(k));
          most = Math.max(most, sketch.additions);
        }
        expect(most).toBeLessThan(sampleSize);
      }),
      { numRuns: 100 },
    );
  });
});
