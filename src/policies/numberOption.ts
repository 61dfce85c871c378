/**
 * Validation of a policy factory's numeric options (`lirs({ … })`, `clockPro({ … })`,
 * `tinyLfu({ … })`):
 * one place for the checks and the wording of their errors.
 *
 * @module
 */

/**
 * `value`, checked to be a finite number in [0, `max`] (`max` is `1` for a share of the
 * capacity, `Infinity` for a multiple of it), or `fallback` when it is `undefined`.
 * Errors name the module (`macho/lirs`) and the option, as the cache's own options do.
 *
 * @example
 * numberOption('macho/lirs', 'hirPercent', options.hirPercent, 0.01, 1); // 0.01 if not given
 * @throws TypeError when `value` is not a number; RangeError when it is out of range.
 */
export function numberOption(module: string, name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${module}: option "${name}" must be a number; got ${typeof value}`);
  if (!(value >= 0 && value <= max && Number.isFinite(value)))
    throw new RangeError(`${module}: option "${name}" must be ${max === 1 ? 'in [0, 1]' : 'a finite number ≥ 0'}; got ${value}`);
  return value;
}

/** Most ghost keys a policy keeps: as many as the largest cache has entries (2^30). */
export const MAX_GHOSTS = 2 ** 30;

/**
 * Builds a policy that keeps `capacity × nonResidentMultiplier` ghost keys in arrays
 * allocated up front (`lirs`, `clockPro`), so that a multiplier too large for the
 * capacity fails with an error naming the option rather than an engine's
 * "Invalid typed array length" or an allocation failure from deep inside.
 *
 * @throws RangeError naming `nonResidentMultiplier` when the ghosts would exceed
 *   {@link MAX_GHOSTS} or cannot be allocated.
 */
export function withGhosts<P>(module: string, capacity: number, nonResidentMultiplier: number, build: (ghosts: number) => P): P {
  const ghosts = Math.floor(capacity * nonResidentMultiplier);
  const tooMany = (why: string, cause?: unknown): RangeError =>
    new RangeError(
      `${module}: option "nonResidentMultiplier" (${nonResidentMultiplier}) asks for ${ghosts} ghost keys at capacity ${capacity}; ${why}` +
        ` (the capacity is a shard's share of "maxCacheSize": a lower multiplier fits, or more shards for a large one)`,
      { cause },
    );
  if (ghosts > MAX_GHOSTS) throw tooMany(`at most ${MAX_GHOSTS} are kept`);
  try {
    return build(ghosts);
  } catch (error) {
    // Typed arrays and arrays that cannot be had throw RangeError; anything else is not ours to rename.
    if (error instanceof RangeError) throw tooMany('their bookkeeping could not be allocated', error);
    throw error;
  }
}
