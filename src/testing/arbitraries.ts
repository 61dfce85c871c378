/**
 * fast-check arbitraries of cache operations. This file imports fast-check (an
 * optional peer dependency of `macho`, needed by `macho/testing`).
 *
 * @module
 */
import type { Arbitrary, SizeForArbitrary } from 'fast-check';
import fc from 'fast-check';
import { describe, knownOptions } from '../errors.js';
import type { CacheOperation, CacheOperationType } from './operations.js';
import { OPERATION_TYPES, show } from './operations.js';

/**
 * Where keys or values come from: an arbitrary, or a non-empty list of constants to
 * pick from. Use few keys (3 to 10) so operations collide on the same entries.
 * @example
 * const keys: Source<string> = ['a', 'b', 'c']; // or fc.constantFrom('a', 'b', 'c')
 */
export type Source<T> = Arbitrary<T> | readonly T[];

/**
 * Options of {@link cacheOperation} and {@link cacheOperations}.
 * @example
 * const options: CacheOperationOptions = { maxAdvance: 50, weights: { clear: 0 }, ttl: fc.constant(undefined) };
 */
export interface CacheOperationOptions {
  /**
   * Relative frequency of each operation type (integers ≥ 0; `0` leaves the type out).
   * Defaults (out of 100): set 35, get 25, peek 8, has 8, delete 6, update 6, clear 1,
   * advance 11: writes often enough to fill a cache, and a rare `clear` that empties it.
   * A name that is not an operation type (`{ sett: 5 }`) is a `TypeError`.
   */
  readonly weights?: Partial<Readonly<Record<CacheOperationType, number>>> | undefined;
  /**
   * Per-entry TTLs of `set`; `undefined` means the cache's default.
   * Default: the cache's TTL 3 times in 4, otherwise 0 (never) to `10 × maxAdvance` ms.
   * Pass `fc.constant(undefined)` to always use the cache's TTL.
   */
  readonly ttl?: Arbitrary<number | undefined> | undefined;
  /** Largest `advance` in ms (integer ≥ 0). Default 1000. */
  readonly maxAdvance?: number | undefined;
}

/**
 * Options of {@link cacheOperations}: those of {@link cacheOperation}, and the length.
 * @example
 * const options: CacheOperationsOptions = { minLength: 10, maxLength: 500, size: 'max' };
 */
export interface CacheOperationsOptions extends CacheOperationOptions {
  /** Fewest operations. Default 0. */
  readonly minLength?: number | undefined;
  /** Most operations. Default: what fast-check's `size` allows (about 10 at its default size). */
  readonly maxLength?: number | undefined;
  /**
   * fast-check's `size` for the array: how long sequences tend to be within
   * `minLength … maxLength`. With the default (`'small'`), sequences stay short even
   * when `maxLength` is large; `'max'` spreads them over the whole range.
   */
  readonly size?: SizeForArbitrary | undefined;
}

/**
 * The default relative frequency of each operation type.
 * @example
 * cacheOperation(keys, values, { weights: { ...DEFAULT_OPERATION_WEIGHTS, advance: 30 } }); // more time passing
 */
export const DEFAULT_OPERATION_WEIGHTS: Readonly<Record<CacheOperationType, number>> = Object.freeze({
  set: 35,
  get: 25,
  peek: 8,
  has: 8,
  delete: 6,
  update: 6,
  clear: 1,
  advance: 11,
});

/**
 * An arbitrary of one cache operation (set, get, peek, has, delete, clear, update or
 * advance), as plain data for {@link applyOperation}.
 *
 * @param keys - the keys operations use: an arbitrary, or a list to pick from.
 * @param values - the values `set` and `update` write.
 * @throws RangeError for an empty list, a bad weight or a bad `maxAdvance`; TypeError
 *   for an unknown option or weight name (a typo such as `{ weights: { sett: 5 } }`
 *   would otherwise leave the defaults silently in place).
 * @example
 * import fc from 'fast-check';
 * import { cacheOperation } from 'macho/testing';
 *
 * fc.sample(cacheOperation(['a', 'b'], fc.nat(9)), 3);
 * // e.g. [{ type: 'set', key: 'b', value: 4, ttl: 120 }, { type: 'advance', ms: 31 }, { type: 'get', key: 'a' }]
 */
