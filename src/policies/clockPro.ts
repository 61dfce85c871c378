/**
 * CLOCK-Pro: S. Jiang, F. Chen and X. Zhang, "CLOCK-Pro: An Effective Improvement of the
 * CLOCK Replacement", USENIX ATC 2005.
 *
 * Design: LIRS's idea (rank keys by reuse distance, keep the short ones) on a clock. Every
 * page sits in one clock in the order it last went to the clock's head: *hot* pages
 * (resident, short reuse distance), *cold* pages (resident, the only ones ever evicted)
 * and *non-resident* cold pages (ghosts: the key only). A cold page starts a *test
 * period* when it goes to the head; if it is referenced again before the test period
 * ends it has shown a reuse distance shorter than the hot pages' and becomes hot. A hit
 * only sets the page's reference bit; three hands do the rest:
 *
 * ```
 *  clock, oldest first ─────────────────────────────────────────────► head (newest)
 *  [H] [c] [g] [H] [c·] [H] [g] [c·] ...                         [c·] [H] [c·]
 *   ▲HAND_hot  ▲HAND_cold    ▲HAND_test          H hot, c cold, g ghost, · in test
 * ```
 *
 * - HAND_cold, on a miss in a full cache, looks at the oldest resident cold page. Bit
 *   clear: it is the victim, and stays in the clock as a ghost if still in its test
 *   period. Bit set: the bit is cleared, and the page either becomes hot (if in its test
 *   period and HAND_hot can make room: see below) or goes to the head as cold with a new
 *   test period; the hand goes on to the next cold page.
 * - HAND_hot keeps the hot pages within `capacity − m_c`: it demotes the oldest hot page
 *   whose bit is clear (pages with the bit set go to the head, bit cleared). Every cold
 *   page it passes ends its test period, and a ghost that does leaves the clock: a test
 *   period lasts as long as the oldest hot page has been in the clock.
 * - HAND_test ends the oldest test periods when there are more ghosts than the bound.
 * - `m_c`, the target number of resident cold pages, adapts: +1 when a cold page is
 *   referenced in its test period (a ghost's key asked for again, or HAND_cold finding a
 *   page in its test period with its bit set), −1 when a test period ends unused.
 *
 * **Queues instead of a ring.** Every page goes into the clock at the head, and each hand
 * only ever stops at pages of one kind, from the oldest on: HAND_cold at the oldest
 * resident cold page, HAND_hot at the oldest hot page, HAND_test at the oldest page in
 * its test period. So each hand is the back of a queue of its kind (hot, cold, in test),
 * and where two hands meet (HAND_hot passing cold pages) the order between the queues
 * comes from a stamp taken each time a page goes to the head. That is the same sequence
 * of decisions as the ring (`spec/support/clockProModel.ts` runs the ring, hands and all,
 * and the spec compares them step by step), but a hand never walks past pages of the
 * other kinds: on a ring HAND_cold crosses every hot page and ghost between two cold
 * pages, and starts again from the oldest page once the last cold one is gone, which is
 * O(capacity) per miss in a scan past a stable hot set. Here each hand's step is O(1),
 * and every page is passed at most once per visit to the head: hooks are amortised O(1).
 *
 * **What the paper leaves open**, settled as Caffeine's simulator (`irr.ClockPro`, a port
 * of the authors' reference code) does:
 * - `m_c` starts at its lower bound and stays within [1%, 99%] of the capacity (at least
 *   one page of each kind where the capacity allows).
 * - While the cache has free slots (a cold cache, or after deletes) a new key is hot as
 *   long as more than the lower bound of `m_c` slots are free, cold afterwards; a ghost's
 *   key arriving then is simply new.
 * - When HAND_hot, making room for a promotion, reaches the page being promoted without
 *   having demoted a hot page (every older hot page had its bit set), the promotion is
 *   refused and that page's test period ends (the reference implementation does so).
 *   `m_c` then moves twice, as there: +1 for the re-access, and again when the ended
 *   test period is scored (+1 for a resident page whose bit is still set, −1 for a
 *   ghost, whose bit a ghost never has). A stricter reading of the paper would count
 *   the re-access once.
 * - Ghosts are bounded by the capacity (the paper's `m`); `nonResidentMultiplier`
 *   changes the bound. Trimming happens right after the eviction that makes the ghost,
 *   before the incoming key is looked up, as in the paper (so a key can lose its ghost to
 *   the eviction that makes room for it).
 *
 * In this cache `delete` and expiry forget a key entirely: it leaves no ghost, and its
 * own test period ends unscored. But when the page removed is the oldest hot page,
 * HAND_hot moves on to the next one, and the test periods of the cold pages older than
 * that end (and count for `m_c`, a ghost among them leaving the clock), as a test period
 * lasts no longer than the oldest hot page has been in the clock. `clear` forgets
 * everything, `m_c` included. The policy's memory is O(capacity): typed
 * arrays for the queues, stamps and bits, and an array of the ghost keys (which keep
 * object keys reachable until they leave the clock); in a cache, the ghost keys are
 * found through the shard's own key index (see `GhostKeys`).
 *
 * @module
 */
