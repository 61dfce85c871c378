import { describe } from '../errors.js';
import { mix32 } from '../keys/hashKey.js';

/**
 * A small seeded generator (mulberry32): fast, 32 bits of state, good enough to pick
 * eviction victims. Its state is a plain number, so it is part of the shard state and
 * a replay from the same seed draws the same sequence.
 *
 * @example
 * const rng = new SeededRandom(42);
 * rng.next(); // the same first draw for seed 42, every run
 */
export class SeededRandom {
  #state: number;

  /**
   * @param seed - any finite number. Its integer part is the seed: one within
   *   −2^32 … 2^32 − 1 is taken modulo 2^32, as it always was; the high bits of a larger
   *   one are mixed into the low ones, so seeds that differ only above bit 31 draw
   *   different sequences (with 32 bits of state, two seeds can still share one, rarely).
   * @throws TypeError if `seed` is not a number; RangeError if it is not finite.
   */
  constructor(seed: number) {
    if (typeof seed !== 'number') throw new TypeError(`macho/seededRandom: seed must be a number; got ${describe(seed)}`);
    if (!Number.isFinite(seed)) throw new RangeError(`macho/seededRandom: seed must be a finite number; got ${describe(seed)}`);
    this.#state = fold(Math.trunc(seed));
  }

  /** The next number in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * A seed checked (a safe integer, else a TypeError or RangeError under `prefix`) and
 * folded to 32 bits as {@link SeededRandom} folds its seed.
 * @internal
 */
export function seedBits(prefix: string, seed: unknown): number {
  if (typeof seed !== 'number') throw new TypeError(`${prefix}: seed must be a number; got ${describe(seed)}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`${prefix}: seed must be a safe integer; got ${describe(seed)}`);
  return fold(seed);
}

// An integer to 32 bits. Within −2^32 … 2^32 − 1 (high word 0 or −1) it is the low 32
// bits, as `seed >>> 0` always took them, so recorded runs replay as they did; above,
// the high word is mixed in, so that 1 and 2^32 + 1 no longer draw alike.
function fold(seed: number): number {
  const high = Math.floor(seed / 4294967296);
  return high === 0 || high === -1 ? seed >>> 0 : ((seed >>> 0) ^ mix32(high | 0)) >>> 0;
}
