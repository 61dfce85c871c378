import type { EvictionPolicy, PolicyContext } from './policy.js';
import { SlotList } from './slotList.js';

// A class, not an object of closures, for the reason given in fifo.ts.
class LruPolicy implements EvictionPolicy {
  readonly name = 'lru';
  readonly #recency: SlotList;

  constructor(capacity: number) {
    this.#recency = new SlotList(capacity);
  }

  onInsert(slot: number): void {
    this.#recency.pushFront(slot);
  }

  onAccess(slot: number): void {
    this.#recency.moveToFront(slot);
  }

  onUpdate(slot: number): void {
    this.#recency.moveToFront(slot);
  }

  onRemove(slot: number): void {
    this.#recency.unlink(slot);
  }

  victim(): number {
    return this.#recency.back();
  }

  onClear(): void {
    this.#recency.clear();
  }
}

/**
 * Least recently used, with exactly `lru-cache`'s semantics: `get` and `set` (of a new
 * or an existing key) make an entry the most recent; `peek` and `has` do not; the
 * least recent entry is the victim.
 *
 * @example
 * new Cache({ maxCacheSize: 2, strategy: 'lru' });
 */
export function lruPolicy({ capacity }: PolicyContext): EvictionPolicy {
  return new LruPolicy(capacity);
}