export function cacheOperation<K, V>(
  keys: Source<K>,
  values: Source<V>,
  options: CacheOperationOptions = {},
): Arbitrary<CacheOperation<K, V>> {
  knownOptions('macho/testing: cacheOperation', options, OPERATION_OPTIONS);
  const key = toArbitrary('keys', keys);
  const value = toArbitrary('values', values);
  const maxAdvance = options.maxAdvance === undefined ? 1000 : options.maxAdvance; // null is a mistake, not the default
  if (typeof maxAdvance !== 'number') throw new TypeError(`macho/testing: maxAdvance must be a number; got ${show(maxAdvance)}`);
  if (!Number.isInteger(maxAdvance) || maxAdvance < 0)
    throw new RangeError(`macho/testing: maxAdvance must be an integer ≥ 0; got ${String(maxAdvance)}`);
  if (options.ttl !== undefined && !isArbitrary(options.ttl))
    throw new TypeError(`macho/testing: ttl must be a fast-check arbitrary of TTLs in ms (or undefined); got ${show(options.ttl)}`);
  const ttl =
    options.ttl ??
    fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 3 },
      { arbitrary: fc.integer({ min: 0, max: 10 * maxAdvance }), weight: 1 },
    );
  const weights = { ...DEFAULT_OPERATION_WEIGHTS, ...checkedWeights(options.weights) };

  const byType: { readonly [T in CacheOperationType]: Arbitrary<Extract<CacheOperation<K, V>, { type: T }>> } = {
    set: fc
      .tuple(key, value, ttl)
      .map(([k, v, t]) => (t === undefined ? { type: 'set', key: k, value: v } : { type: 'set', key: k, value: v, ttl: t })),
    get: key.map((k) => ({ type: 'get', key: k })),
    peek: key.map((k) => ({ type: 'peek', key: k })),
    has: key.map((k) => ({ type: 'has', key: k })),
    delete: key.map((k) => ({ type: 'delete', key: k })),
    update: fc.tuple(key, value).map(([k, v]) => ({ type: 'update', key: k, value: v })),
    clear: fc.constant(Object.freeze({ type: 'clear' } as const)),
    advance: fc.integer({ min: 0, max: maxAdvance }).map((ms) => ({ type: 'advance', ms })),
  };

  const chosen = OPERATION_TYPES.map((type) => {
    const weight = weights[type];
    if (typeof weight !== 'number') throw new TypeError(`macho/testing: the weight of "${type}" must be a number; got ${show(weight)}`);
    if (!Number.isInteger(weight) || weight < 0)
      throw new RangeError(`macho/testing: the weight of "${type}" must be an integer ≥ 0; got ${String(weight)}`);
    return { arbitrary: byType[type] as Arbitrary<CacheOperation<K, V>>, weight };
  }).filter((w) => w.weight > 0);
  if (chosen.length === 0) throw new RangeError('macho/testing: every operation weight is 0');
  return fc.oneof(...chosen);
}

/**
 * An arbitrary of operation sequences: arrays of {@link cacheOperation}. Shrinks to the
 * shortest, simplest sequence that still fails.
 *
 * @throws as {@link cacheOperation} does (TypeError for an unknown option or weight name).
 * @example
 * import fc from 'fast-check';
 * import { applyOperation, assertInvariants, cacheOperations, createVirtualCache } from 'macho/testing';
 *
 * fc.assert(
 *   fc.property(cacheOperations(['a', 'b', 'c', 'd'], fc.integer(), { maxLength: 50 }), (ops) => {
 *     const virtual = createVirtualCache<string, number>({ maxCacheSize: 3, ttl: 500 });
 *     for (const op of ops) applyOperation(virtual, op);
 *     assertInvariants(virtual.cache);
 *     virtual.dispose();
 *   }),
 * );
 */
