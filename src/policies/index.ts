import { arcPolicy } from './arc.js';
import { clockProPolicy } from './clockPro.js';
import { fifoPolicy } from './fifo.js';
import { lfuPolicy } from './lfu.js';
import { lirsPolicy } from './lirs.js';
import { lruPolicy } from './lru.js';
import { mfuPolicy } from './mfu.js';
import type { PolicyFactory } from './policy.js';
import { randomPolicy } from './random.js';
import { s3fifoPolicy } from './s3fifo.js';
import { sievePolicy } from './sieve.js';
import { tinyLfuPolicy } from './tinyLfu.js';
import { isTrustedFactory, trustedFactory } from './trusted.js';

/** The names the `strategy` option accepts. */
export type StrategyName = 'lru' | 'fifo' | 'random' | 'lfu' | 'mfu' | 'sieve' | 's3fifo' | 'tinylfu' | 'arc' | 'lirs' | 'clockpro';

/** The built-in policies by name. */
export const BUILTIN_POLICIES: Readonly<Record<StrategyName, PolicyFactory>> = Object.freeze({
  lru: lruPolicy,
  fifo: fifoPolicy,
  random: randomPolicy,
  lfu: lfuPolicy,
  mfu: mfuPolicy,
  sieve: sievePolicy,
  s3fifo: s3fifoPolicy,
  tinylfu: tinyLfuPolicy,
  arc: arcPolicy,
  lirs: lirsPolicy,
  clockpro: clockProPolicy,
});

/** True when `name` is one of {@link BUILTIN_POLICIES}. */
export function isStrategyName(name: unknown): name is StrategyName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(BUILTIN_POLICIES, name);
}

const BUILTIN_FACTORIES = new Set<PolicyFactory>(Object.values(BUILTIN_POLICIES));
// The named built-ins are trusted like the configured ones (see isTrustedPolicy).
for (const factory of BUILTIN_FACTORIES) trustedFactory(factory);

/** True when `factory` is one of the built-in policies (whose contract is tested here). */
export function isBuiltinPolicy(factory: PolicyFactory): boolean {
  return BUILTIN_FACTORIES.has(factory);
}

/**
 * True when `factory` is a built-in policy, named or configured (`tinyLfu({ … })`):
 * a shard runs it unchecked, as it is proven by this package's property tests.
 */
export function isTrustedPolicy(factory: PolicyFactory): boolean {
  return isTrustedFactory(factory);
}
