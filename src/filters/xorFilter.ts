/**
 * An XOR filter (Graf and Lemire, "Xor Filters: Faster and Smaller Than Bloom and
 * Cuckoo Filters", JEA 2020): a static {@link MembershipFilter} built once from a fixed
 * key set.
 *
 * Each key maps to three cells, one in each third of an array of `c = 1.23·n + 32`
 * fingerprints, and the array is filled so that the XOR of a member's three cells is
 * that member's fingerprint. A lookup reads three cells: `f`-bit fingerprints give a
 * false-positive rate of `1 / 2^f` (xor8: 1/256 ≈ 0.0039, xor16: 1/65,536) in
 * `1.23·f` bits per key — smaller than a bloom filter at the same rate and faster to
 * query — but no key can be added or removed afterwards.
 *
 * Construction is the paper's: count how many keys hit each cell, repeatedly *peel*
 * a key that is alone in one of its cells (pushing it on a stack), then assign cells in
 * reverse peeling order. Peeling fails with small probability (a 2-core remains); the
 * build then retries with a new seed, which moves every key's cells.
 *
 * Hashing: two 32-bit `hashKey` values per key (64 bits), so that distinct keys seldom
 * share a hash: with one 32-bit hash a stranger colliding with one of a million members
 * would add 2.3e-4 to the rate, far above xor16's 1.5e-5. Keys with equal 64-bit hashes
 * (and keys equal under SameValueZero) are stored once: they are indistinguishable to
 * the filter anyway, and duplicate cells would make peeling impossible.
 *
 * A filter with nothing to filter (built from no keys) answers `false` for every key.
 *
 * @module
 */

import { seedBits } from '../policies/seededRandom.js';
import { describe, knownOptions } from '../errors.js';
import { hashKeyPair, hashPair, mix32 } from '../keys/hashKey.js';
import type { MembershipFilter } from './membershipFilter.js';

const PREFIX = 'macho/xor: ';

// Neither is 0 (shardOf's seed) nor a seed the bloom or cuckoo filters use.
const HIGH_SEED = 0x510e527f;
const LOW_SEED = 0x9b05688c;
const FINGERPRINT_SALT = 0x1f83d9ab;
const SECOND_SALT = 0x5be0cd19;
const THIRD_SALT = 0x428a2f98;
const TWO_TO_MINUS_32 = 2 ** -32;

/** Peeling attempts (each with a new seed) before the build gives up. */
export const XOR_MAX_ATTEMPTS = 100;

/** Fingerprint widths an {@link XorFilter} supports. */
export type XorFingerprintBits = 8 | 16;

/** Options of {@link XorFilter.build}. */
export interface XorFilterOptions {
  /** Bits per fingerprint: `8` (false-positive rate 1/256) or `16` (1/65,536). Default `8`. */
  readonly fingerprintBits?: XorFingerprintBits | undefined;
  /** Seed of the first construction attempt: a safe integer. Default `1`. */
  readonly seed?: number | undefined;
}

/**
 * Thrown by {@link XorFilter.add} and {@link XorFilter.remove}: an XOR filter is built
 * once from a fixed key set and cannot change; rebuild it, or use a filter that can.
 *
 * @example
 * try {
 *   xor.add('new-key');
 * } catch (error) {
 *   if (error instanceof StaticFilterError) xor.rebuild([...knownKeys, 'new-key']);
 * }
 */
export class StaticFilterError extends TypeError {
  override readonly name = 'StaticFilterError';
}

// Scratch output of locate(): the three cells of the last key located. Module-wide
// and reused, so lookups and construction allocate nothing per key.
let cell0 = 0;
let cell1 = 0;
let cell2 = 0;

function locate(high: number, low: number, seed: number, segment: number): void {
  const a = mix32((high ^ seed ^ Math.imul(low, 0x85ebca6b)) >>> 0);
  const b = mix32((low ^ Math.imul(seed ^ SECOND_SALT, 0xcc9e2d51) ^ Math.imul(high, 0x1b873593)) >>> 0);
  const c = mix32((a ^ Math.imul(b, 0x9e3779b1) ^ seed ^ THIRD_SALT) >>> 0);
  cell0 = (a * segment * TWO_TO_MINUS_32) | 0;
  cell1 = segment + ((b * segment * TWO_TO_MINUS_32) | 0);
  cell2 = 2 * segment + ((c * segment * TWO_TO_MINUS_32) | 0);
}

function fingerprintOf(high: number, low: number, mask: number): number {
  return mix32((high ^ Math.imul(low, 0x27d4eb2d) ^ FINGERPRINT_SALT) >>> 0) & mask;
}

function checkBits(bits: unknown): XorFingerprintBits {
  if (bits !== 8 && bits !== 16) {
    throw new RangeError(`${PREFIX}fingerprintBits must be 8 or 16; got ${describe(bits)}`);
  }
  return bits;
}

