import { describe, messageOf, PolicyContractError } from '../errors.js';
import type { EvictionPolicy, PolicyContext, PolicyFactory } from '../policies/policy.js';

/** Told of a custom policy's hook that threw (the error names the policy and the hook). */
export type PolicyFailureReport = (failure: PolicyContractError) => void;

/**
 * Which custom-policy hook of one cache is running, if any. A hook is called while the
 * shard is in the middle of a change: a hook that called back into the cache (a delete
 * of the key it is told about, a `get`, even `metrics()`, which expires what is due)
 * would change the shard under that change, and leave it corrupt (an entry freed twice,
 * more entries than the capacity). The cache refuses such calls ({@link refusal}).
 */
export class PolicyCallGuard {
  /** The running hook's policy name, or `undefined` when no custom hook is running. */
  policy: string | undefined = undefined;
  hook = '';

  // This cache's refusals, told apart from a PolicyContractError a hook got from another cache.
  readonly #refusals = new WeakSet<PolicyContractError>();

  /** The error for `operation` called from the running hook. */
  refusal(operation: string): PolicyContractError {
    const error = new PolicyContractError(
      this.policy!,
      `tried to ${operation} on the cache from its ${this.hook}() hook: a policy must not call into the cache ` +
        `it serves (it is told of a change while the cache is making it)`,
    );
    this.#refusals.add(error);
    return error;
  }

  /** Whether `error` is one of this guard's refusals. */
  refused(error: unknown): boolean {
    return error instanceof PolicyContractError && this.#refusals.has(error);
  }
}

/** The methods every policy must have (`onMiss` and `victimsReturn` are optional). */
const REQUIRED_METHODS = ['onInsert', 'onAccess', 'onUpdate', 'onRemove', 'victim', 'onClear'] as const;

/**
 * Calls a custom policy factory. What it throws is bad configuration, reported at
 * construction as the contract asks: a `RangeError` or `TypeError` naming the option
 * `strategy` (a `RangeError` stays one), with the factory's error as its `cause`.
 * A class passed where a factory goes gets its own hint.
 */
export function callPolicyFactory(factory: PolicyFactory, context: PolicyContext): EvictionPolicy {
  try {
    return factory(context);
  } catch (error) {
    const message = messageOf(error);
    const hint = isClass(factory)
      ? `; got a class (${factory.name || 'anonymous'}): pass a factory, (context) => new ${factory.name || 'YourPolicy'}(context)`
      : '';
    const Wrapper = isRangeError(error) ? RangeError : TypeError;
    throw new Wrapper(`macho: option "strategy": the policy factory threw: ${message}${hint}`, { cause: error });
  }
}

// Whether what a factory threw is a RangeError, duck-typed (one from another realm).
// Reading it must not throw in turn (a throwing getter, a Proxy): that would replace
// the clear error with its own.
function isRangeError(error: unknown): boolean {
  try {
    return error instanceof RangeError || (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'RangeError');
  } catch {
    return false;
  }
}

function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

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
  readonly #calls: PolicyCallGuard;

  /**
   * @throws TypeError naming the `strategy` option if `inner` is not a policy object
   *   with every required method.
   */
  constructor(inner: EvictionPolicy, report: PolicyFailureReport, calls: PolicyCallGuard) {
    let shape: PolicyShape;
    try {
      shape = policyShape(inner);
    } catch (error) {
      // A getter or a Proxy that throws while the shape is read: bad configuration too.
      throw new TypeError(`macho: option "strategy": reading the policy object threw: ${messageOf(error)}`, { cause: error });
    }
    if (shape.problem !== undefined) throw new TypeError(`macho: option "strategy": ${shape.problem}`);
    this.#inner = inner;
    this.#report = report;
    this.#calls = calls;
    this.name = shape.name;
    this.victimsReturn = shape.victimsReturn;
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
    const calls = this.#calls;
    const outer = calls.policy;
    const outerHook = calls.hook;
    calls.policy = this.name;
    calls.hook = 'victim';
    try {
      return this.#inner.victim(incoming);
    } catch (error) {
      throw this.#asContractError('victim', error);
    } finally {
      calls.policy = outer;
      calls.hook = outerHook;
    }
  }

  // The cache's own refusal of a call from a hook (PolicyCallGuard) is already the error
  // to report; anything else the hook threw is wrapped, naming the policy and the hook.
  #asContractError(hook: string, error: unknown): PolicyContractError {
    return this.#calls.refused(error) ? (error as PolicyContractError) : policyThrew(this.name, hook, error);
  }

  #tell(hook: Notice, argument: unknown): void {
    const calls = this.#calls;
    const outer = calls.policy;
    const outerHook = calls.hook;
    calls.policy = this.name;
    calls.hook = hook;
    try {
      // Called on the inner policy, so that its methods see it as `this`.
      (this.#inner[hook] as ((argument: unknown) => void) | undefined)?.call(this.#inner, argument);
    } catch (error) {
      this.#report(this.#asContractError(hook, error));
    } finally {
      calls.policy = outer;
      calls.hook = outerHook;
    }
  }
}

/** What the constructor reads from a custom policy object, once; `problem` if it is no policy. */
interface PolicyShape {
  readonly name: string;
  readonly victimsReturn: boolean;
  readonly problem?: string;
}

// Everything a shard will use, checked at construction: an optional hook or flag of
// the wrong type would otherwise fail on every call (an onMiss that is not a function
// broke every miss, and with it every load) or be read as something else.
function policyShape(inner: unknown): PolicyShape {
  if (typeof inner !== 'object' || inner === null)
    return { name: '', victimsReturn: false, problem: `the policy factory returned ${describe(inner)}, not a policy object` };
  const policy = inner as Partial<Record<string, unknown>>;
  const name = policy['name'];
  const named = typeof name === 'string' ? `policy "${name}"` : 'the policy (it has no string name)';
  const missing = REQUIRED_METHODS.filter((method) => typeof policy[method] !== 'function');
  if (missing.length !== 0 || typeof name !== 'string') {
    const what = missing.length === 0 ? 'is incomplete' : `has no ${missing.join(', ')} method`;
    return {
      name: '',
      victimsReturn: false,
      problem: `${named} ${what}; a policy needs a name and the methods ${REQUIRED_METHODS.join(', ')}`,
    };
  }
  // null as undefined: left out (JavaScript policies wrote it so, and it always worked).
  const onMiss = policy['onMiss'];
  if (onMiss !== undefined && onMiss !== null && typeof onMiss !== 'function')
    return { name, victimsReturn: false, problem: `${named} has an onMiss that is not a function (${describe(onMiss)}); leave it out or make it one` };
  const victimsReturn = policy['victimsReturn'];
  if (victimsReturn !== undefined && victimsReturn !== null && typeof victimsReturn !== 'boolean')
    return { name, victimsReturn: false, problem: `${named} has a victimsReturn that is not a boolean (${describe(victimsReturn)})` };
  return { name, victimsReturn: victimsReturn === true };
}

/** The hooks a shard calls to tell its policy of a change. */
type Notice = 'onInsert' | 'onAccess' | 'onUpdate' | 'onRemove' | 'onMiss' | 'onClear';

/** The error for a policy hook that threw `error`. */
export function policyThrew(policy: string, hook: string, error: unknown): PolicyContractError {
  const message = messageOf(error);
  return new PolicyContractError(policy, `threw from ${hook}(): ${message}`, { cause: error });
}
