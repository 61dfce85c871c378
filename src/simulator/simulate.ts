/**
 * The trace-driven policy simulator: replays a trace through real caches, one per
 * (policy, size), and reports hit ratios.
 *
 * What is measured is the library itself: each run is a {@link Cache} with the policy
 * as its `strategy`, one shard, no TTL and no latency sampling, driven cache-aside
 * (`get`; on a miss, `set`) — the same code path users run, not a model of it.
 * Belady's optimal policy ({@link OPTIMAL}) can be asked for beside the real ones, as
 * the bound to compare them with.
 *
 * @module
 */

import { Cache } from '../cache.js';
import { ERROR_PREFIX, describe, knownOptions } from '../errors.js';
import type { StrategyName } from '../policies/index.js';
import { BUILTIN_POLICIES, isBuiltinPolicy, isStrategyName, isTrustedPolicy } from '../policies/index.js';
import { trustedFactory } from '../policies/trusted.js';
import type { PolicyFactory } from '../policies/policy.js';
import { nextUses, optimalHits } from './optimal.js';
import type { TraceKey } from './traceParser.js';
import type { Trace } from './traceReader.js';

/**
 * The name that asks {@link simulate} for Belady's optimal policy: the offline bound,
 * computed by the simulator (it reads the future), not a cache strategy.
 */
export const OPTIMAL = 'optimal';

/** A policy under a name of your choosing (the `policy` of its results). */
export interface NamedPolicy {
  readonly name: string;
  readonly factory: PolicyFactory;
}

/**
 * A policy to simulate: a built-in strategy name, {@link OPTIMAL}, a policy factory
 * (reported under its name if built in, else under the `name` of the policy it makes),
 * or a {@link NamedPolicy}.
 */
export type SimulatedPolicy = StrategyName | typeof OPTIMAL | PolicyFactory | NamedPolicy;

/** How requests reach the cache. Only `'cache-aside'` for now: `get`, and `set` on a miss. */
export type SimulationMode = 'cache-aside';

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** The policies to compare; each is run at every size. */
  policies: readonly SimulatedPolicy[];
  /**
   * Cache capacities, in entries (integers from 1 to 2^30). The built-in policies (and
   * {@link OPTIMAL}) run a size above the trace's distinct keys at that count: such a
   * cache never evicts, so the hits are the same, without allocating for slots never
   * used; the result reports the size given. A custom policy factory is always called
   * with the size given as its `capacity`.
   */
  sizes: readonly number[];
  /** Default `'cache-aside'`. */
  mode?: SimulationMode | undefined;
  /** Called after each (policy, size) run, in order: a long simulation can report as it goes. */
  onProgress?: ((progress: SimulationProgress) => void) | undefined;
}

/** One (policy, size) run. */
export interface SimulationResult {
  /** The policy's name (`'lru'`, `'optimal'`, a {@link NamedPolicy}'s name, …). */
  readonly policy: string;
  /** The capacity, in entries. */
  readonly size: number;
  /** Requests replayed (the trace's length). */
  readonly requests: number;
  readonly hits: number;
  readonly misses: number;
  /** `hits / requests`, 0 for an empty trace. */
  readonly hitRatio: number;
}

/** What {@link SimulateOptions.onProgress} receives. */
export interface SimulationProgress {
  /** The run just finished. */
  readonly result: SimulationResult;
  /** Runs finished so far, this one included. */
  readonly done: number;
  /** Runs in all (policies × sizes). */
  readonly total: number;
  /** Wall time of this run, in ms. */
  readonly ms: number;
}

interface Contender {
  name: string;
  strategy: StrategyName | PolicyFactory | typeof OPTIMAL;
  // Ours (a built-in, configured or not, or OPTIMAL): run at min(size, distinct keys),
  // which gives the same hits. A custom factory is called with the size asked for: it
  // may depend on its capacity in ways we cannot know (refuse small ones, say).
  capped: boolean;
}

