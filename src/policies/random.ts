import type { EvictionPolicy, PolicyContext } from './policy.js';

/**
 * A uniformly random victim, drawn from the shard's seeded generator, so a replayed
 * log evicts the same entries. Live slots are kept dense (remove swaps the last one
 * into the hole), which makes every operation O(1).
 *
 * @example
 * new Cache({ maxCacheSize: 1000, strategy: 'random', seed: 7 });
 */
export function randomPolicy({ capacity, random }: PolicyContext): EvictionPolicy {
  const live = new Uint32Array(capacity); // live[0 … count-1]: the occupied slots
  const position = new Uint32Array(capacity); // position[slot]: where slot sits in `live`
  let count = 0;
  return {
    name: 'random',
    onInsert(slot) {
      live[count] = slot;
      position[slot] = count++;
    },
    onAccess: () => {},
    onUpdate: () => {},
    onRemove(slot) {
      const hole = position[slot]!;
      const last = live[--count]!;
      live[hole] = last;
      position[last] = hole;
    },
    victim: () => live[Math.floor(random() * count)]!,
    onClear() {
      count = 0;
    },
  };
}
