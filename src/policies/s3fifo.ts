/**
 * S3-FIFO: J. Yang, Y. Zhang, Z. Qiu, Y. Yue and K. V. Rashmi, "FIFO queues are all you
 * need for cache eviction", SOSP 2023.
 *
 * Design: three FIFO queues. A small queue S (10% of the capacity) takes new entries
 * and filters out the one-hit wonders quickly; a main queue M (the other 90%) holds
 * what proved itself; a ghost queue G remembers the *keys* (no values) recently evicted
 * from S, as many as M holds, so a key that comes back soon goes straight to M. Each
 * entry has a 2-bit access counter (0 … 3).
 *
 * - insert: into M if the key is in G (and it leaves G), else into S; the counter starts at 0.
 *   As in the paper, G is consulted before the eviction that makes room: the victim's
 *   key joins G only after the incoming key was looked up.
 * - hit: the counter goes up by one, capped at 3. Nothing moves.
 * - evict, when S holds at least its 10% share (or M is empty): look at the tail of S.
 *   Accessed more than once (counter > 1, the paper's Algorithm 1; its artifact's
 *   `move-to-main-threshold=2`)? Move it to the head of M with its counter cleared, and
 *   look at the next tail. Otherwise it is the victim, and its key goes into G. If S
 *   runs dry this way, evict from M.
 * - evict from M: the tail with a counter above 0 is reinserted at the head with the
 *   counter decreased by one (a 2-bit CLOCK); the first tail at 0 is the victim.
 *
 * One victim per call: the shard's contract. Evicting from M in the middle of a
 * promotion and then still evicting from S (as the paper's pseudocode can read) would
 * remove two entries for one insert; like the SOSP artifact (libCacheSim `S3FIFOv0`),
 * this version lets promotions overfill M for a moment, and the next eviction (seeing
 * S under its share) takes from M. Selection moves entries between S and M, but never
 * removes one: the shard calls `onRemove(victim)` afterwards.
 *
 * Cost: S and M are {@link SlotList}s, the counters and queue tags `Uint8Array`s, all
 * sized by the capacity. `victim()` is amortised O(1): each promotion happens once per
 * stay in S, and each reinsertion into M spends one count that a hit paid for. The
 * ghost holds keys, not slots (a slot is reused as soon as its entry leaves): each key
 * has a place number (found through the shard's own key index, see `GhostKeys`), and a
 * linked list keeps the places in arrival order, sized like M; remembering, forgetting
 * the oldest and taking a key out are O(1).
 *
 * Tiny capacities: S always gets at least one slot, so with `maxCacheSize: 1` S has one
 * slot and M none (an entry promoted or readmitted from G is then evicted from M next).
 *
 * @module
 */
import type { GhostKeys } from './ghostKeys.js';
import { ghostKeysOf, NO_GHOST } from './ghostKeys.js';
import type { EvictionPolicy, PolicyContext } from './policy.js';
import { SlotList } from './slotList.js';

/** The counter's cap: two bits. */
const MAX_FREQUENCY = 3;
/** Promote from S to M when the counter is above this. */
const PROMOTE_ABOVE = 1;

/**
 * S3-FIFO eviction (SOSP 2023): a small and a main FIFO queue and a ghost queue of
 * recently evicted keys.
 *
 * - A hit (`get`) and a write to an existing key (`set` or `update`) count as an access
 *   (the 2-bit counter, capped at 3); `peek` and `has` do not.
 * - New keys enter the small queue (10% of the shard's capacity, at least one slot);
 *   a key evicted from the small queue that comes back while the ghost still remembers
 *   it enters the main queue.
 * - Deletes and expiry remove an entry without remembering its key in the ghost; only
 *   evictions from the small queue do. `clear` forgets the ghost too.
 *
 * @example
 * const cache = new Cache<string, number>({ maxCacheSize: 10, strategy: 's3fifo' });
 * for (let i = 0; i < 10; i++) cache.set(`k${i}`, i);
 * cache.get('k0');
 * cache.get('k0'); // k0 is in the small queue with two accesses
 * cache.set('x', 1); // k0 moves to the main queue; k1 is evicted, its key kept in the ghost
 * cache.set('k1', 1); // remembered: k1 goes straight into the main queue
 */
