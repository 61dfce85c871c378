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