import { knownOptions } from '../errors.js';
import type { EvictionPolicy, PolicyContext } from './policy.js';
import { trustedFactory } from './trusted.js';
import { numberOption, withGhosts } from './numberOption.js';
import { GhostIds } from './ghostIds.js';
import type { GhostKeys } from './ghostKeys.js';
import { ghostKeysOf, NO_GHOST } from './ghostKeys.js';
import { SlotList } from './slotList.js';

/**
 * CLOCK-Pro eviction (USENIX ATC 2005): hot and cold pages on one clock, ghosts for
 * recently evicted cold keys, and an adaptive share of cold pages.
 *
 * - A hit (`get`) and a write to an existing key (`set` or `update`) set the entry's
 *   reference bit; `peek` and `has` do not. Nothing moves on a hit.
 * - Victims are always cold pages; a scan of keys seen once passes through the cold
 *   pages and leaves the hot ones alone.
 * - `delete` and expiry forget a key entirely (no ghost); only evictions leave ghosts.
 *   `clear` forgets everything.
 * - With `maxCacheSize: 1` (no room for a hot page) the policy is a one-entry clock.
 *
 * @example
 * new Cache({ maxCacheSize: 10_000, strategy: 'clockpro' });
 * // remember twice as many evicted keys (more memory, longer memory of returning keys):
 * new Cache({ maxCacheSize: 10_000, strategy: clockPro({ nonResidentMultiplier: 2 }) });
 */
export function clockPro(options: ClockProOptions = {}): (context: PolicyContext) => ClockProPolicy {
  knownOptions('macho/clockpro', options, ['minColdPercent', 'maxColdPercent', 'nonResidentMultiplier']);
  const minColdPercent = numberOption('macho/clockpro', 'minColdPercent', options.minColdPercent, 0.01, 1);
  const maxColdPercent = numberOption('macho/clockpro', 'maxColdPercent', options.maxColdPercent, 0.99, 1);
  if (minColdPercent > maxColdPercent)
    throw new RangeError(`macho/clockpro: option "minColdPercent" (${minColdPercent}) must not exceed "maxColdPercent" (${maxColdPercent})`);
  const nonResidentMultiplier = numberOption('macho/clockpro', 'nonResidentMultiplier', options.nonResidentMultiplier, 1, Infinity);
  return trustedFactory((context) =>
    withGhosts('macho/clockpro', context.capacity, nonResidentMultiplier, (ghosts) => new ClockPro(context, minColdPercent, maxColdPercent, ghosts)),
  );
}

/** Options of {@link clockPro}. */
export interface ClockProOptions {
  /** Lower bound of the cold target `m_c`, as a share of the capacity in [0, 1]; at least one page. Default `0.01`. */
  minColdPercent?: number | undefined;
  /** Upper bound of the cold target `m_c`, as a share of the capacity in [0, 1]; at least the lower bound. Default `0.99`. */
  maxColdPercent?: number | undefined;
  /**
   * Most non-resident (ghost) keys kept, as a multiple of the capacity (≥ 0). Default `1` (the paper's `m`).
   * Their bookkeeping (about 30 bytes a ghost) is allocated when the cache is built; at most
   * 2^30 ghosts, else the cache's constructor throws a `RangeError` naming this option.
   */
  nonResidentMultiplier?: number | undefined;
}

/**
 * The `'clockpro'` strategy: {@link clockPro} with the cold target adapting between 1%
 * and 99% of the capacity and at most `capacity` ghosts.
 *
 * @example
 * new Cache({ maxCacheSize: 10_000, strategy: clockProPolicy });
 */
export const clockProPolicy: (context: PolicyContext) => ClockProPolicy = clockPro();

