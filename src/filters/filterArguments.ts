import { describe } from '../errors.js';

/**
 * Every index must fit in 31 bits so the filters can step through them with plain
 * additions and no precision loss; that is also 2 GiB of counters, far past any
 * sensible per-shard filter.
 */
export const MAX_FILTER_BITS = 2 ** 31;

/**
 * Checks the sizing arguments every filter takes: `capacity` an integer ≥ 1 and
 * `probability` a number (its range is the caller's, since it differs by filter).
 * @param prefix - the filter's message prefix, e.g. `'macho/bloom: '`.
 * @throws TypeError for a non-number, RangeError for a bad capacity; both name the argument.
 * @example
 * checkFilterArguments('macho/bloom: ', 1000, 0.01); // ok
 */
export function checkFilterArguments(prefix: string, capacity: unknown, probability: unknown): void {
  if (typeof capacity !== 'number') throw new TypeError(`${prefix}capacity must be a number; got ${describe(capacity)}`);
  if (!Number.isSafeInteger(capacity) || capacity < 1)
    throw new RangeError(`${prefix}capacity must be an integer ≥ 1; got ${describe(capacity)}`);
  if (typeof probability !== 'number')
    throw new TypeError(`${prefix}probability must be a number; got ${describe(probability)}`);
}

/**
 * Refuses a filter that would need more than {@link MAX_FILTER_BITS} bits.
 * @example
 * checkFilterBits('macho/bloom: ', 1000, 0.01, 9586); // ok
 */
export function checkFilterBits(prefix: string, capacity: number, probability: number, bits: number): void {
  if (bits > MAX_FILTER_BITS)
    throw new RangeError(
      `${prefix}capacity ${capacity} at probability ${probability} needs ${bits} bits; at most 2^31 are supported`,
    );
}
