/**
 * The frozen snapshot entries a shard handed out last, by slot, kept while its cache
 * streams snapshots so that an unchanged entry is handed out again (see
 * `Shard.writeSnapshotEntries`).
 *
 * It lives in place from one snapshot to the next: each walk costs what the shard holds
 * now and held last time, never the slots it ever used (a cache that filled up and then
 * shrank through expiry would otherwise pay for its old size on every tick). An entry
 * whose slot the walk did not reach (it left the cache) is dropped at the walk's end,
 * so nothing that left is held past the next snapshot.
 *
 * @example
 * memo.begin(slotsEverUsed, liveEntries);
 * // for each live slot: const kept = memo.get(slot); … memo.keep(slot, entry);
 * memo.end();
 */
export class SnapshotMemo<E> {
  /** @param capacity - the shard's capacity: no slot is at or above it, so no array grows past it. */
  constructor(readonly capacity: number) {}

  // By slot: the entry handed out last (a holey array, grown to the slots ever used).
  readonly #entries: Array<E | undefined> = [];
  // By slot: the walk that last kept it.
  #marks: Uint32Array = new Uint32Array(0);
  #walk = 0;
  // The slots the last walk kept, and those this one keeps (two buffers, swapped).
  #kept = new Int32Array(0);
  #keptCount = 0;
  #keeping = new Int32Array(0);
  #keepingCount = 0;

  /** Starts a walk over a shard of `slots` slots ever used and `live` live entries. */
  begin(slots: number, live: number): void {
    if (this.#entries.length < slots) this.#entries.length = slots;
    if (this.#marks.length < slots) this.#marks = grown(this.#marks, slots, this.capacity);
    if (this.#keeping.length < live) this.#keeping = new Int32Array(Math.min(Math.max(live, 2 * this.#keeping.length), this.capacity));
    this.#keepingCount = 0;
    this.#walk = (this.#walk + 1) >>> 0;
    if (this.#walk === 0) {
      // After 2^32 walks: old marks could equal the new number.
      this.#marks.fill(0);
      this.#walk = 1;
    }
  }

  /** The entry handed out last for `slot`, if one is kept. */
  get(slot: number): E | undefined {
    return this.#entries[slot];
  }

  /** `entry` is what this walk hands out for `slot`. */
  keep(slot: number, entry: E): void {
    this.#entries[slot] = entry;
    this.#marks[slot] = this.#walk;
    // The walk visits `live` slots, for which begin() made room; should it ever visit
    // more, a typed array would drop the write silently, and the entry would be kept
    // past its time: room is made instead.
    if (this.#keepingCount === this.#keeping.length) this.#keeping = grownSlots(this.#keeping, this.#keepingCount + 1, this.capacity);
    this.#keeping[this.#keepingCount++] = slot;
  }

  /** Ends the walk: what the last one kept and this one did not reach is dropped. */
  end(): void {
    const kept = this.#kept;
    for (let i = 0; i < this.#keptCount; i++) {
      const slot = kept[i]!;
      if (this.#marks[slot] !== this.#walk) this.#entries[slot] = undefined;
    }
    this.#kept = this.#keeping;
    this.#keptCount = this.#keepingCount;
    this.#keeping = kept;
    this.#keepingCount = 0;
  }
}

// A copy of `array` with room for at least `length` (doubling, so growth is amortised,
// but never past `cap`).
function grown(array: Uint32Array, length: number, cap: number): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(Math.max(length, Math.min(2 * array.length, cap)));
  bigger.set(array);
  return bigger;
}

function grownSlots(array: Int32Array, length: number, cap: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(Math.max(length, Math.min(2 * array.length, cap)));
  bigger.set(array);
  return bigger;
}
