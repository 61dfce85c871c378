/**
 * A custom policy for specs: every hook goes to a built-in policy, with a spec's own
 * step run before or after it (to play a policy whose hook throws). Being a custom
 * factory, it is checked by the cache as any user's policy is.
 *
 * @module
 */
import type { PolicyFactory } from 'macho';

/** The hooks a shard calls on its policy. */
export type PolicyHook = 'onInsert' | 'onAccess' | 'onUpdate' | 'onRemove' | 'onMiss' | 'onClear' | 'victim';

/**
 * `base`'s hooks under the name `name`; `step(hook)` runs `when` each hook runs
 * (`'before'` it, the default, or `'after'` it; `victim` always before).
 */
export function delegatingPolicy(
  name: string,
  base: PolicyFactory,
  step: (hook: PolicyHook) => void = () => {},
  when: 'before' | 'after' = 'before',
): PolicyFactory {
  return (context) => {
    const inner = base(context);
    const tell = (hook: PolicyHook, call: () => void): void => {
      if (when === 'before') step(hook);
      call();
      if (when === 'after') step(hook);
    };
    return {
      name,
      onInsert: (slot) => tell('onInsert', () => inner.onInsert(slot)),
      onAccess: (slot) => tell('onAccess', () => inner.onAccess(slot)),
      onUpdate: (slot) => tell('onUpdate', () => inner.onUpdate(slot)),
      onRemove: (slot) => tell('onRemove', () => inner.onRemove(slot)),
      onMiss: (key) => tell('onMiss', () => inner.onMiss?.(key)),
      onClear: () => tell('onClear', () => inner.onClear()),
      victim: (incoming) => {
        step('victim');
        return inner.victim(incoming);
      },
    };
  };
}
