/**
 * LIRS: S. Jiang and X. Zhang, "LIRS: An Efficient Low Inter-reference Recency Set
 * Replacement Policy to Improve Buffer Cache Performance", SIGMETRICS 2002.
 *
 * Design: a key's *inter-reference recency* (IRR) is the number of other keys touched
 * between its last two references. Keys with a low IRR (LIR) hold almost all of the
 * cache (99%); the rest (the resident HIR keys, high IRR, at least one slot) is a small
 * FIFO-like queue Q through which new keys pass, and from whose front every victim is
 * taken. Two structures decide who is which:
 *
 * ```
 *  stack S (recency order)            queue Q (resident HIR keys)
 *  top ─► [x] HIR, resident ───────────────►  end  ... front ─► victim
 *         [y] HIR, non-resident (a ghost: key only)
 *         [z] LIR
 *         ...
 *  bottom [w] LIR (always, after pruning)
 * ```
 *
 * - S holds every LIR key and the HIR keys (resident or not) more recent than the
 *   least recent LIR key. A HIR key referenced while still in S has an IRR below the
 *   LIR set's largest recency: it becomes LIR, and the LIR key at S's bottom (the one
 *   with the largest recency) becomes a resident HIR at Q's end.
 * - *Stack pruning* removes HIR keys from S's bottom until an LIR key is there: those
 *   keys can no longer beat any LIR key. Each key is pushed once and pruned at most
 *   once per push, so pruning is amortised O(1).
 * - A victim (Q's front) stays in S as a non-resident HIR key if it was in S, so that a
 *   quick return makes it LIR at once.
 *
 * **Bounded ghosts.** The paper leaves the number of non-resident keys in S unbounded:
 * a long run of keys that never return (a scan) would keep them all. Here at most
 * `nonResidentMultiplier × capacity` (default 2×, as Caffeine's simulator) are kept;
 * beyond that the one that became non-resident longest ago is forgotten (a queue of
 * ghosts in the order they left the cache, as in Caffeine's simulator, so that no search
 * of S is needed). S therefore never holds more than 3 × capacity entries, and the
 * policy's memory is O(capacity): typed arrays for the links, and an array of the ghost
 * keys (which keep object keys reachable until they are forgotten); in a cache, the
 * ghost keys are found through the shard's own key index (see `GhostKeys`).
 *
 * In this cache the victim is chosen before the new key is placed; LIRS's victim does
 * not depend on the incoming key, and the victim's ghost is added before the incoming
 * key is looked up, as in the paper; only the trimming of ghosts to the bound waits for
 * the insertion, so that the incoming key is never forgotten by the eviction that makes
 * room for it.
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
 * LIRS eviction (SIGMETRICS 2002), with the paper's 1% of HIR slots.
 *
 * - A hit (`get`) and a write to an existing key (`set` or `update`) are references;
 *   `peek` and `has` are not.
 * - While the LIR set is not full (a cold cache, or after deletes), new keys become LIR;
 *   after that they enter as resident HIR keys.
 * - `delete` and expiry forget a key entirely (no ghost); only evictions leave ghosts.
 *   `clear` forgets everything.
 * - With `maxCacheSize: 1` (no room for an LIR key) the policy is a one-entry queue.
 *
 * @example
 * new Cache({ maxCacheSize: 10_000, strategy: 'lirs' });
 * // fewer ghosts (less memory, shorter memory of returning keys):
 * new Cache({ maxCacheSize: 10_000, strategy: lirs({ nonResidentMultiplier: 1 }) });
 */
export function lirs(options: LirsOptions = {}): (context: PolicyContext) => LirsPolicy {
  knownOptions('macho/lirs', options, ['hirPercent', 'nonResidentMultiplier']);
  const hirPercent = numberOption('macho/lirs', 'hirPercent', options.hirPercent, 0.01, 1);
  const nonResidentMultiplier = numberOption('macho/lirs', 'nonResidentMultiplier', options.nonResidentMultiplier, 2, Infinity);
  return trustedFactory((context) =>
    withGhosts('macho/lirs', context.capacity, nonResidentMultiplier, (ghosts) => new Lirs(context, hirPercent, ghosts)),
  );
}

/** Options of {@link lirs}. */
export interface LirsOptions {
  /** Share of the capacity for resident HIR keys (queue Q), in [0, 1]; at least one slot. Default `0.01` (the paper's). */
  hirPercent?: number | undefined;
  /**
   * Most non-resident HIR keys kept in stack S, as a multiple of the capacity (≥ 0). Default `2`.
   * Their bookkeeping (about 30 bytes a ghost) is allocated when the cache is built; at most
   * 2^30 ghosts, else the cache's constructor throws a `RangeError` naming this option.
   */
  nonResidentMultiplier?: number | undefined;
}

