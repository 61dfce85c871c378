/**
 * A cuckoo filter (Fan, Andersen, Kaminsky, Mitzenmacher, "Cuckoo Filter: Practically
 * Better Than Bloom", CoNEXT 2014): a {@link MembershipFilter} that stores a short
 * fingerprint of each key in one of two buckets, and so can delete keys without
 * counters.
 *
 * Layout and choices:
 *
 * - **Buckets of 4 fingerprints**, packed bit by bit in a `Uint32Array` (a 10-bit
 *   fingerprint takes 10 bits, not a 16-bit array cell), so memory is `f / α` bits per
 *   key at load `α`, as in the paper.
 * - **Fingerprint size from the target rate**: `f = ceil(log2(2b / p))` with `b = 4`,
 *   clamped to 8 … 16 bits; the false-positive rate is then at most `2b / 2^f ≤ p`
 *   (about `2b·α / 2^f` at load `α`). Below `p = 8 / 2^16 ≈ 1.22e-4` the fingerprint
 *   would need more than 16 bits: that is a `RangeError`, not a silent weaker filter.
 * - **Sized for 95 % load** at `capacity` keys: `ceil(capacity / (4 × 0.95))` buckets.
 * - **Partial-key cuckoo hashing.** The second bucket is computed from the first and
 *   the fingerprint alone, so a fingerprint can be moved without its key. The paper
 *   uses `i2 = i1 XOR hash(f)`, which needs a power-of-two bucket count: a filter sized
 *   for `n` keys would then sit anywhere between 48 % and 95 % load, up to twice the
 *   memory. Here `i2 = (hash(f) − i1) mod m`, which is also its own inverse
 *   (`(hash(f) − i2) mod m = i1`) and works for any bucket count `m`.
 * - **Two key hashes per operation** (as the bloom and xor filters): the bucket comes
 *   from one 32-bit `hashKey`, the fingerprint from another with its own seed. With one
 *   hash for both, a stranger whose 32-bit hash equals a member's would always be a false
 *   positive, adding `n / 2^32` to the rate: 2.3e-5 at 100,000 keys, but 4.7e-4 at two
 *   million, 1.4 × a target of 0.001 and 4 × the smallest target. Keys whose first
 *   hashes are equal (crafted ones included) differ in their fingerprints and so in
 *   their second buckets: where two shared buckets and the stash held 16 of them, a
 *   crafted set now needs hundreds (a share of the 2^f fingerprints) to fill one.
 * - **Bounded kicks, no key ever lost.** An insert that finds both buckets full evicts
 *   a random resident and moves it to its other bucket, at most 500 times. If the last
 *   evicted fingerprint still has no place, it goes to a small **stash** (8 entries,
 *   checked by every lookup while it is not empty, drained as removals make room), so
 *   the filter never silently loses a key. When the stash itself is full, `add` refuses
 *   *before changing anything*: {@link CuckooFilter.tryAdd} returns `false` and
 *   {@link CuckooFilter.add} throws a {@link FilterCapacityError} — unless the filter
 *   was given `liveKeys` (what a cache shard does), in which case `add` never throws.
 * - **With `liveKeys`: grow when crowded, else keep the key exactly.** A full stash
 *   has two causes, and only one is cured by a bigger table. If the table is at least
 *   half full it is honestly crowded: the filter rebuilds itself once with twice the
 *   buckets from the owner's live keys. Random keys do not, in practice, fill the
 *   stash of a table less than half full; keys that do are piling onto a few buckets,
 *   keys whose two hashes are both equal (unique symbols of one description hash alike;
 *   cache keys may come from an attacker, and the hash is FNV-1a, not a keyed hash),
 *   which share both buckets and the fingerprint at every size: doubling would only allocate, up to 2^31 bits, and then
 *   fail. Such a key goes to an **exact overflow** instead, a `Map` from key to count,
 *   consulted by lookups while it is not empty and emptied by `remove` and `clear`. A
 *   rebuild that cannot place a key sends it there too, so one `add` doubles at most
 *   once. Both stay bounded by the owner: the table grows only while live keys fill
 *   half of it, and an owner that never holds more than `capacity` keys (a shard,
 *   which removes every key it evicts, deletes or expires) fills less than half of a
 *   doubled table, so its filter doubles at most once; the overflow holds only live
 *   keys. Neither outgrows what the shard's capacity justifies.
 *
 * Contract, as for the counting bloom filter: `remove` only keys that were added (and
 * once per `add`). Removing a key that was never added may delete another key's
 * matching fingerprint and cause a false negative for it.
 *
 * @module
 */

