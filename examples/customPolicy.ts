// A custom eviction policy: "evict the largest value", for a cache of strings where
// memory, not entry count, is what hurts. Pass any PolicyFactory as `strategy`.
// Run: npx tsx examples/customPolicy.ts
import type { PolicyFactory } from 'macho';
import { Cache, PolicyContractError } from 'macho';

// The cache calls the factory once per shard. Policies see slot numbers
// (0 … capacity - 1), not keys; valueOf(slot) reads the entry when a policy needs it.
const largestFirst: PolicyFactory = ({ valueOf }) => {
  const live = new Set<number>();
  return {
    name: 'largest-first',
    onInsert: (slot) => void live.add(slot),
    onAccess: () => {}, // reads do not matter to this policy
    onUpdate: () => {}, // the value is read at eviction time, so nothing to track
    onRemove: (slot) => void live.delete(slot), // the cache calls this for the victim too
    // Only called when the shard is full. O(capacity): fine for a small cache; the
    // built-in policies keep every hook O(1) (a heap would do here).
    victim: () => {
      let victim = -1;
      let largest = -1;
      for (const slot of live) {
        const length = String(valueOf(slot)).length;
        if (length > largest) [victim, largest] = [slot, length];
      }
      return victim;
    },
    onClear: () => live.clear(),
  };
};

const cache = new Cache<string, string>({ maxCacheSize: 3, strategy: largestFirst });
cache.on('evict').subscribe(({ key, value }) => console.log(`evicted ${key} (${value.length} chars)`));

cache.set('small', 'x'.repeat(10)).set('huge', 'x'.repeat(5_000)).set('medium', 'x'.repeat(300));
cache.set('another', 'x'.repeat(20)); // full: the 5,000-char value goes, whatever its age
cache.set('big', 'x'.repeat(1_000)); // full again: 'big' itself is not in yet, so 'medium' goes
console.log('left:', [...cache.entries()].map(([key, value]) => `${key}(${value.length})`).join(', '));

// A policy that breaks its contract (here: names an empty slot) is caught, and the
// command fails with PolicyContractError instead of corrupting the cache.
const broken: PolicyFactory = ({ capacity }) => ({
  name: 'broken',
  onInsert: () => {},
  onAccess: () => {},
  onUpdate: () => {},
  onRemove: () => {},
  victim: () => capacity, // one past the last slot: never occupied
  onClear: () => {},
});
const bad = new Cache<string, number>({ maxCacheSize: 1, strategy: broken });
bad.set('a', 1);
try {
  bad.set('b', 2);
} catch (error) {
  console.log(error instanceof PolicyContractError, (error as Error).message);
}
console.log('the broken cache still holds:', [...bad.keys()]);
cache.dispose();
bad.dispose();
