/**
 * Least frequently used, in O(1) per operation.
 *
 * Design: the frequency buckets of Shah, Mitra & Matani, "An O(1) algorithm for
 * implementing the LFU cache eviction scheme" (2010), in typed arrays sized by the
 * capacity ({@link FrequencyBuckets}): a linked list of access counts in ascending
 * order, each with the list of slots that have that count. The victim is the back of
 * the lowest bucket, so choosing it, counting an access, inserting and removing all
 * touch a constant number of links, and nothing is allocated after construction.
 *
 * @module
 */
import { FrequencyBuckets } from './frequencyBuckets.js';
import type { EvictionPolicy, PolicyContext } from './policy.js';

/**
 * Least frequently used: the entry with the fewest uses is the victim.
 *
 * - **What counts as a use:** a new entry starts at 1; each hit (`get`) and each write
 *   to an existing key (`set` or `update`) adds 1. `peek` and `has` do not count, and a
 *   miss counts nothing.
 * - **Tie-break:** among the least frequently used, the least recently used (the one
 *   whose last insert, hit or write is oldest) is the victim.
 * - **No memory after removal:** an entry that leaves (eviction, delete, expiry, clear)
 *   takes its count with it; set again, it starts at 1. Counts never age, so an entry
 *   that was hot long ago can outstay newer ones: a known trait of pure LFU.
 *
 * @example
 * const cache = new Cache<string, number>({ maxCacheSize: 2, strategy: 'lfu' });
 * cache.set('a', 1).set('b', 2);
 * cache.get('a'); // a: 2 uses, b: 1
 * cache.set('c', 3); // evicts b, the least frequently used
 */
export function lfuPolicy({ capacity }: PolicyContext): EvictionPolicy {
  const counts = new FrequencyBuckets(capacity);
  return {
    name: 'lfu',
    onInsert: (slot) => counts.add(slot),
    onAccess: (slot) => counts.increment(slot),
    onUpdate: (slot) => counts.increment(slot),
    onRemove: (slot) => counts.remove(slot),
    victim: () => counts.leastFrequent(),
    onClear: () => counts.clear(),
  };
}
