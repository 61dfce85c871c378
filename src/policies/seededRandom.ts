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
   * @param seed - a safe integer (|seed| ≤ 2^53 − 1). Its high bits are mixed into the
   *   low ones (a seed within 0 … 2^32 − 1 is the state as it is), so seeds that differ
   *   by a multiple of 2^32 draw different sequences; with 32 bits of state, two seeds
   *   can still share one, rarely.
   * @throws TypeError if `seed` is not a number; RangeError if it is not a safe integer.
   */
  constructor(seed: number) {
    this.#state = seedBits('macho/seededRandom', seed);
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
 * folded to 32 bits: its high bits mixed into the low ones, so that seeds that differ
 * only above bit 31 still differ. A seed within 0 … 2^32 − 1 is returned as it is
 * (mix32(0) is 0), so those keep the sequences they always drew.
 * @internal
 */
export function seedBits(prefix: string, seed: unknown): number {
  if (typeof seed !== 'number') throw new TypeError(`${prefix}: seed must be a number; got ${describe(seed)}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`${prefix}: seed must be a safe integer; got ${describe(seed)}`);
  return ((seed >>> 0) ^ mix32(Math.floor(seed / 4294967296) | 0)) >>> 0;
}
