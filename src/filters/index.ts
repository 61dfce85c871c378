/**
 * Membership filters by kind: the one place that turns a kind name (`'bloom'`,
 * `'cuckoo'`, `'xor'`) into a {@link MembershipFilter}.
 *
 * | kind       | add / remove | bits per key at p = 0.01       | used for                       |
 * | ---------- | ------------ | ------------------------------ | ------------------------------ |
 * | `'bloom'`  | yes / yes    | 76.7 (8-bit counters)          | per-shard pre-check (default)  |
 * | `'cuckoo'` | yes / yes    | 10.5 (`f / 0.95`, f = 10 bits) | per-shard pre-check, guards    |
 * | `'xor'`    | no / no      | 9.8 (xor8, FP 1/256)           | loader guards of a fixed set   |
 *
 * A cache shard needs a filter that forgets evicted keys, so only `'bloom'` and
 * `'cuckoo'` are {@link ShardFilterKind}s; an XOR filter is static.
 *
 * @module
 */

import { describe, knownOptions } from '../errors.js';
import { CountingBloomFilter, createBloomFilter } from './bloomFilter.js';
import { CuckooFilter, FilterCapacityError } from './cuckooFilter.js';
import { checkFilterArguments } from './filterArguments.js';
import type { MembershipFilter } from './membershipFilter.js';
import type { XorFingerprintBits } from './xorFilter.js';
import { XorFilter } from './xorFilter.js';

/** Every kind of membership filter Macho implements. */
export type FilterKind = 'bloom' | 'cuckoo' | 'xor';

/** The kinds a cache shard can use for its pre-check: those that can forget keys. */
export type ShardFilterKind = 'bloom' | 'cuckoo';

/** Every {@link FilterKind}, in the order of the table above. */
export const FILTER_KINDS: readonly FilterKind[] = Object.freeze(['bloom', 'cuckoo', 'xor'] as const);

/** Every {@link ShardFilterKind}. */
export const SHARD_FILTER_KINDS: readonly ShardFilterKind[] = Object.freeze(['bloom', 'cuckoo'] as const);

/**
 * True for `'bloom'` and `'cuckoo'`.
 *
 * @example
 * isShardFilterKind('cuckoo'); // true
 * isShardFilterKind('xor');    // false: static, it cannot forget evicted keys
 */
export function isShardFilterKind(kind: unknown): kind is ShardFilterKind {
  return kind === 'bloom' || kind === 'cuckoo';
}

/**
 * True for `'bloom'`, `'cuckoo'` and `'xor'`.
 *
 * @example
 * isFilterKind('xor'); // true
 */
export function isFilterKind(kind: unknown): kind is FilterKind {
  return kind === 'bloom' || kind === 'cuckoo' || kind === 'xor';
}

/**
 * The filter a cache shard checks before each lookup: `'bloom'` is exactly what
 * `bloom: true` has always built ({@link createBloomFilter}: a counting bloom filter);
 * `'cuckoo'` is a {@link CuckooFilter} given `liveKeys`, whose `add` never throws: in
 * the (practically unseen) case that it runs out of room, it rebuilds itself once at
 * twice the size from `liveKeys` if its table is crowded, and otherwise keeps the key in
 * a small exact overflow (keys of one hash, which no size separates).
 *
 * @param kind - `'bloom'` or `'cuckoo'`.
 * @param capacity - the shard's capacity; an integer ≥ 1.
 * @param probability - target false-positive rate (cuckoo: at least ≈ 1.22e-4).
 * @param liveKeys - yields the shard's current keys.
 * @throws TypeError or RangeError naming the bad argument.
 * @example
 * const entries = new Map<string, number>();
 * const filter = createShardFilter<string>('cuckoo', 10_000, 0.01, () => entries.keys());
 */
export function createShardFilter<K>(
  kind: ShardFilterKind,
  capacity: number,
  probability: number,
  liveKeys: () => Iterable<K>,
): MembershipFilter<K> {
  switch (kind) {
    case 'bloom':
      return createBloomFilter<K>(capacity, probability, liveKeys);
    case 'cuckoo':
      return new CuckooFilter<K>(capacity, probability, { liveKeys });
  }
  throw new RangeError(
    `macho/filters: a shard filter is "bloom" or "cuckoo" (an XOR filter is static and cannot forget ` +
      `evicted keys); got ${describe(kind)}`,
  );
}

/**
 * The XOR fingerprint width that reaches false-positive rate `probability`: 8 bits
 * (1/256) when `probability ≥ 1/256`, else 16 bits (1/65,536).
 *
 * @throws TypeError if `probability` is not a number; RangeError if it is not in
 *   [1/65,536, 1).
 * @example
 * xorFingerprintBits(0.01);  // 8: 1/256 ≈ 0.0039 is already below 0.01
 * xorFingerprintBits(0.001); // 16
 */
export function xorFingerprintBits(probability: number): XorFingerprintBits {
  if (typeof probability !== 'number') {
    throw new TypeError(`macho/xor: probability must be a number; got ${describe(probability)}`);
  }
  if (!(probability >= 2 ** -16 && probability < 1)) {
    throw new RangeError(
      `macho/xor: probability must be from 1/65536 (xor16) to 1 (exclusive); got ${describe(probability)}`,
    );
  }
  return probability >= 2 ** -8 ? 8 : 16;
}

/** Options of {@link filterFromKeys}. */
export interface FilterFromKeysOptions {
  /** Target false-positive rate. Default `0.01`. */
  readonly probability?: number | undefined;
  /**
   * Keys the filter must be able to hold, for filters that can grow (`'bloom'`,
   * `'cuckoo'`): room for keys added later. Default: the number of distinct keys given
   * (at least 1). Ignored by `'xor'`, which is exactly as big as its key set.
   */
  readonly capacity?: number | undefined;
}

