import type { EvictionPolicy, PolicyContext } from './policy.js';
import { GhostIds } from './ghostIds.js';
import type { GhostKeys } from './ghostKeys.js';
import { ghostKeysOf, NO_GHOST } from './ghostKeys.js';
import { SlotList } from './slotList.js';

/**
 * ARC, the Adaptive Replacement Cache (Megiddo & Modha, FAST 2003): two LRU lists of
 * resident entries, T1 (seen once recently) and T2 (seen at least twice), and two
 * "ghost" lists of keys recently evicted from them, B1 and B2. A miss on a key in B1
 * means T1 was too small, so the target size `p` of T1 grows; a miss on a key in B2
 * shrinks it. Eviction (the paper's REPLACE) takes T1's LRU while T1 is above target,
 * else T2's LRU, and remembers the evicted key in B1 or B2.
 *
 * Bounds, as in the paper: |T1| + |T2| ≤ c, |T1| + |B1| ≤ c, and all four lists
 * together ≤ 2c. The ghosts are keys only (no values), in an array plus a linked list,
 * found by key through the shard's own key index (see `GhostKeys`); they keep object
 * keys reachable until they fall off (at most c of them).
 *
 * **Victim before insertion.** The paper adapts `p` (cases II and III) and then runs
 * REPLACE, whose tie rule also depends on whether the incoming key is in B2. This cache
 * asks for the victim before it inserts the key, and passes that key to `victim()`,
 * which runs the paper's steps for it exactly; `p` itself is committed on insertion,
 * and the ghost lists change only then (the victim's key becomes a ghost after the
 * incoming key has left its own ghost list, so the eviction never costs the incoming
 * key its ghost).
 *
 * Hits and overwrites move an entry to T2's most recent end (case I); `peek`/`has` do
 * not count. `delete` and expiry remove an entry without making it a ghost; `clear`
 * forgets everything, `p` included.
 *
 * @example
 * new Cache({ maxCacheSize: 10_000, strategy: 'arc' });
 */
export function arcPolicy(context: PolicyContext): ArcPolicy {
  return new Arc(context);
}

/** An ARC policy instance: the {@link EvictionPolicy} hooks, and its list sizes. */
export interface ArcPolicy extends EvictionPolicy {
  /** List sizes and the target `p`. */
  readonly lists: ArcLists;
}

/** What an ARC policy instance reports about its lists (tests, tools). */
export interface ArcLists {
  /** Resident, seen once recently. */
  readonly t1: number;
  /** Resident, seen at least twice. */
  readonly t2: number;
  /** Ghost keys evicted from T1. */
  readonly b1: number;
  /** Ghost keys evicted from T2. */
  readonly b2: number;
  /** Target size of T1. */
  readonly p: number;
}

const NO_EVICTION = 0;
const T1 = 1;
const T2 = 2;
const B1 = 1;
const B2 = 2;

class Arc implements ArcPolicy {
  readonly name = 'arc';
  readonly #c: number;
  readonly #keyOf: (slot: number) => unknown;
  readonly #t1: SlotList;
  readonly #t2: SlotList;
  readonly #list: Uint8Array; // T1, T2 or 0, per slot
  #t1Size = 0;
  #t2Size = 0;
  /** The target size of T1 (integer, as in Caffeine's simulator). */
  #p = 0;

  // Ghosts: ids 0 … c, each a key in B1 or B2.
  // Found by key through GhostKeys: in a cache, the shard's own key index.
  readonly #ghostKeys: GhostKeys;
  readonly #ghostKey: unknown[] = []; // grown as ids are first used
  readonly #ghostList: Uint8Array; // B1, B2 or 0, per ghost id
  readonly #b1: SlotList;
  readonly #b2: SlotList;
  readonly #ghostIds: GhostIds;
  #b1Size = 0;
  #b2Size = 0;

  // The entry victim() chose: its key and the ghost list it goes to (B1, B2), on insertion.
  #evicted = NO_EVICTION;
  #evictedKey: unknown = undefined;

