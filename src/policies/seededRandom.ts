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

  /** @param seed - any finite number; its low 32 bits are used. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next number in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