/**
 * A filter of kind `kind` holding `keys` (duplicates are stored once).
 *
 * - `'xor'`: {@link XorFilter.build}, 8-bit fingerprints if `probability ≥ 1/256`,
 *   else 16-bit.
 * - `'cuckoo'`: a {@link CuckooFilter} sized for `capacity`.
 * - `'bloom'`: a {@link CountingBloomFilter} sized for `capacity` (it can forget keys).
 *
 * @throws TypeError or RangeError naming a bad argument; `FilterCapacityError` if
 *   `capacity` is below the number of distinct keys of a `'bloom'` or `'cuckoo'` filter
 *   (`'xor'` sizes itself and ignores it, once checked), or if a cuckoo filter cannot place
 *   a key (more than its buckets hold share one hash: see {@link CuckooFilter.add}).
 * @example
 * const known = filterFromKeys('xor', ['a', 'b', 'c'], { probability: 0.001 }); // xor16
 * known.mightContain('b'); // true
 */
export function filterFromKeys<K>(
  kind: FilterKind,
  keys: Iterable<K>,
  options: FilterFromKeysOptions = {},
): MembershipFilter<K> {
  return buildFilter(kind, keys, options);
}

/**
 * {@link filterFromKeys} for a filter that will never have a key removed (a loader
 * guard's): a key the filter already answers "maybe" for is not added again, so keys
 * that share a hash take one slot between them and no set of keys, however crafted,
 * makes the build fail while `capacity` allows. (Not for a filter you will delete from:
 * deleting one of those keys would take the others' only copy.) Also returns `room`:
 * how many more keys a `'bloom'` filter may take before it passes its capacity (which
 * it would not refuse, answering "maybe" to ever more strangers); `Infinity` for the
 * others (a cuckoo filter refuses keys itself; an xor filter takes none).
 *
 * @throws as {@link filterFromKeys}, but never for keys of equal hash.
 * @example
 * const { filter } = growOnlyFilterFromKeys('cuckoo', ids, { capacity: 200_000 });
 */
export function growOnlyFilterFromKeys<K>(
  kind: FilterKind,
  keys: Iterable<K>,
  options: FilterFromKeysOptions = {},
): { readonly filter: MembershipFilter<K>; readonly room: number } {
  const sizing = { capacity: 0, stored: 0 };
  const filter = buildFilter(kind, keys, options, sizing);
  return { filter, room: filter instanceof CountingBloomFilter ? sizing.capacity - sizing.stored : Infinity };
}

function buildFilter<K>(
  kind: FilterKind,
  keys: Iterable<K>,
  options: FilterFromKeysOptions,
  // Given for a grow-only filter (keys it answers "maybe" for are skipped): filled in
  // with the capacity it was made for and the keys it stored.
  sizing?: { capacity: number; stored: number },
): MembershipFilter<K> {
  if (!isFilterKind(kind)) {
    throw new RangeError(`macho/filters: kind must be "bloom", "cuckoo" or "xor"; got ${describe(kind)}`);
  }
  knownOptions('macho/filters', options, ['probability', 'capacity']);
  // Checked for every kind, though 'xor' ignores it: a bad value is a mistake either way.
  if (options.capacity !== undefined) checkFilterArguments('macho/filters: ', options.capacity, 0);
  // `=== undefined`, not `??`: a null is a mistake to report, not a default to take.
  const probability = options.probability === undefined ? 0.01 : options.probability;
  if (kind === 'xor') return XorFilter.build(keys, { fingerprintBits: xorFingerprintBits(probability) });
  if (keys === null || typeof keys !== 'object' || typeof (keys as Partial<Iterable<K>>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`macho/filters: keys must be an iterable of keys; got ${describe(keys)}`);
  }
  const distinct = new Set(keys);
  const capacity = options.capacity ?? Math.max(1, distinct.size);
  // A bloom filter past its capacity does not refuse keys: it answers "maybe" to ever
  // more strangers (at 100 keys per key of capacity, to all of them). Say so at once.
  if (distinct.size > capacity) {
    throw new FilterCapacityError(
      `macho/filters: ${distinct.size} distinct keys do not fit a ${kind} filter of capacity ${capacity}; ` +
        `give a capacity of at least ${distinct.size} (plus room for keys you will add)`,
    );
  }
  const filter: MembershipFilter<K> =
    kind === 'cuckoo' ? new CuckooFilter<K>(capacity, probability) : new CountingBloomFilter<K>(capacity, probability);
  let stored = 0;
  for (const key of distinct) {
    if (sizing !== undefined && filter.mightContain(key)) continue;
    filter.add(key);
    stored++;
  }
  if (sizing !== undefined) {
    sizing.capacity = capacity;
    sizing.stored = stored;
  }
  return filter;
}

export type { MembershipFilter } from './membershipFilter.js';
export { CountingBloomFilter, RebuildingBloomFilter, createBloomFilter } from './bloomFilter.js';
export { bloomParameters } from './bloomMath.js';
export type { BloomParameters } from './bloomMath.js';
export {
  CUCKOO_BUCKET_SIZE,
  CUCKOO_LOAD_FACTOR,
  CUCKOO_MAX_KICKS,
  CUCKOO_STASH_SIZE,
  CuckooFilter,
  FilterCapacityError,
  MIN_CUCKOO_PROBABILITY,
  cuckooParameters,
} from './cuckooFilter.js';
export type { CuckooFilterOptions, CuckooParameters } from './cuckooFilter.js';
export { StaticFilterError, XOR_MAX_ATTEMPTS, XorFilter } from './xorFilter.js';
export type { XorFilterOptions, XorFingerprintBits } from './xorFilter.js';
