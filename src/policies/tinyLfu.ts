import { describe, knownOptions } from '../errors.js';
import { hashKey, sameValueZero } from '../keys/hashKey.js';
import { FrequencySketch } from './frequencySketch.js';
import { numberOption } from './numberOption.js';
import type { EvictionPolicy, PolicyContext } from './policy.js';
import { trustedFactory } from './trusted.js';
import { SlotList } from './slotList.js';

/**
 * W-TinyLFU, as in Caffeine: a small LRU admission window in front of a segmented LRU
 * main area, with a frequency sketch deciding who gets into the main area.
 *
 * ```
 *  new key ─► window (LRU, ~1%) ──candidate──► probation (SLRU, 20% of main) ──hit──► protected (80%)
 *                                    │  full?       ▲  victim = probation's LRU          │ overflow
 *                                    └─ compare sketch frequencies:                      ▼
 *                                       the less frequent of candidate and victim    back to probation
 *                                       is evicted
 * ```
 *
 * - Every access counts in a {@link FrequencySketch} (4-bit count-min, halved every
 *   10 × capacity increments): hits (`get`, overwriting `set`), misses (`get` of an
 *   absent key, through `onMiss`) and insertions. A miss followed by the `set` of the
 *   same key (cache-aside) counts once, as one request in a trace does, also when up to
 *   8 loads overlap (`get a`, `get b`, `set b`, `set a`): the policy remembers the last
 *   8 missed keys until their `set` comes (so a key missed and never set stays
 *   reachable until misses of 8 other keys follow).
 * - A new key enters the window. When the window overflows, its LRU entry becomes the
 *   candidate for the main area; when the cache is full, the candidate and the main
 *   area's victim (probation's LRU, or protected's if probation is empty) are compared:
 *   the candidate is admitted only if its frequency is strictly higher. As in Caffeine,
 *   a warm candidate (frequency ≥ 6) that loses is still admitted once in 128, drawn from
 *   the shard's seeded generator, so that an attacker flooding the sketch cannot pin a
 *   hot victim forever, and a replay draws the same.
 * - A hit in probation promotes the entry to protected; protected's overflow goes back
 *   to probation's most recent end.
 * - Small caches: the window holds at least one entry; with capacity 1 there is no main
 *   area and the policy is plain LRU; with capacity 2 the protected segment is empty.
 * - `delete` and expiry remove entries from whichever segment holds them. `clear`
 *   empties the segments and keeps the sketch (the keys' popularity is still true).
 *
 * In this cache the victim is chosen before the new key is placed (the shard asks for
 * a victim when it is full, then inserts). The decision is the same as Caffeine's,
 * which inserts first and evicts after: the window's LRU that the new key pushes out
 * is known before the new key arrives. One exception, reachable only with
 * `protectedPercent: 1` (probation can then be empty): Caffeine moves the candidate
 * into probation first, finds it there as probation's oldest entry, and evicts it
 * unjudged; here it is compared with protected's oldest entry, so that a main area
 * made all of protected still admits keys more frequent than its coldest one.
 *
 * Adaptive window sizing (Caffeine's hill climber: a sample of 10 × capacity requests
 * while the cache is full, a step of 6.25% of the capacity towards whichever window size
 * last raised the hit rate, decaying by 2% a sample, restarting on a 5-point jump) was
 * built and measured on every recorded trace, and left out: it does not pay. On gli it
 * changes nothing above 250 entries (+0.03 there: above 601 entries gli's 6,015 requests
 * never complete a sample). Over the 69 (trace, size) cells of BENCHMARKS.md it was
 * better in 12, worse in 31, and reached 79.8% of optimal's hits against 80.7% for the
 * fixed 1% window: noisy samples make it wander, which costs most on loops (loop and
 * zigzag at 75%: −4.1 points; scan at 50%: −1.5; ps at 5%: −1.5). Where it gains, on
 * recency-heavy sprite (+2.8 points at 708 entries), a fixed 20% window gains more
 * (+3.4): pass `windowPercent` for such loads.
 *
 * Two sketch refinements were measured the same way and left out (figures in
 * BENCHMARKS.md, "What was tried for 1750"). TinyLFU's doorkeeper (a bloom filter that
 * absorbs first occurrences) raised the mean to 82.5% of optimal but was worse in more
 * cells than better, and its gain came from the slower aging it causes, not from the
 * filter: halving every 20 × capacity with no doorkeeper gains as much. Conservative
 * update (raising only the minimum counters) fell to 77.1%, losing most on loops.
 *
 * @example
 * new Cache({ maxCacheSize: 10_000, strategy: 'tinylfu' });
 * // or with a larger window, for recency-heavy loads:
 * new Cache({ maxCacheSize: 10_000, strategy: tinyLfu({ windowPercent: 0.2 }) });
 */
