import { SlotList } from '../policies/slotList.js';
import { ExpiryHeap } from './expiryHeap.js';

/**
 * The expiry times of one shard's slots, and the order in which they fall due.
 *
 * Most caches give every entry the same TTL (the `ttl` option), and then entries fall
 * due in the order they were written: a queue does, in O(1) with no comparisons, what a
 * heap does in O(log n) with a random memory touch per level. So an entry whose time is
 * not earlier than the newest one in the write-ordered queue joins the queue; only one
 * that would break its order (a shorter per-call `ttl`, a clock that stepped back)
 * goes to a binary heap, made on first need. The next to expire is the sooner of the
 * two heads.
 *
 * `Infinity` means "never" and such a slot is in neither structure.
 */
export class ExpiryIndex {
  readonly #times: Float64Array;
  // Slots below this have a time written (Infinity: never); the others have had none
  // since the index was made or cleared, and read as never. The shard takes slots in
  // order from 0, so each slot it uses is filled once per clear, when a time first
  // reaches it or one above it: neither construction nor clear() touches the whole
  // array (8 bytes per slot of capacity: 8 GiB at 2^30 entries).
  #written = 0;
  // Write order: front is the newest time, back the soonest to expire.
  readonly #queue: SlotList;
  #heap: ExpiryHeap | undefined;
  readonly #nil: number;
  #size = 0;

  /** An index for slots `0 … capacity - 1`, none of which expires yet. */
  constructor(capacity: number) {
    this.#times = new Float64Array(capacity);
    this.#queue = new SlotList(capacity);
    this.#nil = capacity;
  }

  /** How many slots have a finite expiry time. */
  get size(): number {
    return this.#size;
  }

  /** The expiry time of `slot` (`Infinity`: never). */
  timeOf(slot: number): number {
    return slot < this.#written ? this.#times[slot]! : Infinity;
  }

  /** The earliest expiry time, or `Infinity` when nothing can expire. */
  nextExpiry(): number {
    const slot = this.#soonest();
    return slot < 0 ? Infinity : this.#times[slot]!;
  }

  /** The slot that expires first if it expires at or before `at`, else -1. */
  due(at: number): number {
    const slot = this.#soonest();
    return slot >= 0 && this.#times[slot]! <= at ? slot : -1;
  }

  /**
   * Gives `slot` the expiry time `time` (`Infinity`: never).
   * @returns true when `slot` now has a finite time it did not have before.
   */
  set(slot: number, time: number): boolean {
    // A cache without TTL in use: nothing to read or write.
    if (time === Infinity && this.#size === 0) return false;
    if (slot >= this.#written) {
      this.#times.fill(Infinity, this.#written, slot + 1);
      this.#written = slot + 1;
    }
    const times = this.#times;
    if (times[slot] === time) return false;
    if (times[slot] !== Infinity) this.#unlink(slot);
    times[slot] = time;
    if (time === Infinity) return false;
    const newest = this.#queue.front();
    if (newest === this.#nil || times[newest]! <= time) this.#queue.pushFront(slot);
    else (this.#heap ??= new ExpiryHeap(times)).upsert(slot);
    this.#size++;
    return true;
  }

  /** `slot` left the cache: it no longer expires. */
  remove(slot: number): void {
    if (this.#size === 0 || slot >= this.#written || this.#times[slot] === Infinity) return;
    this.#unlink(slot);
    this.#times[slot] = Infinity;
  }

  /** Nothing expires any more. */
  clear(): void {
    this.#written = 0;
    this.#queue.clear();
    this.#heap?.clear();
    this.#size = 0;
  }

  // The slot with the earliest time: the sooner of the queue's back and the heap's top; -1 if none.
  #soonest(): number {
    if (this.#size === 0) return -1;
    const back = this.#queue.back();
    let slot = back === this.#nil ? -1 : back;
    const heap = this.#heap;
    if (heap !== undefined && heap.size !== 0) {
      const top = heap.peek();
      if (slot < 0 || this.#times[top]! < this.#times[slot]!) slot = top;
    }
    return slot;
  }

  // Takes a timed slot out of whichever structure holds it (its time still written).
  #unlink(slot: number): void {
    const heap = this.#heap;
    if (heap !== undefined && heap.has(slot)) heap.remove(slot);
    else this.#queue.unlink(slot);
    this.#size--;
  }
}
