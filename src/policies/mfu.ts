/**
 * Most frequently used, in O(1) per operation: the MFU on the Python Macho's roadmap.
 *
 * Design: the same frequency buckets as LFU ({@link FrequencyBuckets}, after Shah,
 * Mitra & Matani, "An O(1) algorithm for implementing the LFU cache eviction scheme",
 * 2010), read from the other end: the victim is the back of the highest bucket.
 *
 * @module
 */
import { FrequencyBuckets } from './frequencyBuckets.js';
import type { EvictionPolicy, PolicyContext } from './policy.js';

/**
 * Most frequently used: the entry with the most uses is the victim. The reasoning (as
 * in operating-system page replacement): an entry used many times has likely had its
 * turn, while one with few uses was probably just brought in and is still to be used.
 * It suits scans and one-shot bursts, and hurts on skewed (Zipf-like) loads, where the
 * hottest key is exactly what it throws out.
 *
 * - **What counts as a use:** a new entry starts at 1; each hit (`get`) and each write
 *   to an existing key (`set` or `update`) adds 1. `peek` and `has` do not count.
 * - **Tie-break:** among the most frequently used, the least recently used (the one
 *   whose last insert, hit or write is oldest) is the victim. So when no entry was ever
 *   reused, MFU evicts in insertion order, like FIFO, rather than throwing out the entry
 *   that just arrived.
 * - **No memory after removal:** an entry that leaves takes its count with it.
 *
 * @example
 * const cache = new Cache<string, number>({ maxCacheSize: 2, strategy: 'mfu' });
 * cache.set('a', 1).set('b', 2);
 * cache.get('a'); // a: 2 uses, b: 1
 * cache.set('c', 3); // evicts a, the most frequently used
 */
export function mfuPolicy({ capacity }: PolicyContext): EvictionPolicy {
  const counts = new FrequencyBuckets(capacity);
  return {
    name: 'mfu',
    victimsReturn: true, // the hottest keys: on a skewed load they are back at once
    onInsert: (slot) => counts.add(slot),
    onAccess: (slot) => counts.increment(slot),
    onUpdate: (slot) => counts.increment(slot),
    onRemove: (slot) => counts.remove(slot),
    victim: () => counts.mostFrequent(),
    onClear: () => counts.clear(),
  };
}