export function tinyLfu(options: TinyLfuOptions = {}): (context: PolicyContext) => TinyLfuPolicy {
  knownOptions('macho/tinyLfu', options, ['windowPercent', 'protectedPercent', 'jitter']);
  const windowPercent = numberOption('macho/tinyLfu', 'windowPercent', options.windowPercent, 0.01, 1);
  const protectedPercent = numberOption('macho/tinyLfu', 'protectedPercent', options.protectedPercent, 0.8, 1);
  const jitter = options.jitter === undefined ? true : options.jitter; // null is a mistake, not the default
  if (typeof jitter !== 'boolean') throw new TypeError(`macho/tinyLfu: option "jitter" must be a boolean; got ${describe(jitter)}`);
  return trustedFactory((context) => new WindowTinyLfu(context, windowPercent, protectedPercent, jitter));
}

/** Options of {@link tinyLfu}. */
export interface TinyLfuOptions {
  /** Share of the capacity given to the admission window, in [0, 1]; at least one entry. Default `0.01`. */
  windowPercent?: number | undefined;
  /** Share of the main area given to the protected segment, in [0, 1]. Default `0.8`. */
  protectedPercent?: number | undefined;
  /** Admit a warm candidate that lost the comparison once in 128 (hash-flooding defence). Default `true`. */
  jitter?: boolean | undefined;
}

/**
 * The `'tinylfu'` strategy: {@link tinyLfu} with Caffeine's defaults (1% window,
 * 80% of the main area protected).
 *
 * @example
 * new Cache({ maxCacheSize: 10_000, strategy: tinyLfuPolicy });
 */
export const tinyLfuPolicy: (context: PolicyContext) => TinyLfuPolicy = tinyLfu();

/** Seed of the key hash fed to the sketch: independent of the shard routing hash (seed 0). */
export const TINY_LFU_HASH_SEED = 0x7e1f5eed;

/** Candidates at least this frequent may be admitted at random after losing (Caffeine's value). */
export const ADMIT_HASHDOS_THRESHOLD = 6;

/** A W-TinyLFU policy instance: the {@link EvictionPolicy} hooks, and what it can tell about itself. */
export interface TinyLfuPolicy extends EvictionPolicy {
  /** The sketch's estimate for `key` (0 … 15): what admission compares. */
  frequency(key: unknown): number;
  /** Segment sizes and bounds. */
  readonly segments: TinyLfuSegments;
}

/** What a W-TinyLFU policy instance reports about its segments (tests, tools). */
export interface TinyLfuSegments {
  readonly window: number;
  readonly probation: number;
  readonly protected: number;
  readonly maxWindow: number;
  readonly maxProtected: number;
}

// Loads under way whose miss is remembered (a power of two). More at once, and the
// oldest misses' sets count a second time, as a set with no get before it does.
const PENDING_MISSES = 8;
// An empty place in the ring (any value, undefined included, can be a key).
const NO_KEY: unknown = Symbol('no key');

const NONE = 0;
const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;

