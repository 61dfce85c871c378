/**
 * Expiry order for the entries that do not fall due in write order (see
 * `ExpiryIndex` in expiryIndex.ts, which owns it): a binary min-heap of slot numbers ordered by their
 * expiry time, with each slot's position tracked so an entry that is deleted,
 * evicted or given a new TTL leaves the heap in O(log n) instead of lingering as a
 * stale node (lazy deletion would let a key that is re-set in a loop grow the heap
 * without bound).
 *
 * Only entries that can expire are in it; a cache without TTL never makes one.
 */
export class ExpiryHeap {
  readonly #expiresAt: Float64Array;
  readonly #heap: Uint32Array; // heap[i]: a slot
  // position[slot]: 1 + its index in the heap, or 0 when it is not in: zero is what a
  // new Int32Array holds, so nothing fills it (4 bytes per slot of capacity).
  readonly #position: Int32Array;
  #size = 0;

  /**
   * @param expiresAt - the shard's per-slot expiry times; the heap reads them, never
   *   writes them. A slot's time must not change while it is in the heap (use `update`).
   */
  constructor(expiresAt: Float64Array) {
    this.#expiresAt = expiresAt;
    this.#heap = new Uint32Array(expiresAt.length);
    this.#position = new Int32Array(expiresAt.length);
  }

  /** How many slots are waiting to expire. */
  get size(): number {
    return this.#size;
  }

  /** The slot with the earliest expiry. Only when `size > 0`. */
  peek(): number {
    return this.#heap[0]!;
  }

  /** True when `slot` is in the heap. */
  has(slot: number): boolean {
    return this.#position[slot]! !== 0;
  }

  /** Adds `slot` (whose expiry time is already written) or moves it after a change. */
  upsert(slot: number): void {
    const at = this.#position[slot]! - 1;
    if (at < 0) {
      const i = this.#size++;
      this.#heap[i] = slot;
      this.#position[slot] = i + 1;
      this.#siftUp(i);
    } else {
      this.#siftUp(at);
      this.#siftDown(this.#position[slot]! - 1);
    }
  }

  /** Takes `slot` out, if it is in. */
  remove(slot: number): void {
    const at = this.#position[slot]! - 1;
    if (at < 0) return;
    this.#position[slot] = 0;
    const last = this.#heap[--this.#size]!;
    if (at === this.#size) return;
    this.#heap[at] = last;
    this.#position[last] = at + 1;
    this.#siftUp(at);
    this.#siftDown(this.#position[last]! - 1);
  }

  /** Empties the heap. */
  clear(): void {
    for (let i = 0; i < this.#size; i++) this.#position[this.#heap[i]!] = 0;
    this.#size = 0;
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    const slot = heap[i]!;
    const time = this.#expiresAt[slot]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (this.#expiresAt[above]! <= time) break;
      heap[i] = above;
      this.#position[above] = i + 1;
      i = parent;
    }
    heap[i] = slot;
    this.#position[slot] = i + 1;
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const size = this.#size;
    const slot = heap[i]!;
    const time = this.#expiresAt[slot]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && this.#expiresAt[heap[right]!]! < this.#expiresAt[heap[child]!]!) child = right;
      const below = heap[child]!;
      if (this.#expiresAt[below]! >= time) break;
      heap[i] = below;
      this.#position[below] = i + 1;
      i = child;
    }
    heap[i] = slot;
    this.#position[slot] = i + 1;
  }
}