/**
 * Replays `trace` through every policy at every size and returns one result per
 * (policy, size), policies in the order given and sizes in the order given within each.
 * Synchronous: a whole trace is replayed in one go.
 *
 * @param trace - a {@link Trace} (from `readTrace`) or the keys themselves (see `parseTrace`).
 * @throws TypeError or RangeError naming the bad option (an unknown policy name, a size
 *   that is not an integer ≥ 1, an unknown mode) before anything runs.
 * @example
 * const gli = await readTrace('traces/gli.trace');
 * const results = simulate(gli, { policies: ['lru', 'fifo', OPTIMAL], sizes: [500, 1000] });
 * for (const r of results) console.log(r.policy, r.size, (100 * r.hitRatio).toFixed(2));
 */
export function simulate(trace: Trace | readonly TraceKey[], options: SimulateOptions): SimulationResult[] {
  const keys = traceKeys(trace);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${ERROR_PREFIX}simulate() needs options; got ${describe(options)}`);
  knownOptions(`${ERROR_PREFIX}simulate()`, options, ['policies', 'sizes', 'mode', 'onProgress']);
  // `=== undefined`, not `??`: a null is a mistake to report, not a default to take.
  const mode = options.mode === undefined ? 'cache-aside' : options.mode;
  if (mode !== 'cache-aside') throw optionError(RangeError, 'mode', `"cache-aside"`, mode);
  const sizes = sizesOption(options.sizes);
  const contenders = policiesOption(options.policies);
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw optionError(TypeError, 'onProgress', 'a function', onProgress);

  const results: SimulationResult[] = [];
  const total = contenders.length * sizes.length;
  let next: Int32Array | undefined; // Belady's next-use table, built once if asked for
  // A cache with room for every distinct key never evicts: every policy then has the
  // same hits, and a larger one only allocates for slots it never uses (gigabytes for
  // a size of 10^8 over a short trace). Our policies run at the distinct count then.
  let distinct: number | undefined;
  for (const contender of contenders) {
    for (const size of sizes) {
      const start = performance.now();
      const capacity = contender.capped ? Math.min(size, Math.max(1, (distinct ??= new Set(keys).size))) : size;
      let hits: number;
      if (contender.strategy === OPTIMAL) hits = optimalHits((next ??= nextUses(keys)), capacity);
      else hits = cacheAsideHits(keys, capacity, contender, size);
      const requests = keys.length;
      const result: SimulationResult = Object.freeze({
        policy: contender.name,
        size,
        requests,
        hits,
        misses: requests - hits,
        hitRatio: requests === 0 ? 0 : hits / requests,
      });
      results.push(result);
      onProgress?.({ result, done: results.length, total, ms: performance.now() - start });
    }
  }
  return results;
}

// The replay loop: a real cache, as users drive it.
// `size`: the capacity to build (see `capped`); `asked`: the size given, for errors.
function cacheAsideHits(keys: readonly TraceKey[], size: number, contender: Contender, asked: number): number {
  const strategy = contender.strategy as StrategyName | PolicyFactory;
  let cache: Cache<TraceKey, true>;
  try {
    cache = new Cache<TraceKey, true>({ maxCacheSize: size, strategy, ttl: 0, shardCount: 1, latencySampleEvery: 0 });
  } catch (error) {
    throw asPoliciesError(error, contender.name, asked);
  }
  let hits = 0;
  try {
    for (let i = 0, n = keys.length; i < n; i++) {
      const key = keys[i]!;
      if (cache.get(key) === undefined) cache.set(key, true);
      else hits++;
    }
  } finally {
    cache.dispose();
  }
  return hits;
}

function traceKeys(trace: Trace | readonly TraceKey[]): readonly TraceKey[] {
  if (Array.isArray(trace)) return trace as readonly TraceKey[];
  const keys = (trace as Partial<Trace> | null)?.keys;
  if (!Array.isArray(keys)) throw new TypeError(`${ERROR_PREFIX}simulate() takes a Trace (from readTrace) or an array of keys; got ${describe(trace)}`);
  return keys as readonly TraceKey[];
}

function sizesOption(sizes: unknown): number[] {
  if (!Array.isArray(sizes) || sizes.length === 0) throw optionError(TypeError, 'sizes', 'a non-empty array of capacities', sizes);
  for (const size of sizes as unknown[]) {
    if (typeof size !== 'number') throw optionError(TypeError, 'sizes', 'integers ≥ 1', size);
    if (!Number.isInteger(size) || size < 1 || size > 2 ** 30) throw optionError(RangeError, 'sizes', 'integers from 1 to 2^30', size);
  }
  return sizes as number[];
}

function policiesOption(policies: unknown): Contender[] {
  if (!Array.isArray(policies) || policies.length === 0) throw optionError(TypeError, 'policies', 'a non-empty array of policies', policies);
  return (policies as unknown[]).map(contender);
}

function contender(policy: unknown): Contender {
  if (policy === OPTIMAL) return { name: OPTIMAL, strategy: OPTIMAL, capped: true };
  if (typeof policy === 'string') {
    if (!isStrategyName(policy)) {
      const known = [...Object.keys(BUILTIN_POLICIES), OPTIMAL].map((name) => `"${name}"`).join(', ');
      throw optionError(RangeError, 'policies', `built-in names (${known}), policy factories or { name, factory }`, policy);
    }
    return { name: policy, strategy: policy, capped: true };
  }
  if (typeof policy === 'function') return factoryContender(policy as PolicyFactory);
  const named = policy as Partial<NamedPolicy> | null;
  if (typeof named === 'object' && named !== null && typeof named.name === 'string' && typeof named.factory === 'function')
    return { name: named.name, strategy: named.factory, capped: isTrustedPolicy(named.factory) };
  throw optionError(TypeError, 'policies', 'names, policy factories or { name, factory } objects', policy);
}

// A built-in factory passed by value is reported under its registry name and run as is
// (the cache trusts built-ins). A custom one is reported under the name of the policy
// it makes, learnt from the first instance: the cache checks custom policies anyway.
function factoryContender(factory: PolicyFactory): Contender {
  if (isBuiltinPolicy(factory)) {
    const name = Object.keys(BUILTIN_POLICIES).find((key) => BUILTIN_POLICIES[key as StrategyName] === factory)!;
    return { name, strategy: factory, capped: true };
  }
  const learning: PolicyFactory = (context) => {
    const instance = factory(context);
    // What the factory returned is the cache's to check (a forgotten `return` gives
    // undefined, which it reports as such); only a well-formed name is learnt here.
    const name = typeof instance === 'object' && instance !== null ? readName(instance) : undefined;
    if (name !== undefined) entry.name = name;
    return instance;
  };
  const trusted = isTrustedPolicy(factory);
  const entry: Contender = { name: factory.name || 'custom', strategy: learning, capped: trusted };
  // A configured built-in (tinyLfu({ … })) runs unchecked, as it would in a cache.
  if (trusted) trustedFactory(learning);
  return entry;
}

// What building a run's cache threw can only be the policy's (simulate checked the
// sizes): a factory that threw or returned wrong (the cache names its option
// "strategy", which simulate() has no option of), or a configured built-in refusing
// the capacity. Say which policy and size of option "policies" it was.
function asPoliciesError(error: unknown, name: string, size: number): unknown {
  if (!(error instanceof TypeError || error instanceof RangeError)) return error;
  const prefix = `${ERROR_PREFIX}option "strategy": `;
  const reason = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const Kind = error instanceof RangeError ? RangeError : TypeError;
  return new Kind(`${ERROR_PREFIX}simulate(): option "policies": ${JSON.stringify(name)} at size ${size}: ${reason}`, {
    cause: error,
  });
}

// The policy's name if it is a string; a throwing getter is left for the cache to meet.
function readName(instance: object): string | undefined {
  try {
    const name = (instance as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function optionError(
  Kind: typeof TypeError | typeof RangeError,
  option: string,
  expected: string,
  got: unknown,
): TypeError | RangeError {
  return new Kind(`${ERROR_PREFIX}simulate() option "${option}" must be ${expected}; got ${describe(got)}`);
}
