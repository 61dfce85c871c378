import { sameValueZero } from '../keys/hashKey.js';
import type { GhostKeys } from '../policies/ghostKeys.js';
import { NO_GHOST } from '../policies/ghostKeys.js';

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
 *
 * **Ghosts.** The index also holds the shard policy's ghosts ({@link ghosts}: keys an
 * ARC-, LIRS- or CLOCK-Pro-like policy remembers after evicting them), as entries with
 * a ghost marker: an evicted key the policy keeps from its `onRemove` is marked in place
 * instead of being deleted, and when it comes back its entry moves to the end of the
 * `Map` (as a key evicted and set again does). A ghost is never a live entry: every
 * lookup and count sees it as absent, and iteration passes it by (so iterating costs
 * O(live entries + ghosts)).
 */
export class KeyIndex<K> {
  /**
   * The Map itself, for the two hottest lookups (a shard's `get` and `set`), which must
   * stay small enough for V8 to inline into the cache's methods: a value ≥ 0 is a live
   * slot, a negative one a tombstone or a ghost. Everything else goes through the methods.
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
  // Ghosts (see `ghosts`): the one the policy named in the onRemove of the eviction under
  // way (the entry becomes it, instead of being deleted), and the one the latest
  // insertion replaced (the policy asks for it in onInsert, after the entry took its
  // place; dropped at the next removal or ghost added, so that it never outlives the
  // entry that holds its key).
  #leavingKey: unknown = undefined;
  #leavingGhost = NO_GHOST;
  #arrivedKey: unknown = undefined;
  #arrivedGhost = NO_GHOST;
  // Ghosts the policy holds: markers, and the leaving and arrived ones.
  #ghostCount = 0;

  /**
   * The shard policy's {@link GhostKeys}, kept in this index (see the class comment).
   * Closures over the index's methods: the policy calls them as a plain object's.
   */
  readonly ghosts: GhostKeys = {
    idOf: (key) => this.#ghostIdOf(key),
    add: (key, id) => this.#addGhost(key, id),
    delete: (key, id) => this.#deleteGhost(key, id),
    clear: () => this.#clearGhosts(),
    count: () => this.#ghostCount,
  };

  /**
   * @param capacity - slots are `0 … capacity - 1`.
   * @param ringSize - how many tombstones are kept (default: capacity, at least 16, at most 1,024).
   * @param reorderAt - an iteration that finds this many revived entries rebuilds the `Map` in order (default: 1,024, or an eighth of the capacity if more), so that later iterations need not sort them again.
   */
  constructor(capacity: number, ringSize = Math.min(1024, Math.max(16, capacity)), reorderAt = Math.max(1024, capacity >>> 3)) {
    // Tombstones are -1 … -ringSize; ghost markers start below them.
    if (!(ringSize >= 1 && ringSize <= MAX_RING)) throw new RangeError(`KeyIndex: ringSize must be within 1 … ${MAX_RING}; got ${ringSize}`);
    this.raw = this.#map;
    this.#ring = new Array<K | undefined>(ringSize).fill(undefined);
    this.#capacity = capacity;
    this.#reorderAt = reorderAt;
  }

  /** Live entries. */
  get size(): number {
    return this.#size;
  }

