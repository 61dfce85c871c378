/**
 * A shard's key → slot index: a `Map`, made immune to a pathology of V8's `Map` that
 * a cache meets in production.
 *
 * V8 leaves a deleted entry in its bucket's chain (as a hole) until the whole table is
 * rehashed, which happens only when live plus deleted entries reach its capacity; a new
 * entry goes to the head of its chain. So a key deleted and inserted again N times
 * leaves N holes in its own bucket, and every lookup of it that finds no live entry
 * first (a miss, and the lookup `set` makes before inserting) walks all of them: a hot
 * key invalidated on every write makes its calls slower without bound (half a
 * millisecond each after 100k invalidations in a 100k-entry cache; `bench/hotKeyChurn.ts`).
 *
 * The remedy: an entry removed by `delete` is not deleted from the `Map` at once but
 * marked gone (a tombstone: a negative slot), and only deleted for real once
 * `ringSize` such removals have followed its latest one. A key that comes back before
 * then is revived in place: no hole, however often it churns. A key that comes back
 * later leaves one hole per `ringSize` removals, which keeps its chain short.
 *
 * A revived entry keeps its old place in the `Map`'s order, while iteration must show
 * it where a `Map` would: after everything inserted before its revival, before what
 * came after. So from the first revival on, each insertion gets a sequence number (5
 * bytes per slot, only in a shard that ever revives a key); iteration with revived
 * ("late") entries present sorts by it. When late entries pile up, the `Map` is rebuilt
 * in the true order and the numbering dropped.
 *
 * Evictions and expiries delete at once ({@link remove} with `keep` false): a key comes
 * back through them at most once per eviction or TTL period, and tombstones on those
 * paths cost about 10 % of a cache-aside loop with a TTL at 100k entries (dropping a
 * tombstone touches an entry last seen ~1,000 removals ago, cold in a large cache).
 */
export class KeyIndex<K> {
  /**
   * The Map itself, for the two hottest lookups (a shard's `get` and `set`), which must
   * stay small enough for V8 to inline into the cache's methods: a value ≥ 0 is a live
   * slot, a negative one a tombstone. Everything else goes through the methods.
   */
  readonly raw: ReadonlyMap<K, number>;
  readonly #map = new Map<K, number>();
  #size = 0;
  // Keys of recent tombstones, oldest at #ringNext once the ring is full.
  readonly #ring: (K | undefined)[];
  #ringNext = 0;
  #ringFill = 0;
  readonly #capacity: number;
  // Per slot: 1 when its entry was revived in place (its Map position is stale), and
  // its insertion's sequence number. Both made by the first revival: a cache that never
  // sets a key it just deleted pays no byte for them.
  #late: Uint8Array | undefined;
  #lateCount = 0;
  #sequence: Uint32Array | undefined;
  #inserted = 0;
  readonly #reorderAt: number;

  /**
   * @param capacity - slots are `0 … capacity - 1`.
   * @param ringSize - how many tombstones are kept (default: capacity, at least 16, at most 1,024).
   * @param reorderAt - an iteration that finds this many revived entries rebuilds the `Map` in order (default: 1,024, or an eighth of the capacity if more), so that later iterations need not sort them again.
   */
  constructor(capacity: number, ringSize = Math.min(1024, Math.max(16, capacity)), reorderAt = Math.max(1024, capacity >>> 3)) {
    this.raw = this.#map;
    this.#ring = new Array<K | undefined>(ringSize).fill(undefined);
    this.#capacity = capacity;
    this.#reorderAt = reorderAt;
  }

  /** Live entries. */
  get size(): number {
    return this.#size;
  }

  /** The slot of `key`'s live entry; {@link GONE} for a tombstone, {@link ABSENT} for neither. */
  lookup(key: K): number {
    const slot = this.#map.get(key);
    return slot === undefined ? ABSENT : slot < 0 ? GONE : slot;
  }

  /** True when `key` has a live entry. */
  has(key: K): boolean {
    const slot = this.#map.get(key);
    return slot !== undefined && slot >= 0;
  }

  /**
   * Records `key` (with no live entry) in `slot`.
   * @param revive - {@link lookup} found a tombstone for `key`, with no {@link remove}
   *   that leaves one in between (that could drop `key`'s tombstone; an eviction cannot).
   */
  insert(key: K, slot: number, revive: boolean): void {
    this.#size++;
    let sequence = this.#sequence;
    if (!revive) {
      this.#map.set(key, slot);
      if (sequence !== undefined) this.#number(sequence, slot);
      return;
    }
    sequence ??= this.#startSequence();
    this.#map.set(key, slot); // revived in place: no hole, but its Map position is stale
    this.#late![slot] = 1;
    this.#lateCount++;
    this.#number(sequence, slot);
  }