/**
 * The `'lirs'` strategy: {@link lirs} with the paper's 1% HIR share and at most
 * 2 × capacity ghosts.
 *
 * @example
 * new Cache({ maxCacheSize: 10_000, strategy: lirsPolicy });
 */
export const lirsPolicy: (context: PolicyContext) => LirsPolicy = lirs();

/** A LIRS policy instance: the {@link EvictionPolicy} hooks, and its stack sizes. */
export interface LirsPolicy extends EvictionPolicy {
  /** Sizes of the sets and stacks, and their bounds. */
  readonly stacks: LirsStacks;
}

/** What a LIRS policy instance reports about itself (tests, tools). */
export interface LirsStacks {
  /** Resident LIR keys (all in S). */
  readonly lir: number;
  /** Resident HIR keys: the size of Q. */
  readonly hir: number;
  /** Non-resident HIR keys (ghosts, all in S). */
  readonly nonResident: number;
  /** Entries in stack S: LIR, resident HIR and non-resident HIR keys. */
  readonly s: number;
  /** Most LIR keys: the capacity less {@link LirsStacks.maxHir}. */
  readonly maxLir: number;
  /** The HIR share of the capacity (at least 1). */
  readonly maxHir: number;
  /** Most non-resident keys kept. */
  readonly maxNonResident: number;
}

const NONE = 0;
const LIR = 1;
const HIR = 2;
const NO_VICTIM = -1;

class Lirs implements LirsPolicy {
  readonly name = 'lirs';
  readonly #c: number;
  readonly #keyOf: (slot: number) => unknown;
  readonly #maxLir: number;
  readonly #maxNonResident: number;
  /** Stack S over ids: a slot (`< c`) for a resident key, `c + g` for ghost `g`. Front: top. */
  readonly #s: SlotList;
  readonly #sNil: number;
  /** Queue Q of resident HIR slots. Front: the end (newest), back: the front (next victim). */
  readonly #q: SlotList;
  readonly #status: Uint8Array; // NONE, LIR or HIR, per slot
  readonly #inS: Uint8Array; // 1 when the slot is in S
  #lirCount = 0;
  #hirCount = 0;
  #sSize = 0;
  /** The slot victim() chose: its removal is an eviction (it may leave a ghost). */
  #victim = NO_VICTIM;

  // Ghosts: non-resident HIR keys in S, numbered 0 … maxNonResident (one spare: the
  // victim's ghost arrives before the incoming key is looked up and the bound restored).
  // Found by key through GhostKeys: in a cache, the shard's own key index.
  readonly #ghostKeys: GhostKeys;
  readonly #ghostKey: unknown[] = []; // grown as ids are first used
  /** Ghosts in the order they left the cache. Front: newest. */
  readonly #ghosts: SlotList;
  readonly #ghostIds: GhostIds;

  constructor(context: PolicyContext, hirPercent: number, maxNonResident: number) {
    const { capacity, keyOf } = context;
    this.#ghostKeys = ghostKeysOf(context);
    this.#c = capacity;
    this.#keyOf = keyOf;
    this.#maxLir = capacity - Math.max(1, Math.ceil(capacity * hirPercent));
    this.#maxNonResident = maxNonResident;
    const ghostIds = this.#maxNonResident + 1;
    this.#s = new SlotList(capacity + ghostIds);
    this.#sNil = capacity + ghostIds;
    this.#q = new SlotList(capacity);
    this.#status = new Uint8Array(capacity);
    this.#inS = new Uint8Array(capacity);
    this.#ghosts = new SlotList(ghostIds);
    this.#ghostIds = new GhostIds(ghostIds);
  }

  /** Sizes of the sets and stacks, and their bounds, for tests and tools. */
  get stacks(): LirsStacks {
    return {
      lir: this.#lirCount,
      hir: this.#hirCount,
      nonResident: this.#ghostKeys.count(),
      s: this.#sSize,
      maxLir: this.#maxLir,
      maxHir: this.#c - this.#maxLir,
      maxNonResident: this.#maxNonResident,
    };
  }