export function s3fifoPolicy(context: PolicyContext): EvictionPolicy {
  const { capacity, keyOf } = context;
  const smallShare = Math.max(1, Math.floor(capacity / 10));
  const mainShare = capacity - smallShare;
  // A slot is in S or in M, never both: one links array serves the two.
  const [small, main] = SlotList.disjoint(capacity, 2) as [SlotList, SlotList];
  const inMain = new Uint8Array(capacity); // 1: the slot is in M, 0: in S
  const frequency = new Uint8Array(capacity);
  const ghost = new GhostQueue(Math.max(1, mainShare), ghostKeysOf(context));
  let smallSize = 0;
  let mainSize = 0;
  // The key of the victim just chosen from S, on its way into G: see `onInsert`.
  let leaving: unknown;
  let isLeaving = false;

  const ghostTheVictim = (): void => {
    if (!isLeaving) return;
    ghost.remember(leaving);
    leaving = undefined;
    isLeaving = false;
  };

  const access = (slot: number): void => {
    const count = frequency[slot]!;
    if (count < MAX_FREQUENCY) frequency[slot] = count + 1;
  };

  const evictFromMain = (): number => {
    for (;;) {
      const slot = main.back();
      const count = frequency[slot]!;
      if (count === 0) return slot;
      frequency[slot] = count - 1;
      main.moveToFront(slot);
    }
  };

  return {
    name: 's3fifo',
    onInsert(slot) {
      frequency[slot] = 0;
      // The paper looks the key up in G when it is requested, before making room for it;
      // the shard asks for the victim first. So the victim's key joins G only after the
      // look-up, or with a small G it could push out the very key that is coming back.
      const remembered = ghost.take(keyOf(slot));
      ghostTheVictim();
      if (remembered) {
        inMain[slot] = 1;
        main.pushFront(slot);
        mainSize++;
      } else {
        inMain[slot] = 0;
        small.pushFront(slot);
        smallSize++;
      }
    },
    onAccess: access,
    onUpdate: access,
    onRemove(slot) {
      if (inMain[slot] === 1) {
        main.unlink(slot);
        mainSize--;
      } else {
        small.unlink(slot);
        smallSize--;
      }
    },
    victim() {
      ghostTheVictim(); // (only if the shard skipped onInsert after the last victim)
      // The cache is full here, so S under its share means M over its own, and the reverse.
      if (smallSize < smallShare && mainSize !== 0) return evictFromMain();
      while (smallSize !== 0) {
        const slot = small.back();
        if (frequency[slot]! <= PROMOTE_ABOVE) {
          leaving = keyOf(slot);
          isLeaving = true;
          return slot;
        }
        small.unlink(slot);
        smallSize--;
        frequency[slot] = 0;
        inMain[slot] = 1;
        main.pushFront(slot);
        mainSize++;
      }
      return evictFromMain();
    },
    onClear() {
      small.clear();
      main.clear();
      smallSize = 0;
      mainSize = 0;
      leaving = undefined;
      isLeaving = false;
      ghost.clear();
    },
  };
}

/**
 * The ghost queue: up to `capacity` keys, FIFO, with O(1) membership and O(1) removal
 * from the middle (a key that comes back leaves G and frees its place, as in the
 * paper's queue). Keys sit in numbered places; {@link GhostKeys} (in a cache, the
 * shard's own key index) finds a key's place and a {@link SlotList} keeps the places in
 * arrival order, so nothing is allocated per call.
 *
 * A key is never remembered twice: G holds only keys evicted from S, an evicted key is
 * no longer cached, and it leaves G when it is inserted again.
 */
class GhostQueue {
  readonly #placeOf: GhostKeys;
  // Grown as places are first used, not allocated up front: a packed array of
  // `capacity` holes filled with undefined is a fatal out-of-memory at 2^30, where the
  // typed arrays below only reserve pages that are never touched.
  readonly #keys: unknown[] = [];
  readonly #arrivals: SlotList; // front: the newest ghost
  readonly #free: Uint32Array;
  readonly #capacity: number;
  #freeCount = 0;
  #fresh = 0; // places below this were used at least once

  constructor(capacity: number, placeOf: GhostKeys) {
    this.#placeOf = placeOf;
    this.#capacity = capacity;
    this.#arrivals = new SlotList(capacity);
    this.#free = new Uint32Array(capacity);
  }

  /** Adds `key` as the newest ghost, forgetting the oldest when full. */
  remember(key: unknown): void {
    let place: number;
    if (this.#placeOf.count() === this.#capacity) {
      place = this.#arrivals.back();
      this.#arrivals.unlink(place);
      this.#placeOf.delete(this.#keys[place], place);
    } else place = this.#freeCount !== 0 ? this.#free[--this.#freeCount]! : this.#fresh++;
    this.#keys[place] = key;
    this.#placeOf.add(key, place);
    this.#arrivals.pushFront(place);
  }

  /** True if `key` is a ghost; it then stops being one. */
  take(key: unknown): boolean {
    const place = this.#placeOf.idOf(key);
    if (place === NO_GHOST) return false;
    this.#placeOf.delete(key, place);
    this.#arrivals.unlink(place);
    this.#keys[place] = undefined; // let the key be collected
    this.#free[this.#freeCount++] = place;
    return true;
  }

  /** Forgets every ghost. */
  clear(): void {
    this.#placeOf.clear();
    this.#keys.length = 0;
    this.#arrivals.clear();
    this.#freeCount = 0;
    this.#fresh = 0;
  }
}