  /** The slot of `key`'s live entry; {@link GONE} for a tombstone or a ghost, {@link ABSENT} for neither. */
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
   * @param found - what `raw.get(key)` answered before the caller made room: `undefined`
   *   (nothing), or a tombstone's or a ghost's marker, whose entry is then revived in
   *   place. If it was a ghost, the policy's `onInsert` still finds it through
   *   {@link ghosts} `.idOf(key)`.
   */
  insert(key: K, slot: number, found: number | undefined): void {
    this.#size++;
    let sequence = this.#sequence;
    // A ghost's marker is read again: the eviction that made room may have made the
    // policy forget it (the entry is gone then). A tombstone may be gone too (dropped
    // from the ring by an eviction that tombstones its victim), which costs nothing to
    // miss: the entry is then appended and numbered as a revived one, in the same order.
    const previous = found !== undefined && found <= FIRST_GHOST ? this.#map.get(key) : found;
    if (previous === undefined) {
      this.#map.set(key, slot);
      if (sequence !== undefined) this.#number(sequence, slot);
      return;
    }
    if (previous <= FIRST_GHOST) {
      // A ghost's key is back: the policy asks for its id in onInsert. Its entry moves to
      // the end, as a key evicted and inserted again does in a Map (a revival in place
      // would leave it out of order, and ghosts come back too often to sort them each
      // iteration).
      if (this.#arrivedGhost !== NO_GHOST) this.#dropArrived(); // the one before, never forgotten
      this.#arrivedKey = key;
      this.#arrivedGhost = FIRST_GHOST - previous;
      this.#map.delete(key);
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
    if (this.#arrivedGhost !== NO_GHOST) this.#dropArrived();
    // No revival yet (every cache that never deletes a key): not even a read of #late.
    if (this.#lateCount !== 0 && this.#late![slot] === 1) {
      this.#late![slot] = 0;
      this.#lateCount--;
    }
    if (this.#leavingGhost !== NO_GHOST) {
      // The policy keeps the evicted key as a ghost: the entry becomes its marker.
      const ghost = this.#leavingGhost;
      const leaving = this.#leavingKey;
      this.#leavingGhost = NO_GHOST;
      this.#leavingKey = undefined;
      if (sameValueZero(leaving, key)) {
        this.#map.set(key, FIRST_GHOST - ghost);
        return;
      }
      this.#ghostCount--; // named for a key that did not leave: never made
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
      if (this.#map.get(oldest) === -1 - at) this.#map.delete(oldest); // not a ghost's marker, nor a live entry
    } else {
      this.#ringFill++;
    }
    this.#map.set(key, -1 - at);
    ring[at] = key;
    this.#ringNext = at + 1 === ring.length ? 0 : at + 1;
  }

  /** Forgets everything, ghosts included. */
  clear(): void {
    this.#forgetGhostState();
    this.#clearEntries();
  }

  // Every entry, tombstone and ghost gone (what clear and #rebuild share).
  #clearEntries(): void {
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

  // The Map anew, in `order`, without tombstones: nothing is late any more. The ghosts
  // stay (after the live entries: they are never listed), and so do the ghosts named
  // in a removal or an insertion under way (iteration never runs inside a command, but
  // this does not rely on it).
  #rebuild(order: Array<[K, number]>): void {
    const ghosts: Array<[K, number]> = [];
    for (const entry of this.#map) if (entry[1] <= FIRST_GHOST) ghosts.push(entry);
    this.#clearEntries();
    for (const [key, slot] of order) this.#map.set(key, slot);
    for (const [key, marker] of ghosts) this.#map.set(key, marker);
    this.#size = order.length;
  }

  #ghostIdOf(key: unknown): number {
    if (this.#arrivedGhost !== NO_GHOST && sameValueZero(this.#arrivedKey, key)) return this.#arrivedGhost;
    if (this.#leavingGhost !== NO_GHOST && sameValueZero(this.#leavingKey, key)) return this.#leavingGhost;
    const marker = this.#map.get(key as K);
    return marker !== undefined && marker <= FIRST_GHOST ? FIRST_GHOST - marker : NO_GHOST;
  }

  #addGhost(key: unknown, id: number): void {
    // A marker outside the ghosts' range would read as a live slot or a tombstone.
    if (!(Number.isInteger(id) && id >= 0 && id <= MAX_GHOST_ID))
      throw new RangeError(`macho: a ghost id must be an integer within 0 … 2^30; got ${String(id)}`);
    if (this.#arrivedGhost !== NO_GHOST) this.#dropArrived();
    const current = this.#map.get(key as K);
    if (current !== undefined && current >= 0) {
      // Live: the policy names it from onRemove, before the entry goes. The entry
      // becomes the marker when it goes (see remove); were it not going, nothing is
      // made and the live entry is untouched.
      if (this.#leavingGhost === NO_GHOST || !sameValueZero(this.#leavingKey, key)) this.#ghostCount++;
      this.#leavingKey = key;
      this.#leavingGhost = id;
      return;
    }
    if (current === undefined || current > FIRST_GHOST) this.#ghostCount++; // not a ghost yet
    this.#map.set(key as K, FIRST_GHOST - id);
  }

  #deleteGhost(key: unknown, id: number): void {
    if (this.#arrivedGhost === id && sameValueZero(this.#arrivedKey, key)) {
      this.#dropArrived(); // its entry is live now: nothing to delete
      return;
    }
    if (this.#leavingGhost === id && sameValueZero(this.#leavingKey, key)) {
      this.#leavingGhost = NO_GHOST; // forgotten before it was made: the entry is deleted
      this.#leavingKey = undefined;
      this.#ghostCount--;
      return;
    }
    // Only that ghost's marker: never a live entry, a tombstone or another ghost.
    if (this.#map.get(key as K) === FIRST_GHOST - id) {
      this.#map.delete(key as K);
      this.#ghostCount--;
    }
  }

  #clearGhosts(): void {
    for (const [key, value] of this.#map) if (value <= FIRST_GHOST) this.#map.delete(key);
    this.#forgetGhostState();
  }

  // No ghost leaving, arrived or counted (the markers are the caller's to drop).
  #forgetGhostState(): void {
    this.#leavingGhost = this.#arrivedGhost = NO_GHOST;
    this.#leavingKey = this.#arrivedKey = undefined;
    this.#ghostCount = 0;
  }

  // The ghost the latest insertion replaced is gone (its key is live again).
  #dropArrived(): void {
    this.#arrivedGhost = NO_GHOST;
    this.#arrivedKey = undefined; // an object key is not kept reachable by the index
    this.#ghostCount--;
  }
}

/** {@link KeyIndex.lookup}: the key has a tombstone (removed recently) or is a ghost, no live entry. */
export const GONE = -1;
/** {@link KeyIndex.lookup}: the key is not in the index at all. */
export const ABSENT = -2;

/** Most tombstones a {@link KeyIndex} keeps: their markers are -1 … -MAX_RING. */
const MAX_RING = 2047;
/** Ghost `g`'s marker is `FIRST_GHOST - g`: below every tombstone's. */
const FIRST_GHOST = -1 - MAX_RING;
/** Ghost ids are 0 … MAX_GHOST_ID (as many as a policy may keep: see withGhosts). */
const MAX_GHOST_ID = 2 ** 30;
