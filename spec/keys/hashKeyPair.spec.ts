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
});
