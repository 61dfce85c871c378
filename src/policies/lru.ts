import type { EvictionPolicy, PolicyContext } from './policy.js';
import { SlotList } from './slotList.js';

/**
 * Least recently used, with exactly `lru-cache`'s semantics: `get` and `set` (of a new
 * or an existing key) make an entry the most recent; `peek` and `has` do not; the
 * least recent entry is the victim.
 *
 * @example
 * new Cache({ maxCacheSize: 2, strategy: 'lru' });
 */
export function lruPolicy({ capacity }: PolicyContext): EvictionPolicy {
  const recency = new SlotList(capacity);
  return {
    name: 'lru',
    onInsert: (slot) => recency.pushFront(slot),
    onAccess: (slot) => recency.moveToFront(slot),
    onUpdate: (slot) => recency.moveToFront(slot),
    onRemove: (slot) => recency.unlink(slot),
    victim: () => recency.back(),
    onClear: () => recency.clear(),
  };
}