  onInsert(slot: number): void {
    const ghost = this.#ghostKeys.idOf(this.#keyOf(slot));
    if (ghost !== NO_GHOST) {
      // A non-resident HIR key still in S: its IRR is below the LIR set's largest recency.
      this.#dropGhost(ghost);
      this.#pushOnS(slot);
      this.#makeLir(slot);
    } else if (this.#lirCount < this.#maxLir) {
      // The LIR set is not full (a cold cache, or entries deleted): every key is LIR.
      this.#pushOnS(slot);
      this.#status[slot] = LIR;
      this.#lirCount++;
    } else {
      this.#pushOnS(slot);
      this.#status[slot] = HIR;
      this.#q.pushFront(slot);
      this.#hirCount++;
    }
    this.#prune();
    while (this.#ghostKeys.count() > this.#maxNonResident) this.#dropGhost(this.#ghosts.back());
  }

  onAccess(slot: number): void {
    if (this.#status[slot] === LIR) {
      const wasBottom = this.#s.back() === slot;
      this.#s.moveToFront(slot);
      if (wasBottom) this.#prune();
    } else if (this.#inS[slot] === 1) {
      this.#s.moveToFront(slot);
      this.#q.unlink(slot);
      this.#hirCount--;
      this.#makeLir(slot);
      this.#prune();
    } else {
      this.#pushOnS(slot);
      this.#q.moveToFront(slot);
      this.#prune(); // (only does anything when S holds no LIR key: capacity 1, or after deletes)
    }
  }

  onUpdate(slot: number): void {
    this.onAccess(slot);
  }

  onRemove(slot: number): void {
    if (slot === this.#victim) {
      // An eviction: Q's front, a resident HIR key. In S, it stays there as a ghost.
      this.#victim = NO_VICTIM;
      this.#q.unlink(slot);
      this.#hirCount--;
      if (this.#inS[slot] === 1) {
        this.#inS[slot] = 0;
        if (this.#ghostIds.full) this.#dropGhost(this.#ghosts.back()); // only if onInsert was skipped
        const ghost = this.#ghostIds.take();
        const key = this.#keyOf(slot);
        this.#ghostKey[ghost] = key;
        this.#ghostKeys.add(key, ghost);
        this.#s.replace(slot, this.#c + ghost);
        this.#ghosts.pushFront(ghost);
      }
      this.#status[slot] = NONE;
      return;
    }
    // Delete or expiry: forgotten, no ghost.
    if (this.#status[slot] === LIR) this.#lirCount--;
    else {
      this.#q.unlink(slot);
      this.#hirCount--;
    }
    this.#status[slot] = NONE;
    if (this.#inS[slot] === 1) {
      this.#s.unlink(slot);
      this.#inS[slot] = 0;
      this.#sSize--;
      this.#prune();
    }
  }

  victim(): number {
    // Q's front: the resident HIR key that has gone longest without a reference. Q is
    // never empty in a full cache, since at most maxLir < capacity keys are LIR.
    this.#victim = this.#q.back();
    return this.#victim;
  }

  onClear(): void {
    this.#s.clear();
    this.#q.clear();
    this.#ghosts.clear();
    this.#status.fill(NONE);
    this.#inS.fill(0);
    this.#ghostKeys.clear();
    this.#ghostKey.length = 0;
    this.#ghostIds.reset();
    this.#lirCount = this.#hirCount = this.#sSize = 0;
    this.#victim = NO_VICTIM;
  }

  /** `slot` (just put on S's top, in no other list) becomes LIR; the LIR set's overflow goes to Q. */
  #makeLir(slot: number): void {
    this.#status[slot] = LIR;
    if (++this.#lirCount <= this.#maxLir) return;
    // S's bottom is an LIR key (pruned), and not `slot`, which is on top with another LIR key below.
    const bottom = this.#s.back();
    this.#s.unlink(bottom);
    this.#inS[bottom] = 0;
    this.#sSize--;
    this.#status[bottom] = HIR;
    this.#lirCount--;
    this.#q.pushFront(bottom);
    this.#hirCount++;
  }

  /** Puts a resident slot on S's top, or moves it there. */
  #pushOnS(slot: number): void {
    if (this.#inS[slot] === 1) this.#s.moveToFront(slot);
    else {
      this.#s.pushFront(slot);
      this.#inS[slot] = 1;
      this.#sSize++;
    }
  }

  /** Stack pruning: HIR keys leave S's bottom until an LIR key is there (or S is empty). */
  #prune(): void {
    for (;;) {
      const id = this.#s.back();
      if (id === this.#sNil) return;
      if (id >= this.#c) this.#dropGhost(id - this.#c);
      else if (this.#status[id] === LIR) return;
      else {
        this.#s.unlink(id);
        this.#inS[id] = 0;
        this.#sSize--;
      }
    }
  }

  #dropGhost(ghost: number): void {
    this.#s.unlink(this.#c + ghost);
    this.#sSize--;
    this.#ghosts.unlink(ghost);
    this.#ghostKeys.delete(this.#ghostKey[ghost], ghost);
    this.#ghostKey[ghost] = undefined;
    this.#ghostIds.release(ghost);
  }
}
