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

/**
 * The smallest prime at least `n` (n ≥ 2), for a filter's number of slots, never above
 * 2^31 − 1 (itself prime: the most slots a filter may have). The filters walk a key's
 * slots as `h1 + i·h2 + (i³ − i)/6 mod m` (enhanced double hashing), `h2` in [1, m).
 * With `m` composite, a step sharing a factor with it walks a short cycle (m = 10,
 * step 5: two slots for seven hashes), and small filters missed their false-positive
 * target by up to 10×; with `m` prime, no step does. (A key may still meet a slot
 * twice through the cubic term, in tiny filters mostly: add and remove then count it
 * twice alike, and the measured rate stays on target.) Prime gaps near `m` are about
 * ln m: a few slots more.
 *
 * @example
 * primeAtLeast(9586); // 9587
 * primeAtLeast(10);   // 11
 */
export function primeAtLeast(n: number): number {
  let candidate = Math.max(2, Math.min(2 ** 31 - 1, Math.ceil(n)));
  while (!isPrime(candidate)) candidate++;
  return candidate;
}

function isPrime(n: number): boolean {
  if (n < 4) return n >= 2;
  if (n % 2 === 0 || n % 3 === 0) return false;
  for (let d = 5; d * d <= n; d += 6) if (n % d === 0 || n % (d + 2) === 0) return false;
  return true;
}