import { seedBits } from '../policies/seededRandom.js';
import { describe, knownOptions } from '../errors.js';
import { checkFilterArguments, checkFilterBits, MAX_FILTER_BITS } from './filterArguments.js';
import { hashKeyPair, hashPair, mix32, sameValueZero } from '../keys/hashKey.js';
import type { MembershipFilter } from './membershipFilter.js';

const PREFIX = 'macho/cuckoo: ';

/** Fingerprints per bucket, `b`. */
export const CUCKOO_BUCKET_SIZE = 4;
/** The load the filter is sized for at `capacity` keys. */
export const CUCKOO_LOAD_FACTOR = 0.95;
/** Evictions tried before an insert falls back to the stash. */
export const CUCKOO_MAX_KICKS = 500;
/** Fingerprints the overflow stash holds. */
export const CUCKOO_STASH_SIZE = 8;
/** The smallest target false-positive rate a 16-bit fingerprint reaches: `2b / 2^16`. */
export const MIN_CUCKOO_PROBABILITY = (2 * CUCKOO_BUCKET_SIZE) / 2 ** 16;

const MIN_FINGERPRINT_BITS = 8;
const MAX_FINGERPRINT_BITS = 16;
const TWO_TO_MINUS_32 = 2 ** -32;

// Not 0: shardOf() routes with seed 0, so every key of a shard shares hashKey(key, 0)
// modulo the shard count, and bucket indices taken from it would be skewed.
const KEY_SEED = 0x3c6ef372;
const FINGERPRINT_SEED = 0x1f83d9ab;
const ALTERNATE_SALT = 0x27d4eb2f;

/**
 * The size of a cuckoo filter.
 *
 * @example
 * const { fingerprintBits, buckets, bits }: CuckooParameters = cuckooParameters(1000, 0.01);
 * // fingerprintBits === 10, buckets === 264, bits === 10_560
 */
export interface CuckooParameters {
  /** Bits per fingerprint, `f`, from 8 to 16. */
  readonly fingerprintBits: number;
  /** Number of buckets, `m` (each holds {@link CUCKOO_BUCKET_SIZE} fingerprints). */
  readonly buckets: number;
  /** Bits of fingerprint storage: `m · b · f`. */
  readonly bits: number;
}

/**
 * The cuckoo filter size for `capacity` keys at false-positive probability
 * `probability`: `f = clamp(ceil(log2(2b / p)), 8, 16)` bits per fingerprint and
 * `ceil(capacity / (b · 0.95))` buckets of `b = 4`.
 *
 * @param capacity - keys the filter must hold; an integer ≥ 1.
 * @param probability - target false-positive rate, from {@link MIN_CUCKOO_PROBABILITY}
 *   (≈ 1.22e-4) to 1 (exclusive).
 * @throws TypeError if an argument is not a number; RangeError if it is out of range.
 *   Messages name the argument.
 * @example
 * cuckooParameters(1000, 0.01);  // { fingerprintBits: 10, buckets: 264, bits: 10_560 }
 * cuckooParameters(1000, 0.1);   // { fingerprintBits: 8, … } (never fewer than 8 bits)
 * cuckooParameters(1000, 0.001); // { fingerprintBits: 13, … }
 */
