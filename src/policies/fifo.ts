import type { EvictionPolicy, PolicyContext } from './policy.js';
import { SlotList } from './slotList.js';

/**
 * First in, first out: the oldest insertion is the victim. Reads change nothing, and
 * overwriting an existing key keeps its place in the queue.
 *
 * @example
 * new Cache({ maxCacheSize: 2, strategy: 'fifo' });
 */
export function fifoPolicy({ capacity }: PolicyContext): EvictionPolicy {
  const arrivals = new SlotList(capacity);
  return {
    name: 'fifo',
    onInsert: (slot) => arrivals.pushFront(slot),
    onAccess: () => {},
    onUpdate: () => {},
    onRemove: (slot) => arrivals.unlink(slot),
    victim: () => arrivals.back(),
    onClear: () => arrivals.clear(),
  };
}