/** A CLOCK-Pro policy instance: the {@link EvictionPolicy} hooks, and its clock's counts. */
export interface ClockProPolicy extends EvictionPolicy {
  /** Counts of each kind of page, and the cold target with its bounds. */
  readonly clock: ClockProCounts;
}

/** What a CLOCK-Pro policy instance reports about its clock (tests, tools). */
export interface ClockProCounts {
  /** Resident hot pages. */
  readonly hot: number;
  /** Resident cold pages. */
  readonly cold: number;
  /** Non-resident cold pages (ghosts: keys only). */
  readonly nonResident: number;
  /** Pages in their test period: resident cold ones and every ghost. */
  readonly inTest: number;
  /** The adaptive target `m_c` of resident cold pages; hot pages are kept within `capacity − m_c`. */
  readonly coldTarget: number;
  /** Lower bound of {@link ClockProCounts.coldTarget}, and its value at start. */
  readonly minCold: number;
  /** Upper bound of {@link ClockProCounts.coldTarget}. */
  readonly maxCold: number;
  /** Most ghosts kept. */
  readonly maxNonResident: number;
}

const NONE = 0;
const HOT = 1;
const COLD = 2;
const NO_VICTIM = -1;

// A class, not an object of closures (see fifo.ts): one shared set of methods keeps the
// shard's call sites monomorphic across caches.
class ClockPro implements ClockProPolicy {
  readonly name = 'clockpro';
  readonly #c: number;
  readonly #keyOf: (slot: number) => unknown;
  readonly #minCold: number;
  readonly #maxCold: number;
  readonly #maxNonResident: number;
  /** `m_c`. */
  #coldTarget: number;

  // Pages are numbered by id: a slot (`< c`) for a resident page, `c + g` for ghost `g`.
  /** Hot slots; front: newest, back: HAND_hot. */
  readonly #hot: SlotList;
  /** Resident cold slots; back: HAND_cold. */
  readonly #cold: SlotList;
  /** Ids in their test period (resident cold slots and all ghosts); back: HAND_test. */
  readonly #test: SlotList;
  readonly #testNil: number;
  /** When each id last went to the clock's head: orders pages across the three queues. */
  readonly #stamp: Float64Array;
  #now = 0;
  readonly #status: Uint8Array; // NONE, HOT or COLD, per slot
  readonly #referenced: Uint8Array; // the reference bit, per slot
  readonly #inTest: Uint8Array; // 1 when the id is in #test
  #hotCount = 0;
  #coldCount = 0;
  #testCount = 0;
  /** The slot victim() chose: its removal is an eviction (it may leave a ghost). */
  #victim = NO_VICTIM;
  /** The last removal was an eviction: the insertion that follows is a miss in a full cache. */
  #evicted = false;

  // Ghosts, numbered 0 … maxNonResident (one spare: an eviction adds one before trimming).
  // Found by key through GhostKeys: in a cache, the shard's own key index.
  readonly #ghosts: GhostKeys;
  readonly #ghostKey: unknown[] = []; // grown as ids are first used
  readonly #ghostIds: GhostIds;

