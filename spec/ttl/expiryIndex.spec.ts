import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpiryIndex } from '../../src/expiry/expiryIndex.js';

const CAPACITY = 6;

type Op =
  | { readonly kind: 'set'; readonly slot: number; readonly time: number }
  | { readonly kind: 'remove'; readonly slot: number }
  | { readonly kind: 'pop'; readonly at: number }
  | { readonly kind: 'clear' };

// Times from a small range, so that ties, repeats and out-of-order times (a shorter
// per-call TTL, a clock stepping back) all happen; and "never".
const time = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(Infinity));
const slot = fc.integer({ min: 0, max: CAPACITY - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), slot, time }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), slot }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pop' as const), at: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('ExpiryIndex', () => {
  it('always names a soonest slot, as a plain map of times would (model-based)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const index = new ExpiryIndex(CAPACITY);
        const model = new Map<number, number>(); // slot → finite time
        const soonest = (): number => Math.min(Infinity, ...model.values());
        for (const o of ops) {
          if (o.kind === 'set') {
            const had = model.has(o.slot) && model.get(o.slot) === o.time;
            const gained = index.set(o.slot, o.time);
            expect(gained).toBe(o.time !== Infinity && !had);
            if (o.time === Infinity) model.delete(o.slot);
            else model.set(o.slot, o.time);
          } else if (o.kind === 'remove') {
            index.remove(o.slot);
            model.delete(o.slot);
          } else if (o.kind === 'clear') {
            index.clear();
            model.clear();
          } else {
            // Pop everything due at `at`: never a slot that is not due, never one
            // later than another still waiting, and nothing due left behind.
            for (let s = index.due(o.at); s >= 0; s = index.due(o.at)) {
              expect(model.get(s)).toBe(soonest());
              expect(model.get(s)!).toBeLessThanOrEqual(o.at);
              index.remove(s);
              model.delete(s);
            }
            expect(soonest()).toBeGreaterThan(o.at);
          }
          expect(index.size).toBe(model.size);
          expect(index.nextExpiry()).toBe(soonest());
          for (let s = 0; s < CAPACITY; s++) expect(index.timeOf(s)).toBe(model.get(s) ?? Infinity);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps entries written with one TTL in write order', () => {
    const index = new ExpiryIndex(4);
    index.set(2, 10);
    index.set(0, 11);
    index.set(3, 11);
    index.set(2, 12); // rewritten: now the newest
    expect([index.due(10), index.nextExpiry()]).toEqual([-1, 11]);
    expect(index.due(11)).toBe(0);
    index.remove(0);
    expect(index.due(11)).toBe(3);
    index.remove(3);
    expect(index.due(12)).toBe(2);
  });
});