export function cuckooParameters(capacity: number, probability: number): CuckooParameters {
  checkFilterArguments(PREFIX, capacity, probability);
  if (!(probability >= MIN_CUCKOO_PROBABILITY && probability < 1)) {
    throw new RangeError(
      `${PREFIX}probability must be at least ${MIN_CUCKOO_PROBABILITY} (2·4 / 2^16: fingerprints are at ` +
        `most 16 bits) and below 1; got ${describe(probability)}`,
    );
  }
  const wanted = Math.ceil(Math.log2((2 * CUCKOO_BUCKET_SIZE) / probability));
  const fingerprintBits = Math.min(MAX_FINGERPRINT_BITS, Math.max(MIN_FINGERPRINT_BITS, wanted));
  const buckets = Math.max(1, Math.ceil(capacity / (CUCKOO_BUCKET_SIZE * CUCKOO_LOAD_FACTOR)));
  const bits = buckets * CUCKOO_BUCKET_SIZE * fingerprintBits;
  checkFilterBits(PREFIX, capacity, probability, bits);
  return { fingerprintBits, buckets, bits };
}

/**
 * Thrown by {@link CuckooFilter.add} when a key cannot be stored: both its buckets are
 * full, the eviction walk found no room and the stash is full. The filter is unchanged
 * (no key was lost); rebuild it with a larger capacity.
 *
 * @example
 * try {
 *   filter.add(key);
 * } catch (error) {
 *   if (error instanceof FilterCapacityError) rebuildBigger();
 * }
 */
export class FilterCapacityError extends RangeError {
  override readonly name = 'FilterCapacityError';
}

/** Options of a {@link CuckooFilter}. */
export interface CuckooFilterOptions<K> {
  /**
   * Yields the owner's current members. When given, `add` never throws: a key that
   * cannot be stored makes the filter rebuild itself with twice the buckets from these
   * keys if the table is at least half full, and otherwise goes to a small exact
   * overflow (see {@link CuckooFilter.overflowed}). It must yield the members as they
   * are once the `add` under way is done: every key added and not removed, as many
   * times as it was added (the filter is a multiset), the key being added included. A
   * key it does not yield at all is added once, so an owner that records a key only
   * after adding it (and adds each key once) works too. A cache shard passes its
   * index's keys, which hold the new key already.
   */
  readonly liveKeys?: (() => Iterable<K>) | undefined;
  /** Seed of the generator that picks which fingerprint to evict: a safe integer. Default `1`. */
  readonly seed?: number | undefined;
}

// The bucket of a 32-bit hash: Lemire's multiply-shift range reduction over its high bits.
function bucketOf(hash: number, buckets: number): number {
  return (hash * buckets * TWO_TO_MINUS_32) | 0;
}

// A fingerprint in 1 … mask (0 marks an empty slot), from the key's second hash.
function fingerprintOf(hash: number, mask: number): number {
  return 1 + ((hash * mask * TWO_TO_MINUS_32) | 0);
}

// The other bucket of a fingerprint in `bucket`: (hash(f) − bucket) mod m, its own inverse.
function alternateOf(bucket: number, fingerprint: number, buckets: number): number {
  const other = bucketOf(mix32(fingerprint ^ ALTERNATE_SALT), buckets) - bucket;
  return other < 0 ? other + buckets : other;
}

/**
 * A cuckoo filter: a {@link MembershipFilter} with deletion, about `f / 0.95` bits per
 * key at capacity (10.5 at `p = 0.01`, against 9.6 for an ideal bloom filter that cannot
 * delete and 77 for the counting bloom filter that can), and no allocation per call.
 *
 * Adding the same key twice stores two fingerprints (a multiset, like the counting bloom
 * filter); remove it as many times.
 *
 * @typeParam K - the key type (hashed as by `Map`: SameValueZero).
 * @example
 * const filter = new CuckooFilter<string>(10_000, 0.01);
 * filter.add('user:1');
 * filter.mightContain('user:1'); // true
 * filter.mightContain('user:2'); // false (or true with probability ≤ 0.008)
 * filter.remove('user:1');       // true: it was there
 * filter.mightContain('user:1'); // false
 */