/** The key hashes, deduplicated: `[low0, high0, low1, high1, …]`. */
function hashPairs<K>(keys: Iterable<K>): Uint32Array {
  if (keys === null || typeof keys !== 'object' || typeof (keys as Partial<Iterable<K>>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${PREFIX}keys must be an iterable of keys; got ${describe(keys)}`);
  }
  const list = Array.isArray(keys) ? (keys as K[]) : Array.from(keys);
  const pairs = new Uint32Array(2 * list.length);
  for (let i = 0; i < list.length; i++) {
    hashKeyPair(list[i], LOW_SEED, HIGH_SEED);
    pairs[2 * i] = hashPair[0]!;
    pairs[2 * i + 1] = hashPair[1]!;
  }
  // Sorted as 64-bit words (native, no BigInt per key), equal pairs become neighbours.
  const sorted = new BigUint64Array(pairs.buffer).sort();
  const words = new Uint32Array(sorted.buffer);
  let distinct = 0;
  for (let i = 0; i < list.length; i++) {
    const low = words[2 * i]!;
    const high = words[2 * i + 1]!;
    if (distinct > 0 && words[2 * distinct - 2] === low && words[2 * distinct - 1] === high) continue;
    words[2 * distinct] = low;
    words[2 * distinct + 1] = high;
    distinct++;
  }
  return words.slice(0, 2 * distinct);
}

/** The result of one successful construction. */
interface Built {
  readonly fingerprints: Uint8Array | Uint16Array;
  readonly segment: number;
  readonly seed: number;
  readonly attempts: number;
}

function construct(pairs: Uint32Array, bits: XorFingerprintBits, firstSeed: number): Built {
  const n = pairs.length / 2;
  const segment = Math.ceil((Math.floor(1.23 * n) + 32) / 3);
  const cells = 3 * segment;
  const mask = 2 ** bits - 1;
  const counts = new Int32Array(cells);
  const xors = new Uint32Array(cells); // XOR of the indices of the keys in each cell
  const queue = new Uint32Array(cells);
  const stackKeys = new Uint32Array(n);
  const stackCells = new Uint32Array(n);
  for (let attempt = 1; attempt <= XOR_MAX_ATTEMPTS; attempt++) {
    const seed = mix32((firstSeed + Math.imul(attempt - 1, 0x9e3779b9)) >>> 0);
    counts.fill(0);
    xors.fill(0);
    for (let i = 0; i < n; i++) {
      locate(pairs[2 * i + 1]!, pairs[2 * i]!, seed, segment);
      counts[cell0]!++;
      counts[cell1]!++;
      counts[cell2]!++;
      xors[cell0]! ^= i;
      xors[cell1]! ^= i;
      xors[cell2]! ^= i;
    }
    let queued = 0;
    for (let cell = 0; cell < cells; cell++) if (counts[cell] === 1) queue[queued++] = cell;
    let peeled = 0;
    while (queued > 0) {
      const cell = queue[--queued]!;
      if (counts[cell] !== 1) continue; // emptied since it was queued
      const key = xors[cell]!;
      stackKeys[peeled] = key;
      stackCells[peeled] = cell;
      peeled++;
      locate(pairs[2 * key + 1]!, pairs[2 * key]!, seed, segment);
      const a = cell0;
      const b = cell1;
      const c = cell2;
      xors[a]! ^= key;
      xors[b]! ^= key;
      xors[c]! ^= key;
      if (--counts[a]! === 1) queue[queued++] = a;
      if (--counts[b]! === 1) queue[queued++] = b;
      if (--counts[c]! === 1) queue[queued++] = c;
    }
    if (peeled !== n) continue;
    // Assign in reverse peeling order: each key's cell is the last of its three to be
    // written, so it can be set to make the three cells XOR to the key's fingerprint.
    const fingerprints = bits === 8 ? new Uint8Array(cells) : new Uint16Array(cells);
    for (let s = n - 1; s >= 0; s--) {
      const key = stackKeys[s]!;
      const high = pairs[2 * key + 1]!;
      const low = pairs[2 * key]!;
      locate(high, low, seed, segment);
      const value = fingerprintOf(high, low, mask) ^ fingerprints[cell0]! ^ fingerprints[cell1]! ^ fingerprints[cell2]!;
      fingerprints[stackCells[s]!] = value; // that cell was 0, so XOR-ing it in above changed nothing
    }
    return { fingerprints, segment, seed, attempts: attempt };
  }
  throw new Error(`${PREFIX}construction failed ${XOR_MAX_ATTEMPTS} times in a row for ${n} keys; this should not happen`);
}

/**
 * A static XOR filter over a fixed set of keys: `mightContain` only. `add` and `remove`
 * throw a {@link StaticFilterError}; {@link XorFilter.rebuild} replaces the key set.
 *
 * Not offered as a cache's per-shard filter (a shard must forget evicted keys); its
 * place is in front of a loader, as the set of keys known to exist at the origin.
 *
 * @typeParam K - the key type (hashed as by `Map`: SameValueZero).
 * @example
 * const known = XorFilter.build(['user:1', 'user:2', 'user:3'], { fingerprintBits: 8 });
 * known.mightContain('user:2');  // true
 * known.mightContain('user:99'); // false (true with probability ≈ 1/256)
 * known.size;                    // 3
 */
export class XorFilter<K = unknown> implements MembershipFilter<K> {
  /** Bits per fingerprint. */
  readonly fingerprintBits: XorFingerprintBits;

  readonly #mask: number;
  readonly #firstSeed: number;
  #fingerprints: Uint8Array | Uint16Array;
  #segment: number;
  #seed = 0;
  #size = 0;
  #attempts = 0;

  private constructor(bits: XorFingerprintBits, seed: number) {
    this.fingerprintBits = bits;
    this.#mask = 2 ** bits - 1;
    this.#firstSeed = seed;
    this.#segment = 1;
    this.#fingerprints = bits === 8 ? new Uint8Array(3) : new Uint16Array(3);
  }

  /**
   * A filter of `keys` (any iterable; duplicates are fine).
   *
   * @throws TypeError for a non-iterable `keys` or bad options; RangeError for a
   *   `fingerprintBits` other than 8 or 16.
   * @example
   * const xor16 = XorFilter.build(userIds, { fingerprintBits: 16 }); // ≈ 19.7 bits per key
   */
  static build<K>(keys: Iterable<K>, options: XorFilterOptions = {}): XorFilter<K> {
    knownOptions('macho/xor', options, ['fingerprintBits', 'seed']);
    // `=== undefined`, not `??`: a null is a mistake to report, not a default to take.
    const bits = checkBits(options.fingerprintBits === undefined ? 8 : options.fingerprintBits);
    const seed = seedBits('macho/xor', options.seed === undefined ? 1 : options.seed);
    const filter = new XorFilter<K>(bits, seed);
    filter.rebuild(keys);
    return filter;
  }

  /** Distinct keys (by hash) the filter was built from. */
  get size(): number {
    return this.#size;
  }

  /** Bytes of fingerprint storage: `1.23·n + 32` fingerprints of 1 or 2 bytes. */
  get byteLength(): number {
    return this.#fingerprints.byteLength;
  }

  /** Construction attempts the last build needed (1 almost always). */
  get attempts(): number {
    return this.#attempts;
  }

  /**
   * Replaces the key set: builds a new filter from `keys` and swaps it in (the old one
   * answers until the new one is complete; if the build throws, the old one stays).
   *
   * @example
   * known.rebuild(await db.allUserIds());
   */
  rebuild(keys: Iterable<K>): void {
    const pairs = hashPairs(keys);
    const built = construct(pairs, this.fingerprintBits, this.#firstSeed);
    this.#fingerprints = built.fingerprints;
    this.#segment = built.segment;
    this.#seed = built.seed;
    this.#attempts = built.attempts;
    this.#size = pairs.length / 2;
  }

  /**
   * `false` only when `key` is certainly not in the set the filter was built from.
   *
   * @example
   * known.mightContain('user:1'); // true
   */
  mightContain(key: K): boolean {
    if (this.#size === 0) return false;
    hashKeyPair(key, LOW_SEED, HIGH_SEED);
    const low = hashPair[0]!;
    const high = hashPair[1]!;
    locate(high, low, this.#seed, this.#segment);
    const fingerprints = this.#fingerprints;
    return (fingerprints[cell0]! ^ fingerprints[cell1]! ^ fingerprints[cell2]!) === fingerprintOf(high, low, this.#mask);
  }

  /**
   * Not supported: an XOR filter is static.
   *
   * @throws StaticFilterError always.
   */
  add(key: K): void {
    throw new StaticFilterError(
      `${PREFIX}cannot add ${describe(key)}: an XOR filter is static. Rebuild it from the whole key set ` +
        `(rebuild(keys) or XorFilter.build(keys)), or use a CuckooFilter, which supports add and remove`,
    );
  }

  /**
   * Not supported: an XOR filter is static.
   *
   * @throws StaticFilterError always.
   */
  remove(key: K): void {
    throw new StaticFilterError(
      `${PREFIX}cannot remove ${describe(key)}: an XOR filter is static. Rebuild it from the remaining keys ` +
        `(rebuild(keys) or XorFilter.build(keys)), or use a CuckooFilter, which supports add and remove`,
    );
  }

  /**
   * Forget every key: afterwards `mightContain` answers `false` for everything, until
   * {@link rebuild}.
   *
   * @example
   * known.clear();
   * known.mightContain('user:1'); // false
   */
  clear(): void {
    this.#fingerprints = this.fingerprintBits === 8 ? new Uint8Array(3) : new Uint16Array(3);
    this.#segment = 1;
    this.#size = 0;
  }
}
