import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashKey, hashKeyPair, hashPair } from '../../src/keys/hashKey.js';

describe('hashKeyPair', () => {
  it('gives exactly the two hashKey values, for keys of every kind', () => {
    const key = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.constantFrom(0, -0, NaN, Infinity, null, undefined, true, false, Symbol.for('k')),
      fc.bigInt(),
      fc.object(),
    );
    fc.assert(
      fc.property(key, fc.integer(), fc.integer(), (k, seedA, seedB) => {
        hashKeyPair(k, seedA, seedB);
        expect([hashPair[0], hashPair[1]]).toEqual([hashKey(k, seedA), hashKey(k, seedB)]);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is right even when hashing the key runs code that hashes another key (a patched toString)', () => {
    const original = Object.getOwnPropertyDescriptor(BigInt.prototype, 'toString')!;
    Object.defineProperty(BigInt.prototype, 'toString', {
      ...original,
      value(this: bigint, ...args: unknown[]) {
        hashKeyPair('someone else', 7, 8); // a logging hook that checks a filter, say
        return (original.value as (...a: unknown[]) => string).apply(this, args);
      },
    });
    try {
      hashKeyPair(5n, 1, 2);
      const got = [hashPair[0], hashPair[1]];
      Object.defineProperty(BigInt.prototype, 'toString', original);
      expect(got).toEqual([hashKey(5n, 1), hashKey(5n, 2)]);
    } finally {
      Object.defineProperty(BigInt.prototype, 'toString', original);
    }
  });
});