  constructor(context: PolicyContext) {
    const { capacity, keyOf } = context;
    this.#ghostKeys = ghostKeysOf(context);
    this.#c = capacity;
    this.#keyOf = keyOf;
    // A slot is in T1 or T2, a ghost in B1 or B2: one links array per pair.
    [this.#t1, this.#t2] = SlotList.disjoint(capacity, 2) as [SlotList, SlotList];
    this.#list = new Uint8Array(capacity);
    // After every insertion at most c ghosts remain; victim() adds one before that.
    const ghosts = capacity + 1;
    this.#ghostList = new Uint8Array(ghosts);
    [this.#b1, this.#b2] = SlotList.disjoint(ghosts, 2) as [SlotList, SlotList];
    this.#ghostIds = new GhostIds(ghosts);
  }

  /** List sizes and the target `p`, for tests and tools. */
  get lists(): ArcLists {
    return { t1: this.#t1Size, t2: this.#t2Size, b1: this.#b1Size, b2: this.#b2Size, p: this.#p };
  }

  onInsert(slot: number): void {
    const key = this.#keyOf(slot);
    const evicted = this.#evicted;
    this.#evicted = NO_EVICTION;
    const ghost = this.#ghostKeys.idOf(key);
    if (ghost !== NO_GHOST) {
      // Cases II and III: a ghost hit. Adapt p (victim(), if it ran for this key, decided
      // with this same value: the ghost lists have not changed since), then the key
      // leaves its ghost list for T2.
      this.#p = this.#adapted(this.#ghostList[ghost] === B1);
      this.#dropGhost(ghost);
      if (evicted !== NO_EVICTION) this.#addGhost(this.#evictedKey, evicted);
      this.#t2.pushFront(slot);
      this.#list[slot] = T2;
      this.#t2Size++;
    } else {
      // Case IV: a new key enters T1, and REPLACE's victim becomes a ghost. (In case A
      // with B1 empty, T1 alone filled the cache and its LRU leaves for good: the trim
      // below drops that ghost again, as |T1| + |B1| would exceed c.)
      if (evicted !== NO_EVICTION) this.#addGhost(this.#evictedKey, evicted);
      this.#t1.pushFront(slot);
      this.#list[slot] = T1;
      this.#t1Size++;
    }
    this.#evictedKey = undefined;
    // The paper's bounds. With the paper's own steps this drops exactly the ghosts case IV
    // drops (B1's LRU in case A, B2's LRU when the directory holds 2c); it also restores
    // the bounds after deletes, which the paper does not have.
    while (this.#t1Size + this.#b1Size > this.#c && this.#b1Size !== 0) this.#dropGhost(this.#b1.back());
    while (this.#t1Size + this.#t2Size + this.#b1Size + this.#b2Size > 2 * this.#c)
      this.#dropGhost(this.#b2Size !== 0 ? this.#b2.back() : this.#b1.back());
  }

  onAccess(slot: number): void {
    // Case I: a hit moves the entry to T2's most recent end.
    if (this.#list[slot] === T1) {
      this.#t1.unlink(slot);
      this.#t1Size--;
      this.#t2.pushFront(slot);
      this.#t2Size++;
      this.#list[slot] = T2;
    } else this.#t2.moveToFront(slot);
  }

  onUpdate(slot: number): void {
    this.onAccess(slot);
  }

  onRemove(slot: number): void {
    if (this.#list[slot] === T1) {
      this.#t1.unlink(slot);
      this.#t1Size--;
    } else {
      this.#t2.unlink(slot);
      this.#t2Size--;
    }
    this.#list[slot] = 0;
  }

  victim(incoming?: unknown): number {
    // Which of T1 and T2 loses its LRU (the paper's REPLACE, or case IV-A's plain
    // eviction from T1). Ghost lists change only in onInsert, for the key inserted.
    const ghost = this.#ghostKeys.idOf(incoming);
    let slot: number;
    if (ghost !== NO_GHOST) {
      // Cases II and III: REPLACE with p adapted first (committed on insertion).
      const inB2 = this.#ghostList[ghost] === B2;
      slot = this.#replace(inB2, this.#adapted(!inB2));
    } else {
      // Case IV: a key in no ghost list.
      slot = this.#replace(false, this.#p);
    }
    // (Case IV-A with B1 empty, T1 alone holding c keys, evicts T1's LRU: REPLACE picks
    // that same entry, since then |T1| > p or T2 is empty.)
    this.#evicted = this.#list[slot] === T1 ? B1 : B2;
    this.#evictedKey = this.#keyOf(slot);
    return slot;
  }

  onClear(): void {
    this.#t1.clear();
    this.#t2.clear();
    this.#b1.clear();
    this.#b2.clear();
    this.#list.fill(0);
    this.#ghostKeys.clear();
    this.#ghostKey.length = 0;
    this.#ghostList.fill(0, 0, this.#ghostIds.used);
    this.#ghostIds.reset();
    this.#t1Size = this.#t2Size = this.#b1Size = this.#b2Size = 0;
    this.#p = 0;
    this.#evicted = NO_EVICTION;
    this.#evictedKey = undefined;
  }

  /** p after a ghost hit in B1 (grow T1's target) or in B2 (shrink it); integer steps. */
  #adapted(inB1: boolean): number {
    const b1 = this.#b1Size;
    const b2 = this.#b2Size;
    if (inB1) return Math.min(this.#c, this.#p + (b1 >= b2 ? 1 : Math.floor(b2 / b1)));
    return Math.max(0, this.#p - (b2 >= b1 ? 1 : Math.floor(b1 / b2)));
  }

  /** The paper's REPLACE: T1's LRU if T1 is above its target, else T2's (never an empty list). */
  #replace(incomingInB2: boolean, p: number): number {
    const t1 = this.#t1Size;
    const fromT1 = t1 >= 1 && ((incomingInB2 && t1 === p) || t1 > p || this.#t2Size === 0);
    return fromT1 ? this.#t1.back() : this.#t2.back();
  }

  #addGhost(key: unknown, list: number): void {
    if (this.#ghostIds.full) this.#dropGhost(this.#b1Size >= this.#b2Size ? this.#b1.back() : this.#b2.back());
    const id = this.#ghostIds.take();
    this.#ghostKey[id] = key;
    this.#ghostList[id] = list;
    this.#ghostKeys.add(key, id);
    if (list === B1) {
      this.#b1.pushFront(id);
      this.#b1Size++;
    } else {
      this.#b2.pushFront(id);
      this.#b2Size++;
    }
  }

  #dropGhost(id: number): void {
    if (this.#ghostList[id] === B1) {
      this.#b1.unlink(id);
      this.#b1Size--;
    } else {
      this.#b2.unlink(id);
      this.#b2Size--;
    }
    this.#ghostKeys.delete(this.#ghostKey[id], id);
    this.#ghostKey[id] = undefined;
    this.#ghostList[id] = 0;
    this.#ghostIds.release(id);
  }
}