export function cacheOperations<K, V>(
  keys: Source<K>,
  values: Source<V>,
  options: CacheOperationsOptions = {},
): Arbitrary<CacheOperation<K, V>[]> {
  knownOptions('macho/testing: cacheOperations', options, [...OPERATION_OPTIONS, ...SEQUENCE_OPTIONS]);
  const { minLength, maxLength, size, ...operationOptions } = options;
  lengthOption('minLength', minLength);
  lengthOption('maxLength', maxLength);
  if (minLength !== undefined && maxLength !== undefined && minLength > maxLength)
    throw new RangeError(`macho/testing: cacheOperations option "minLength" (${minLength}) must not exceed "maxLength" (${maxLength})`);
  if (size !== undefined && !(SIZES as readonly unknown[]).includes(size))
    throw new RangeError(`macho/testing: cacheOperations option "size" must be one of ${SIZES.map((s) => `"${s}"`).join(', ')}; got ${describe(size)}`);
  return fc.array(cacheOperation(keys, values, operationOptions), {
    ...(minLength === undefined ? {} : { minLength }),
    ...(maxLength === undefined ? {} : { maxLength }),
    ...(size === undefined ? {} : { size }),
  });
}

/**
 * The option names of {@link cacheOperation} (`cacheCommands` and `cacheOperations` add theirs).
 * @internal (not exported by `macho/testing`)
 */
export const OPERATION_OPTIONS: readonly string[] = Object.freeze(['weights', 'ttl', 'maxAdvance']);
const SEQUENCE_OPTIONS: readonly string[] = ['minLength', 'maxLength', 'size'];
// fast-check's sizes (SizeForArbitrary): checked here so that a bad one is named as ours.
const SIZES: readonly SizeForArbitrary[] = ['xsmall', 'small', 'medium', 'large', 'xlarge', '-4', '-3', '-2', '-1', '=', '+1', '+2', '+3', '+4', 'max'];

function lengthOption(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number') throw new TypeError(`macho/testing: cacheOperations option "${name}" must be a number; got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1)
    throw new RangeError(`macho/testing: cacheOperations option "${name}" must be an integer from 0 to 2^31 - 1; got ${describe(value)}`);
}

// The weights object, its names checked: a typo must not leave a default in place.
function checkedWeights(weights: unknown): Partial<Record<CacheOperationType, number>> | undefined {
  if (weights === undefined) return undefined;
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights))
    throw new TypeError(`macho/testing: weights must be an object of operation types to numbers; got ${show(weights)}`);
  for (const name of Object.keys(weights))
    if (!(OPERATION_TYPES as readonly string[]).includes(name))
      throw new TypeError(
        `macho/testing: unknown operation ${JSON.stringify(name)} in weights; the operations are ${OPERATION_TYPES.join(', ')}`,
      );
  return weights;
}

function toArbitrary<T>(name: string, source: Source<T>): Arbitrary<T> {
  if (isArbitrary<T>(source)) return source;
  if (Array.isArray(source)) {
    if (source.length === 0) throw new RangeError(`macho/testing: ${name} must not be an empty list`);
    return fc.constantFrom(...(source as readonly T[]));
  }
  throw new TypeError(`macho/testing: ${name} must be a fast-check arbitrary or a non-empty array`);
}

// Duck-typed rather than `instanceof`, so an arbitrary from another copy of
// fast-check (a user's own install) is accepted too.
function isArbitrary<T>(source: unknown): source is Arbitrary<T> {
  const candidate = source as Partial<Arbitrary<T>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.generate === 'function' &&
    typeof candidate.shrink === 'function' &&
    typeof candidate.canShrinkWithoutContext === 'function'
  );
}
