import type { EvictionPolicy, PolicyContext } from './policy.js';

// A class for the reason given in fifo.ts: methods shared by every cache.
class RandomPolicy implements EvictionPolicy {
  readonly name = 'random';
  readonly #context: PolicyContext;
  readonly #live: Uint32Array; // live[0 … count-1]: the occupied slots
  readonly #position: Uint32Array; // position[slot]: where slot sits in `live`
  #count = 0;

  constructor(context: PolicyContext) {
    this.#context = context;
    this.#live = new Uint32Array(context.capacity);
    this.#position = new Uint32Array(context.capacity);
  }

  onInsert(slot: number): void {
    this.#live[this.#count] = slot;
    this.#position[slot] = this.#count++;
  }

  onAccess(): void {}

  onUpdate(): void {}

  onRemove(slot: number): void {
    const hole = this.#position[slot]!;
    const last = this.#live[--this.#count]!;
    this.#live[hole] = last;
    this.#position[last] = hole;
  }

  victim(): number {
    return this.#live[Math.floor(this.#context.random() * this.#count)]!;
  }

  onClear(): void {
    this.#count = 0;
  }
}

/**
 * A uniformly random victim, drawn from the shard's seeded generator, so a replayed
 * log evicts the same entries. Live slots are kept dense (remove swaps the last one
 * into the hole), which makes every operation O(1).
 *
 * @example
 * new Cache({ maxCacheSize: 1000, strategy: 'random', seed: 7 });
 */
export function randomPolicy(context: PolicyContext): EvictionPolicy {
  return new RandomPolicy(context);
}
