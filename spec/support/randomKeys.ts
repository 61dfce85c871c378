/**
 * Seeded random string keys for the filter specs: every measured rate and every
 * property run sees the same keys on every run.
 *
 * @module
 */
import { mulberry32 } from '../../bench/inputs.js';

export { mulberry32 };

/** `count` keys, distinct by their index and `prefix`, otherwise random. */
export function randomKeys(prefix: string, count: number, seed: number): string[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => `${prefix}:${Math.floor(random() * 2 ** 32).toString(36)}:${i}`);
}
