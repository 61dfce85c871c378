import { PolicyContractError } from '../errors.js';
import type { EvictionPolicy } from '../policies/policy.js';

/** Told of a custom policy's hook that threw (the error names the policy and the hook). */
export type PolicyFailureReport = (failure: PolicyContractError) => void;

/**
 * A custom policy, with its hooks kept from breaking the shard.
 *
 * The shard tells its policy about a change while making it (a slot filled, emptied,
 * read). If a hook threw there, the shard would stop half-way: an entry in the index
 * but not in the policy, a value replaced with no event and no log entry, a cleared
 * shard whose `'clear'` never went out. So a hook that throws is *reported* instead
 * (the cache throws a {@link PolicyContractError} once the command is complete and
 * consistent on the cache's side) and the shard carries on. Only `victim()` throws at
 * once, as a `PolicyContractError`: nothing has changed yet when it is called, and
 * without a victim there is nothing to carry on with.
 *
 * Built-in policies are not wrapped: they are proven by property tests, and the wrapper
 * costs a call per hook.
 */
export class CheckedPolicy implements EvictionPolicy {
  readonly name: string;
  readonly victimsReturn: boolean;
  readonly #inner: EvictionPolicy;
  readonly #report: PolicyFailureReport;

  constructor(inner: EvictionPolicy, report: PolicyFailureReport) {
    this.#inner = inner;
    this.#report = report;
    this.name = inner.name;
    this.victimsReturn = inner.victimsReturn === true;
  }

  onInsert(slot: number): void {
    this.#tell('onInsert', slot);
  }

  onAccess(slot: number): void {
    this.#tell('onAccess', slot);
  }

  onUpdate(slot: number): void {
    this.#tell('onUpdate', slot);
  }

  onRemove(slot: number): void {
    this.#tell('onRemove', slot);
  }

  onMiss(key: unknown): void {
    this.#tell('onMiss', key);
  }

  onClear(): void {
    this.#tell('onClear', undefined);
  }

  victim(incoming?: unknown): number {
    try {
      return this.#inner.victim(incoming);
    } catch (error) {
      throw policyThrew(this.name, 'victim', error);
    }
  }

  #tell(hook: Notice, argument: unknown): void {
    try {
      // Called on the inner policy, so that its methods see it as `this`.
      (this.#inner[hook] as ((argument: unknown) => void) | undefined)?.call(this.#inner, argument);
    } catch (error) {
      this.#report(policyThrew(this.name, hook, error));
    }
  }
}

/** The hooks a shard calls to tell its policy of a change. */
type Notice = 'onInsert' | 'onAccess' | 'onUpdate' | 'onRemove' | 'onMiss' | 'onClear';

/** The error for a policy hook that threw `error`. */
export function policyThrew(policy: string, hook: string, error: unknown): PolicyContractError {
  const message = error instanceof Error ? error.message : String(error);
  return new PolicyContractError(policy, `threw from ${hook}(): ${message}`, { cause: error });
}