  constructor(context: PolicyContext, minColdPercent: number, maxColdPercent: number, maxNonResident: number) {
    const { capacity, keyOf } = context;
    this.#ghosts = ghostKeysOf(context);
    this.#c = capacity;
    this.#keyOf = keyOf;
    this.#minCold = Math.max(1, Math.floor(capacity * minColdPercent));
    // Room for a hot page (and the lower bound's share of them) where the capacity allows.
    this.#maxCold = Math.max(this.#minCold, Math.min(Math.floor(capacity * maxColdPercent), capacity - this.#minCold));
    this.#coldTarget = this.#minCold;
    this.#maxNonResident = maxNonResident;
    const ghostIds = this.#maxNonResident + 1;
    // A resident page is hot or cold, never both: one links array serves the two.
    [this.#hot, this.#cold] = SlotList.disjoint(capacity, 2) as [SlotList, SlotList];
    this.#test = new SlotList(capacity + ghostIds);
    this.#testNil = capacity + ghostIds;
    this.#stamp = new Float64Array(capacity + ghostIds);
    this.#status = new Uint8Array(capacity);
    this.#referenced = new Uint8Array(capacity);
    this.#inTest = new Uint8Array(capacity + ghostIds);
    this.#ghostIds = new GhostIds(ghostIds);
  }

  /** Counts of each kind of page, and the cold target, for tests and tools. */
  get clock(): ClockProCounts {
    return {
      hot: this.#hotCount,
      cold: this.#coldCount,
      nonResident: this.#ghosts.count(),
      inTest: this.#testCount,
      coldTarget: this.#coldTarget,
      minCold: this.#minCold,
      maxCold: this.#maxCold,
      maxNonResident: this.#maxNonResident,
    };
  }

  onInsert(slot: number): void {
    const missWhenFull = this.#evicted;
    this.#evicted = false;
    const ghost = this.#ghosts.idOf(this.#keyOf(slot));
    if (missWhenFull) {
      // A ghost's key is back within its test period: a reuse distance shorter than the
      // hot pages' recency. It becomes hot if HAND_hot makes room.
      if (ghost !== NO_GHOST && this.#canPromote(this.#c + ghost)) {
        if (this.#inTest[this.#c + ghost] === 1) this.#forgetGhost(ghost);
        this.#pushHot(slot);
        this.#settleHotHand();
      } else {
        if (ghost !== NO_GHOST && this.#inTest[this.#c + ghost] === 1) this.#forgetGhost(ghost);
        this.#pushCold(slot);
      }
      return;
    }
    // Free slots: the cache is warming up (or lost entries to deletes).
    if (ghost !== NO_GHOST) this.#forgetGhost(ghost);
    if (this.#c - this.#hotCount - this.#coldCount > this.#minCold) {
      this.#pushHot(slot);
      this.#settleHotHand();
    } else this.#pushCold(slot);
  }

  onAccess(slot: number): void {
    this.#referenced[slot] = 1;
  }

  onUpdate(slot: number): void {
    this.#referenced[slot] = 1;
  }

  onRemove(slot: number): void {
    if (slot === this.#victim) {
      // An eviction: HAND_cold's page, resident cold with its bit clear.
      this.#victim = NO_VICTIM;
      this.#evicted = true;
      this.#cold.unlink(slot);
      this.#coldCount--;
      this.#status[slot] = NONE;
      if (this.#inTest[slot] === 1) {
        // Still in its test period: it stays in the clock, in its place, as a ghost. (An
        // id is free: every eviction trims the ghosts back to the bound.)
        const ghost = this.#ghostIds.take();
        const id = this.#c + ghost;
        const key = this.#keyOf(slot);
        this.#ghostKey[ghost] = key;
        this.#ghosts.add(key, ghost);
        this.#test.replace(slot, id);
        this.#inTest[slot] = 0;
        this.#inTest[id] = 1;
        this.#stamp[id] = this.#stamp[slot]!;
        // HAND_test: too many ghosts end the oldest test periods.
        while (this.#ghosts.count() > this.#maxNonResident) this.#terminate(this.#test.back());
      }
      return;
    }
    // Delete or expiry: forgotten, no ghost.
    this.#referenced[slot] = 0;
    if (this.#status[slot] === HOT) {
      this.#status[slot] = NONE;
      this.#hot.unlink(slot);
      this.#hotCount--;
      this.#settleHotHand();
      return;
    }
    this.#status[slot] = NONE;
    this.#cold.unlink(slot);
    this.#coldCount--;
    if (this.#inTest[slot] === 1) this.#leaveTest(slot);
  }

  victim(): number {
    // HAND_cold. The cold queue is never empty in a full cache: the insertion that fills
    // it is cold, and a promotion leaves at least m_c ≥ 1 cold pages.
    for (;;) {
      const slot = this.#cold.back();
      if (this.#referenced[slot] === 0) {
        this.#victim = slot;
        return slot;
      }
      // The bit stays set while HAND_hot runs: a test period it ends counts as used.
      if (this.#inTest[slot] === 1 && this.#canPromote(slot)) {
        this.#referenced[slot] = 0;
        this.#cold.unlink(slot);
        this.#coldCount--;
        if (this.#inTest[slot] === 1) this.#leaveTest(slot);
        this.#pushHot(slot);
        this.#settleHotHand();
      } else {
        // Referenced, but no promotion: to the head, still cold, with a new test period.
        this.#referenced[slot] = 0;
        this.#cold.moveToFront(slot);
        this.#stamp[slot] = ++this.#now;
        if (this.#inTest[slot] === 1) this.#test.moveToFront(slot);
        else this.#enterTest(slot);
      }
    }
  }

  onClear(): void {
    this.#hot.clear();
    this.#cold.clear();
    this.#test.clear();
    this.#status.fill(NONE);
    this.#referenced.fill(0);
    this.#inTest.fill(0);
    this.#ghosts.clear();
    this.#ghostKey.length = 0;
    this.#ghostIds.reset();
    this.#hotCount = this.#coldCount = this.#testCount = 0;
    this.#coldTarget = this.#minCold;
    this.#victim = NO_VICTIM;
    this.#evicted = false;
  }

  /**
   * Page `id` (in its test period) was referenced: `m_c` grows, and HAND_hot demotes hot
   * pages until there is room for one more. False when it cannot (see {@link #runHandHot}).
   */
  #canPromote(id: number): boolean {
    this.#adjustColdTarget(+1);
    while (this.#hotCount >= this.#c - this.#coldTarget) {
      if (this.#inTest[id] === 0) return false; // HAND_hot passed it: its test period is over
      if (!this.#runHandHot(id)) return false;
    }
    return true;
  }

  /**
   * HAND_hot, until it demotes one hot page or reaches `trigger` (the page to promote):
   * hot pages with their bit set go to the head (bit cleared), the first without is
   * demoted to a cold page at the head (no test period); cold pages passed end their
   * test periods. True if a page was demoted.
   */
  #runHandHot(trigger: number): boolean {
    if (this.#hotCount === 0) return false;
    let demoted = false;
    for (;;) {
      const hot = this.#hot.back();
      const test = this.#test.back();
      if (test !== this.#testNil && this.#stamp[test]! < this.#stamp[hot]!) {
        // A cold page in its test period before the next hot page: the hand passes it.
        if (test === trigger) break;
        this.#terminate(test);
        continue;
      }
      this.#stamp[hot] = ++this.#now;
      if (this.#referenced[hot] === 1) {
        this.#referenced[hot] = 0;
        this.#hot.moveToFront(hot);
        continue;
      }
      this.#hot.unlink(hot);
      this.#hotCount--;
      this.#status[hot] = COLD;
      this.#cold.pushFront(hot);
      this.#coldCount++;
      demoted = true;
      break;
    }
    this.#settleHotHand();
    return demoted;
  }

  /**
   * HAND_hot moves on to the oldest hot page, ending the test period of every cold page
   * older than it: no page stays in its test period longer than the oldest hot page has
   * been in the clock. With no hot page the hand waits; the next hot page's arrival ends
   * every older test period.
   */
  #settleHotHand(): void {
    if (this.#hotCount === 0) return;
    const oldestHot = this.#stamp[this.#hot.back()]!;
    for (;;) {
      const test = this.#test.back();
      if (test === this.#testNil || this.#stamp[test]! > oldestHot) return;
      this.#terminate(test);
    }
  }

  /** Ends `id`'s test period; a ghost leaves the clock. `m_c` learns whether it was used. */
  #terminate(id: number): void {
    if (id >= this.#c) {
      this.#forgetGhost(id - this.#c);
      this.#adjustColdTarget(-1); // a ghost's key was not asked for again
      return;
    }
    this.#leaveTest(id);
    this.#adjustColdTarget(this.#referenced[id] === 1 ? +1 : -1);
  }

  #adjustColdTarget(by: number): void {
    this.#coldTarget = Math.min(this.#maxCold, Math.max(this.#minCold, this.#coldTarget + by));
  }

  /** A new hot page at the head. */
  #pushHot(slot: number): void {
    this.#status[slot] = HOT;
    this.#hot.pushFront(slot);
    this.#hotCount++;
    this.#stamp[slot] = ++this.#now;
  }

  /** A new cold page at the head, in its test period. */
  #pushCold(slot: number): void {
    this.#status[slot] = COLD;
    this.#cold.pushFront(slot);
    this.#coldCount++;
    this.#stamp[slot] = ++this.#now;
    this.#enterTest(slot);
  }

  #enterTest(slot: number): void {
    this.#test.pushFront(slot);
    this.#inTest[slot] = 1;
    this.#testCount++;
  }

  #leaveTest(id: number): void {
    this.#test.unlink(id);
    this.#inTest[id] = 0;
    this.#testCount--;
  }

  /** Ghost `ghost` leaves the clock (its key returned, or its test period ended). */
  #forgetGhost(ghost: number): void {
    this.#leaveTest(this.#c + ghost);
    this.#ghosts.delete(this.#ghostKey[ghost], ghost);
    this.#ghostKey[ghost] = undefined;
    this.#ghostIds.release(ghost);
  }
}
