/**
 * Sizing of bloom filters: how many bits (or counters) and hash functions reach a
 * target false-positive probability for an expected number of keys.
 *
 * Kept apart from the filters so the maths can be checked on its own and reused by
 * anything that reports the memory a cache configuration will need.
 *
 * @module
 */

import { describe } from '../errors.js';
import { checkFilterArguments, checkFilterBits } from './filterArguments.js';

const PREFIX = 'macho/bloom: ';


/**
 * The size of a bloom filter.
 *
 * @example
 * const { bits, hashes }: BloomParameters = bloomParameters(1000, 0.01);
 * // bits === 9586, hashes === 7
 */
export interface BloomParameters {
  /** Number of bits (or counters), `m`. */
  readonly bits: number;
  /** Number of hash functions, `k`; never below 1. */
  readonly hashes: number;
}

/**
 * The optimal bloom filter size for `capacity` keys at false-positive probability
 * `probability`: `m = ceil(-n ln p / (ln 2)^2)` and `k = max(1, round((m / n) ln 2))`.
 *
 * `k` is clamped to 1 because `(m / n) ln 2` is about `-log2 p`, which rounds (or, with
 * integer division, truncates) to 0 for large `p`; a filter with no hash functions
 * checks no bits and so answers "maybe" for every key: it filters nothing.
 *
 * @param capacity - expected number of keys held at once; an integer ≥ 1.
 * @param probability - target false-positive probability, strictly between 0 and 1.
 * @throws TypeError if an argument is not a number; RangeError if it is out of range
 *   or the filter would need more than 2^31 bits. Messages name the argument.
 * @example
 * bloomParameters(1000, 0.01); // { bits: 9586, hashes: 7 }
 * bloomParameters(1, 0.5);     // { bits: 2, hashes: 1 }
 */
export function bloomParameters(capacity: number, probability: number): BloomParameters {
  checkFilterArguments(PREFIX, capacity, probability);
  // Written so that NaN fails too.
  if (!(probability > 0 && probability < 1)) {
    throw new RangeError(
      `${PREFIX}probability must be strictly between 0 and 1; got ${describe(probability)}`,
    );
  }
  const bits = Math.ceil((-capacity * Math.log(probability)) / (Math.LN2 * Math.LN2));
  checkFilterBits(PREFIX, capacity, probability, bits);
  const hashes = Math.max(1, Math.round((bits / capacity) * Math.LN2));
  return { bits, hashes };
}
