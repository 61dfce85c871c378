import { fifoPolicy } from './fifo.js';
import { lruPolicy } from './lru.js';
import type { PolicyFactory } from './policy.js';
import { randomPolicy } from './random.js';

/** The names the `strategy` option accepts. */
export type StrategyName = 'lru' | 'fifo' | 'random';

/** The built-in policies by name. */
export const BUILTIN_POLICIES: Readonly<Record<StrategyName, PolicyFactory>> = Object.freeze({
  lru: lruPolicy,
  fifo: fifoPolicy,
  random: randomPolicy,
});

/** True when `name` is one of {@link BUILTIN_POLICIES}. */
export function isStrategyName(name: unknown): name is StrategyName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(BUILTIN_POLICIES, name);
}

const BUILTIN_FACTORIES = new Set<PolicyFactory>(Object.values(BUILTIN_POLICIES));

/** True when `factory` is one of the built-in policies (whose contract is tested here). */
export function isBuiltinPolicy(factory: PolicyFactory): boolean {
  return BUILTIN_FACTORIES.has(factory);
}
