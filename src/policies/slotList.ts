/**
 * A doubly linked list of slot numbers in two typed arrays: O(1) push, move and
 * unlink with no allocation, the layout `lru-cache` uses. Shared by the policies that
 * keep an order (LRU by recency, FIFO by insertion).
 */
export class SlotList {
  // `capacity` itself is the "no slot" marker: it fits every array below and is never a slot.
  readonly #nil: number;
  readonly #next: Uint32Array;
  readonly #prev: Uint32Array;
  #head: number;
  #tail: number;

  /** A list able to hold slots `0 … capacity - 1`. */
  constructor(capacity: number) {
    this.#nil = capacity;
    this.#next = new Uint32Array(capacity);
    this.#prev = new Uint32Array(capacity);
    this.#head = capacity;
    this.#tail = capacity;
  }

  /** Puts `slot` (not in the list) at the front. */
  pushFront(slot: number): void {
    this.#prev[slot] = this.#nil;
    this.#next[slot] = this.#head;
    if (this.#head === this.#nil) this.#tail = slot;
    else this.#prev[this.#head] = slot;
    this.#head = slot;
  }

  /** Moves `slot` (in the list) to the front. */
  moveToFront(slot: number): void {
    if (slot === this.#head) return;
    this.unlink(slot);
    this.pushFront(slot);
  }

  /** Takes `slot` (in the list) out. */
  unlink(slot: number): void {
    const prev = this.#prev[slot]!;
    const next = this.#next[slot]!;
    if (prev === this.#nil) this.#head = next;
    else this.#next[prev] = next;
    if (next === this.#nil) this.#tail = prev;
    else this.#prev[next] = prev;
  }

  /**
   * Puts `replacement` (not in the list) where `slot` (in the list) stands, and takes
   * `slot` out: an entry that changes its number keeps its place in the order.
   */
  replace(slot: number, replacement: number): void {
    const prev = this.#prev[slot]!;
    const next = this.#next[slot]!;
    this.#prev[replacement] = prev;
    this.#next[replacement] = next;
    if (prev === this.#nil) this.#head = replacement;
    else this.#next[prev] = replacement;
    if (next === this.#nil) this.#tail = replacement;
    else this.#prev[next] = replacement;
  }

  /** The slot at the back, or `capacity` when the list is empty. */
  back(): number {
    return this.#tail;
  }

  /** Empties the list. */
  clear(): void {
    this.#head = this.#nil;
    this.#tail = this.#nil;
  }
}