  /**
   * Removes `key`'s live entry, in `slot`.
   * @param keep - leave a tombstone (`delete`: the key may come straight back); false
   *   deletes at once (eviction, expiry).
   */
  remove(key: K, slot: number, keep: boolean): void {
    this.#size--;
    // No revival yet (every cache that never deletes a key): not even a read of #late.
    if (this.#lateCount !== 0 && this.#late![slot] === 1) {
      this.#late![slot] = 0;
      this.#lateCount--;
    }
    if (!keep) {
      this.#map.delete(key);
      return;
    }
    const ring = this.#ring;
    const at = this.#ringNext;
    if (this.#ringFill === ring.length) {
      // A tombstone records the ring place of its key's latest removal (-1 - place), so
      // only a key whose latest removal is this one goes: one removed again since then
      // (a hot key churning fills the ring with itself) keeps its tombstone, or its entry.
      const oldest = ring[at] as K;
      if (this.#map.get(oldest) === -1 - at) this.#map.delete(oldest);
    } else {
      this.#ringFill++;
    }
    this.#map.set(key, -1 - at);
    ring[at] = key;
    this.#ringNext = at + 1 === ring.length ? 0 : at + 1;
  }

  /** Forgets everything. */
  clear(): void {
    this.#map.clear();
    this.#size = 0;
    this.#ring.fill(undefined);
    this.#ringNext = this.#ringFill = 0;
    // Dropped, not zeroed: a new one (made by the next revival) costs no pass over the
    // capacity, where fill(0) did (a gigabyte at 2^30 entries).
    if (this.#lateCount !== 0) this.#late = undefined;
    this.#lateCount = 0;
    this.#sequence = undefined;
    this.#inserted = 0;
  }

  /**
   * Calls `visit` for every live entry, in the order a `Map` would hold them (insertion).
   * With revived entries present this merges them back into place, O(n + r log r) for
   * r of them, and when there are many, rebuilds the `Map` in that order so that the
   * next iterations are plain again.
   */
  forEach(visit: (key: K, slot: number) => void): void {
    if (this.#lateCount === 0) {
      for (const [key, slot] of this.#map) if (slot >= 0) visit(key, slot);
      return;
    }
    const order = this.#ordered();
    if (this.#lateCount >= this.#reorderAt) this.#rebuild(order);
    for (const [key, slot] of order) visit(key, slot);
  }

  /** The live keys, in no promised order. */
  *keys(): IterableIterator<K> {
    for (const [key, slot] of this.#map) if (slot >= 0) yield key;
  }

  /** The live slots, in no promised order. */
  *slots(): IterableIterator<number> {
    for (const slot of this.#map.values()) if (slot >= 0) yield slot;
  }

  // The first revival: number the live entries in Map order (still the true order).
  #startSequence(): Uint32Array {
    this.#late ??= new Uint8Array(this.#capacity);
    const sequence = (this.#sequence = new Uint32Array(this.#capacity));
    this.#inserted = 0;
    for (const slot of this.#map.values()) if (slot >= 0) sequence[slot] = ++this.#inserted;
    return sequence;
  }

  #number(sequence: Uint32Array, slot: number): void {
    sequence[slot] = ++this.#inserted;
    if (this.#inserted === 0xffffffff) this.#rebuild(this.#ordered()); // numbered afresh from then on
  }

  // The live entries in insertion order. Those in their own Map position are in order
  // already (appended in turn, numbered in turn); the revived ones are sorted and merged in.
  #ordered(): Array<[K, number]> {
    const sequence = this.#sequence!;
    const late = this.#late!;
    const inPlace: Array<[K, number]> = [];
    const revived: Array<[K, number]> = [];
    for (const [key, slot] of this.#map) if (slot >= 0) (late[slot] === 0 ? inPlace : revived).push([key, slot]);
    revived.sort((a, b) => sequence[a[1]]! - sequence[b[1]]!);
    const order: Array<[K, number]> = [];
    let i = 0;
    let j = 0;
    while (i < inPlace.length || j < revived.length) {
      const takeRevived = i === inPlace.length || (j < revived.length && sequence[revived[j]![1]]! < sequence[inPlace[i]![1]]!);
      order.push(takeRevived ? revived[j++]! : inPlace[i++]!);
    }
    return order;
  }

  // The Map anew, in `order`, without tombstones: nothing is late any more.
  #rebuild(order: Array<[K, number]>): void {
    this.clear();
    for (const [key, slot] of order) this.#map.set(key, slot);
    this.#size = order.length;
  }
}

/** {@link KeyIndex.lookup}: the key has a tombstone (removed recently), no live entry. */
export const GONE = -1;
/** {@link KeyIndex.lookup}: the key is not in the index at all. */
export const ABSENT = -2;