export class CuckooFilter<K = unknown> implements MembershipFilter<K> {
  /** Keys the filter was sized for. */
  readonly capacity: number;
  /** The target false-positive probability it was sized for. */
  readonly probability: number;
  /** Bits per fingerprint, `f`. */
  readonly fingerprintBits: number;

  #words: Uint32Array;
  #buckets: number;
  readonly #mask: number;
  #count = 0;
  readonly #stashBuckets = new Uint32Array(CUCKOO_STASH_SIZE);
  readonly #stashPrints = new Uint16Array(CUCKOO_STASH_SIZE);
  #stashCount = 0;
  #random: number;
  readonly #liveKeys: (() => Iterable<K>) | undefined;
  #growths = 0;
  // Keys the table could not place while growing would not have helped, with their
  // multiplicity (the filter is a multiset). Only filters with liveKeys use it.
  readonly #overflow = new Map<K, number>();
  #overflowCount = 0;
  // Set when a rebuild from liveKeys failed half-way: answer "maybe" until clear().
  #saturated = false;

  /**
   * @param capacity - keys the filter must hold; an integer ≥ 1.
   * @param probability - target false-positive rate, in [≈1.22e-4, 1).
   * @param options - `liveKeys` to grow instead of failing, `seed` of the eviction choices.
   * @throws TypeError or RangeError naming the bad argument (see {@link cuckooParameters}).
   * @example
   * const filter = new CuckooFilter<number>(100_000, 0.01); // 26,316 buckets of 4 × 10 bits
   */
  constructor(capacity: number, probability: number, options: CuckooFilterOptions<K> = {}) {
    const { fingerprintBits, buckets, bits } = cuckooParameters(capacity, probability);
    knownOptions('macho/cuckoo', options, ['liveKeys', 'seed']);
    const { liveKeys, seed = 1 } = options;
    if (liveKeys !== undefined && typeof liveKeys !== 'function') {
      throw new TypeError(`${PREFIX}liveKeys must be a function; got ${describe(liveKeys)}`);
    }
    const bits32 = seedBits('macho/cuckoo', seed);
    this.capacity = capacity;
    this.probability = probability;
    this.fingerprintBits = fingerprintBits;
    this.#mask = 2 ** fingerprintBits - 1;
    this.#buckets = buckets;
    this.#words = new Uint32Array(Math.ceil(bits / 32));
    this.#liveKeys = liveKeys;
    this.#random = mix32(bits32) || 1;
  }

  /** Keys added and not removed: fingerprints in the table and the stash, plus the exact overflow. */
  get size(): number {
    return this.#count + this.#overflowCount;
  }

  /** Number of buckets (grows only when a filter with `liveKeys` rebuilds itself). */
  get buckets(): number {
    return this.#buckets;
  }

  /** Fingerprints waiting in the stash (0 in normal operation). */
  get stashed(): number {
    return this.#stashCount;
  }

  /**
   * Keys held exactly, outside the table, because the table could not place them and
   * was not crowded enough for growing to help (keys whose hashes collide). Always 0
   * without `liveKeys`, and in normal operation.
   *
   * @example
   * const filter = new CuckooFilter<string>(100, 0.01, { liveKeys: () => live });
   * filter.overflowed; // 0 unless fed keys with identical hashes
   */
  get overflowed(): number {
    return this.#overflowCount;
  }

  /** How many times the filter rebuilt itself bigger from `liveKeys`. */
  get growths(): number {
    return this.#growths;
  }