class WindowTinyLfu implements TinyLfuPolicy {
  readonly name = 'tinylfu';
  readonly #keyOf: (slot: number) => unknown;
  readonly #random: () => number;
  readonly #jitter: boolean;
  readonly #sketch: FrequencySketch;
  readonly #maxWindow: number;
  readonly #maxProtected: number;
  readonly #window: SlotList;
  readonly #probation: SlotList;
  readonly #protected: SlotList;
  readonly #segment: Uint8Array; // NONE, WINDOW, PROBATION or PROTECTED, per slot
  readonly #hash: Uint32Array; // the sketch hash of each slot's key, computed once on insert
  #windowSize = 0;
  #probationSize = 0;
  #protectedSize = 0;
  // The last PENDING_MISSES keys `get` missed whose `set` has not come yet, and their
  // hashes: that `set` (cache-aside, or one of several loads under way) completes the
  // same request, which counted once already, on its miss. A ring, newest at
  // #pendingNext - 1; a matched or never-set key is overwritten in turn.
  readonly #pendingKeys: unknown[] = new Array<unknown>(PENDING_MISSES).fill(NO_KEY);
  readonly #pendingHashes = new Uint32Array(PENDING_MISSES);
  #pendingNext = 0;

  constructor(context: PolicyContext, windowPercent: number, protectedPercent: number, jitter: boolean) {
    const capacity = context.capacity;
    this.#keyOf = context.keyOf;
    this.#random = context.random;
    this.#jitter = jitter;
    this.#sketch = new FrequencySketch(capacity);
    const maxMain = Math.min(capacity - 1, Math.floor(capacity * (1 - windowPercent)));
    this.#maxWindow = capacity - maxMain;
    this.#maxProtected = Math.floor(maxMain * protectedPercent);
    // A slot is in one segment at a time: one links array serves all three.
    [this.#window, this.#probation, this.#protected] = SlotList.disjoint(capacity, 3) as [SlotList, SlotList, SlotList];
    this.#segment = new Uint8Array(capacity);
    this.#hash = new Uint32Array(capacity);
  }

  /** The sketch's estimate for `key` (0 … 15): what admission compares. For tests and tools. */
  frequency(key: unknown): number {
    return this.#sketch.frequency(hashKey(key, TINY_LFU_HASH_SEED));
  }

  /** Segment sizes and bounds, for tests and tools. */
  get segments(): TinyLfuSegments {
    return {
      window: this.#windowSize,
      probation: this.#probationSize,
      protected: this.#protectedSize,
      maxWindow: this.#maxWindow,
      maxProtected: this.#maxProtected,
    };
  }

  onInsert(slot: number): void {
    const key = this.#keyOf(slot);
    const pending = this.#pendingMiss(key);
    if (pending === -1) {
      const hash = hashKey(key, TINY_LFU_HASH_SEED);
      this.#hash[slot] = hash;
      this.#sketch.increment(hash);
    } else {
      // Its miss counted it, and hashed it (a string key's hash is a loop over its
      // characters, the largest cost of a miss-then-set here).
      this.#hash[slot] = this.#pendingHashes[pending]!;
      this.#pendingKeys[pending] = NO_KEY; // not kept alive by the policy
    }
    this.#window.pushFront(slot);
    this.#segment[slot] = WINDOW;
    // Not full (no victim was asked for): the window's overflow moves to the main area.
    if (++this.#windowSize > this.#maxWindow) this.#toProbation(this.#window.back());
  }

  onAccess(slot: number): void {
    this.#sketch.increment(this.#hash[slot]!);
    switch (this.#segment[slot]) {
      case WINDOW:
        this.#window.moveToFront(slot);
        break;
      case PROBATION:
        this.#promote(slot);
        break;
      default:
        this.#protected.moveToFront(slot);
    }
  }

  onUpdate(slot: number): void {
    this.onAccess(slot); // as in Caffeine, a write is an access
  }

  onMiss(key: unknown): void {
    const hash = hashKey(key, TINY_LFU_HASH_SEED);
    this.#sketch.increment(hash);
    const keys = this.#pendingKeys;
    const hashes = this.#pendingHashes;
    let at = this.#pendingMissOf(key, hash);
    if (at === -1) {
      at = this.#pendingNext;
      this.#pendingNext = (at + 1) & (PENDING_MISSES - 1);
    } else {
      // Missed again (callers joining one load): it keeps one place, moved to the newest,
      // the misses after it one place back. A copy per miss would push other loads'
      // misses out, and be left to swallow a later set of its own.
      const newest = (this.#pendingNext - 1) & (PENDING_MISSES - 1);
      for (let next = (at + 1) & (PENDING_MISSES - 1); at !== newest; next = (next + 1) & (PENDING_MISSES - 1)) {
        keys[at] = keys[next];
        hashes[at] = hashes[next]!;
        at = next;
      }
    }
    keys[at] = key;
    hashes[at] = hash;
  }

  onRemove(slot: number): void {
    switch (this.#segment[slot]) {
      case WINDOW:
        this.#window.unlink(slot);
        this.#windowSize--;
        break;
      case PROBATION:
        this.#probation.unlink(slot);
        this.#probationSize--;
        break;
      default:
        this.#protected.unlink(slot);
        this.#protectedSize--;
    }
    this.#segment[slot] = NONE;
  }

  victim(): number {
    // The main area's victim: probation's LRU, else protected's.
    const mainVictim =
      this.#probationSize !== 0 ? this.#probation.back() : this.#protectedSize !== 0 ? this.#protected.back() : -1;
    // The new key pushes the window's LRU out: that is the candidate. (When the cache is
    // full, so is the window: a delete leaves at least as much room in the cache as in
    // the window, and an insertion refills the window first.)
    const candidate = this.#window.back();
    if (mainVictim === -1) return candidate; // no main area (capacity 1): plain LRU
    if (!this.#admit(this.#hash[candidate]!, this.#hash[mainVictim]!)) return candidate;
    this.#toProbation(candidate);
    return mainVictim;
  }

  onClear(): void {
    this.#window.clear();
    this.#probation.clear();
    this.#protected.clear();
    this.#segment.fill(NONE);
    this.#windowSize = this.#probationSize = this.#protectedSize = 0;
    this.#pendingKeys.fill(NO_KEY);
  }

  // As #pendingMiss, when the hash is known: comparing it first rejects the others
  // without comparing keys (two strings of equal length compare by content).
  #pendingMissOf(key: unknown, hash: number): number {
    const hashes = this.#pendingHashes;
    for (let at = 0; at < PENDING_MISSES; at++) {
      if (hashes[at] !== hash) continue;
      const pending = this.#pendingKeys[at];
      if (sameValueZero(pending, key)) return at;
    }
    return -1;
  }

  // Where `key` waits among the pending misses (the newest first: cache-aside finds it
  // at once), or -1. Keys compare as the cache's index does (NaN is one key).
  #pendingMiss(key: unknown): number {
    const keys = this.#pendingKeys;
    for (let back = 1; back <= PENDING_MISSES; back++) {
      const at = (this.#pendingNext - back) & (PENDING_MISSES - 1);
      const pending = keys[at];
      if (sameValueZero(pending, key)) return at;
    }
    return -1;
  }

  #admit(candidateHash: number, victimHash: number): boolean {
    const candidateFrequency = this.#sketch.frequency(candidateHash);
    const victimFrequency = this.#sketch.frequency(victimHash);
    if (candidateFrequency > victimFrequency) return true;
    return this.#jitter && candidateFrequency >= ADMIT_HASHDOS_THRESHOLD && this.#random() < 1 / 128;
  }

  #toProbation(slot: number): void {
    this.#window.unlink(slot);
    this.#windowSize--;
    this.#probation.pushFront(slot);
    this.#probationSize++;
    this.#segment[slot] = PROBATION;
  }

  #promote(slot: number): void {
    this.#probation.unlink(slot);
    this.#probationSize--;
    this.#protected.pushFront(slot);
    this.#segment[slot] = PROTECTED;
    if (++this.#protectedSize > this.#maxProtected) {
      const demoted = this.#protected.back();
      this.#protected.unlink(demoted);
      this.#protectedSize--;
      this.#probation.pushFront(demoted);
      this.#probationSize++;
      this.#segment[demoted] = PROBATION;
    }
  }
}
