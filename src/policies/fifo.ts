import type { EvictionPolicy, PolicyContext } from './policy.js';
import { SlotList } from './slotList.js';

// A class, not an object of closures: every cache's instance then shares one set of
// methods, and call sites in the shard stay monomorphic across caches (closures made
// per cache send V8's optimised code back with "wrong call target" at the second cache).
class FifoPolicy implements EvictionPolicy {
  readonly name = 'fifo';
  readonly #arrivals: SlotList;

  constructor(capacity: number) {
    this.#arrivals = new SlotList(capacity);
  }

  onInsert(slot: number): void {
    this.#arrivals.pushFront(slot);
  }

  onAccess(): void {}

  onUpdate(): void {}

  onRemove(slot: number): void {
    this.#arrivals.unlink(slot);
  }

  victim(): number {
    return this.#arrivals.back();
  }

  onClear(): void {
    this.#arrivals.clear();
  }
}

/**
 * First in, first out: the oldest insertion is the victim. Reads change nothing, and
 * overwriting an existing key keeps its place in the queue.
 *
 * @example
 * new Cache({ maxCacheSize: 2, strategy: 'fifo' });
 */
export function fifoPolicy({ capacity }: PolicyContext): EvictionPolicy {
  return new FifoPolicy(capacity);
}
