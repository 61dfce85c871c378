import type { PolicyFactory } from './policy.js';

// Factories made by this package's policy builders (`tinyLfu({ … })`, `lirs({ … })`,
// `clockPro({ … })`, and the defaults they make): the same classes the property tests
// prove, with other numbers. A WeakSet, so a factory made and dropped is not kept.
const trustedFactories = new WeakSet<PolicyFactory>();

/**
 * Marks `factory` as made by a built-in policy builder, so that a shard runs it as it
 * runs the named built-ins: unchecked (no wrapper around each hook) and with its own
 * errors passed through unchanged.
 */
export function trustedFactory<F extends PolicyFactory>(factory: F): F {
  trustedFactories.add(factory);
  return factory;
}

/** True when `factory` came from a built-in policy builder (see {@link trustedFactory}). */
export function isTrustedFactory(factory: PolicyFactory): boolean {
  return trustedFactories.has(factory);
}