  /** Fraction of the table's slots in use (the stash and the overflow not counted). */
  get loadFactor(): number {
    return (this.#count - this.#stashCount) / (this.#buckets * CUCKOO_BUCKET_SIZE);
  }

  /**
   * Bytes of fingerprint storage (stash included), for memory accounting. Keys in the
   * exact overflow ({@link CuckooFilter.overflowed}) are not counted: a `Map` entry
   * each, and their key objects belong to the owner.
   *
   * @example
   * new CuckooFilter(1000, 0.01).byteLength; // 1368: 10.9 bits per key at capacity
   */
  get byteLength(): number {
    return this.#words.byteLength + this.#stashBuckets.byteLength + this.#stashPrints.byteLength;
  }

  /**
   * Record that `key` is now a member.
   *
   * @throws FilterCapacityError if the filter is too full to store it and has no
   *   `liveKeys`; the filter is then unchanged. With `liveKeys` it never throws (unless
   *   `liveKeys` itself does, while the filter grows).
   * @example
   * filter.add('user:1');
   */
  add(key: K): void {
    if (this.tryAdd(key)) return;
    const liveKeys = this.#liveKeys;
    // Twice the slots pay only if the table is really crowded; a lightly loaded table
    // that cannot place a key is facing keys of equal hash, which no size separates.
    // Growing only then also bounds the table by the owner's keys (see the module header).
    const crowded = 2 * (this.#count - this.#stashCount) >= this.#buckets * CUCKOO_BUCKET_SIZE;
    if (liveKeys === undefined) {
      throw new FilterCapacityError(
        crowded
          ? `${PREFIX}cannot add ${describe(key)}: the filter is full (${this.#count} keys, sized for ` +
              `${this.capacity}); nothing was changed. Rebuild it with a larger capacity.`
          : `${PREFIX}cannot add ${describe(key)}: too many keys already added share its hash (the filter ` +
              `holds ${this.#count} keys, sized for ${this.capacity}, so a larger capacity would not help); ` +
              `nothing was changed. A cuckoo filter stores at most ${2 * CUCKOO_BUCKET_SIZE} copies of one ` +
              `fingerprint in its two buckets (plus its stash); skip keys it already answers "maybe" for ` +
              `if you never remove them.`,
      );
    }
    const buckets = this.#buckets * 2;
    if (crowded && buckets * CUCKOO_BUCKET_SIZE * this.fingerprintBits <= MAX_FILTER_BITS) {
      this.#grow(key, buckets, liveKeys);
    } else {
      this.#keepExactly(key);
    }
  }

  /**
   * Record that `key` is now a member, or report that there is no room for it.
   *
   * @returns `true` once `key` is stored (in a bucket or, rarely, in the stash);
   *   `false` if there was no room, in which case nothing was changed (it neither
   *   grows nor uses the exact overflow: that is what `add` does with `liveKeys`).
   * @example
   * if (!filter.tryAdd(key)) filter = rebuildBigger();
   */
  tryAdd(key: K): boolean {
    const buckets = this.#buckets;
    hashKeyPair(key, KEY_SEED, FINGERPRINT_SEED);
    const fingerprint = fingerprintOf(hashPair[1]!, this.#mask);
    const first = bucketOf(hashPair[0]!, buckets);
    const second = alternateOf(first, fingerprint, buckets);
    if (this.#place(first, fingerprint) || this.#place(second, fingerprint)) {
      this.#count++;
      return true;
    }
    // The walk below always ends with every fingerprint placed, but may need a stash
    // slot for the last one: without a free one, refuse now, before moving anything.
    if (this.#stashCount === CUCKOO_STASH_SIZE) return false;
    this.#kick((this.#next() & 4) === 0 ? first : second, fingerprint);
    this.#count++;
    return true;
  }

  /**
   * Record that `key`, previously added, has left.
   *
   * @returns `true` if a fingerprint of `key` was found and removed.
   * @example
   * filter.add('user:1');
   * filter.remove('user:1'); // true
   */
  remove(key: K): boolean {
    // The overflow first: its keys are exact, while a fingerprint in the table may
    // stand for any key of the same hash, and taking one of those for an overflowed
    // key would leave the overflow holding a key that has left.
    if (this.#overflowCount !== 0 && this.#forgetExact(key)) return true;
    const buckets = this.#buckets;
    hashKeyPair(key, KEY_SEED, FINGERPRINT_SEED);
    const fingerprint = fingerprintOf(hashPair[1]!, this.#mask);
    const first = bucketOf(hashPair[0]!, buckets);
    if (this.#erase(first, fingerprint) || this.#erase(alternateOf(first, fingerprint, buckets), fingerprint)) {
      this.#count--;
      if (this.#stashCount !== 0) this.#drainStash();
      return true;
    }
    if (this.#stashCount !== 0) {
      const second = alternateOf(first, fingerprint, buckets);
      for (let s = 0; s < this.#stashCount; s++) {
        const bucket = this.#stashBuckets[s];
        if (this.#stashPrints[s] === fingerprint && (bucket === first || bucket === second)) {
          this.#unstash(s);
          this.#count--;
          return true;
        }
      }
    }
    return false;
  }

  /**
   * `false` only when `key` is certainly not a member.
   *
   * @example
   * filter.mightContain('never-added'); // false, or true with probability ≈ 2·4·α / 2^f
   */
  mightContain(key: K): boolean {
    const buckets = this.#buckets;
    hashKeyPair(key, KEY_SEED, FINGERPRINT_SEED);
    const fingerprint = fingerprintOf(hashPair[1]!, this.#mask);
    const first = bucketOf(hashPair[0]!, buckets);
    if (this.#holds(first, fingerprint)) return true;
    const second = alternateOf(first, fingerprint, buckets);
    if (this.#holds(second, fingerprint)) return true;
    if (this.#stashCount !== 0) {
      for (let s = 0; s < this.#stashCount; s++) {
        const bucket = this.#stashBuckets[s];
        if (this.#stashPrints[s] === fingerprint && (bucket === first || bucket === second)) return true;
      }
    }
    if (this.#overflowCount !== 0 && this.#overflow.has(key)) return true;
    return this.#saturated;
  }

  /**
   * Forget every key.
   *
   * @example
   * filter.clear();
   * filter.mightContain('user:1'); // false
   */
  clear(): void {
    this.#words.fill(0);
    this.#count = 0;
    this.#stashCount = 0;
    this.#overflow.clear();
    this.#overflowCount = 0;
    this.#saturated = false;
  }

  // --- slots: fingerprint `s` of the table occupies bits [s·f, s·f + f) of #words ---

  #read(slot: number): number {
    const f = this.fingerprintBits;
    const bit = slot * f;
    const word = bit >>> 5;
    const shift = bit & 31;
    let value = this.#words[word]! >>> shift;
    if (shift + f > 32) value |= this.#words[word + 1]! << (32 - shift);
    return value & this.#mask;
  }

  #write(slot: number, fingerprint: number): void {
    const f = this.fingerprintBits;
    const words = this.#words;
    const bit = slot * f;
    const word = bit >>> 5;
    const shift = bit & 31;
    words[word] = (words[word]! & ~(this.#mask << shift)) | (fingerprint << shift);
    if (shift + f > 32) {
      const high = shift + f - 32; // bits that spill into the next word
      words[word + 1] = (words[word + 1]! & ~((1 << high) - 1)) | (fingerprint >>> (32 - shift));
    }
  }

  #holds(bucket: number, fingerprint: number): boolean {
    const base = bucket * CUCKOO_BUCKET_SIZE;
    for (let i = 0; i < CUCKOO_BUCKET_SIZE; i++) if (this.#read(base + i) === fingerprint) return true;
    return false;
  }

  #place(bucket: number, fingerprint: number): boolean {
    const base = bucket * CUCKOO_BUCKET_SIZE;
    for (let i = 0; i < CUCKOO_BUCKET_SIZE; i++) {
      if (this.#read(base + i) === 0) {
        this.#write(base + i, fingerprint);
        return true;
      }
    }
    return false;
  }

  #erase(bucket: number, fingerprint: number): boolean {
    const base = bucket * CUCKOO_BUCKET_SIZE;
    for (let i = 0; i < CUCKOO_BUCKET_SIZE; i++) {
      if (this.#read(base + i) === fingerprint) {
        this.#write(base + i, 0);
        return true;
      }
    }
    return false;
  }

  // Evict a random resident of `bucket` in favour of `fingerprint`, move the evicted one
  // to its other bucket, and so on. Ends with every fingerprint placed: the last one
  // in the stash if the walk is too long (the caller made sure a stash slot is free).
  #kick(bucket: number, fingerprint: number): void {
    const buckets = this.#buckets;
    let current = bucket;
    let carried = fingerprint;
    for (let kick = 0; kick < CUCKOO_MAX_KICKS; kick++) {
      const slot = current * CUCKOO_BUCKET_SIZE + (this.#next() & (CUCKOO_BUCKET_SIZE - 1));
      const evicted = this.#read(slot);
      this.#write(slot, carried);
      carried = evicted;
      current = alternateOf(current, carried, buckets);
      if (this.#place(current, carried)) return;
    }
    this.#stashBuckets[this.#stashCount] = current;
    this.#stashPrints[this.#stashCount] = carried;
    this.#stashCount++;
  }

  // After a removal made room: move stashed fingerprints back into the table.
  #drainStash(): void {
    for (let s = this.#stashCount - 1; s >= 0; s--) {
      const bucket = this.#stashBuckets[s]!;
      const fingerprint = this.#stashPrints[s]!;
      if (this.#place(bucket, fingerprint) || this.#place(alternateOf(bucket, fingerprint, this.#buckets), fingerprint)) {
        this.#unstash(s);
      }
    }
  }

  #unstash(s: number): void {
    const last = --this.#stashCount;
    this.#stashBuckets[s] = this.#stashBuckets[last]!;
    this.#stashPrints[s] = this.#stashPrints[last]!;
  }

  // xorshift32: which resident to evict. Seeded, so a run is reproducible.
  #next(): number {
    let x = this.#random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#random = x;
    return x >>> 0;
  }

  // The table is crowded: rebuild it once with `buckets` (twice as many) from the
  // owner's live keys, which hold `key` (every copy, as for any key) or, if the owner
  // records it only later, not at all: then it is added once. A key the new table
  // cannot place (equal hashes again) goes to the exact overflow rather than into
  // another doubling.
  #grow(key: K, buckets: number, liveKeys: () => Iterable<K>): void {
    const words = new Uint32Array(Math.ceil((buckets * CUCKOO_BUCKET_SIZE * this.fingerprintBits) / 32));
    try {
      this.#buckets = buckets;
      this.#words = words;
      this.#count = 0;
      this.#stashCount = 0;
      this.#overflow.clear();
      this.#overflowCount = 0;
      let yielded = false;
      for (const live of liveKeys()) {
        if (sameValueZero(live, key)) yielded = true;
        if (!this.tryAdd(live)) this.#keepExactly(live);
      }
      if (!yielded && !this.tryAdd(key)) this.#keepExactly(key);
      this.#growths++;
    } catch (error) {
      // Half rebuilt: some live keys are missing. "Maybe" for everything is useless but
      // never wrong, until clear() starts over.
      this.#saturated = true;
      throw error;
    }
  }

  #keepExactly(key: K): void {
    this.#overflow.set(key, (this.#overflow.get(key) ?? 0) + 1);
    this.#overflowCount++;
  }

  #forgetExact(key: K): boolean {
    const copies = this.#overflow.get(key);
    if (copies === undefined) return false;
    if (copies === 1) this.#overflow.delete(key);
    else this.#overflow.set(key, copies - 1);
    this.#overflowCount--;
    return true;
  }
}
