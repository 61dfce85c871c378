/**
 * Model-based testing with `fc.commands`: each command performs one operation on a
 * virtual cache and checks the answer, and the events it caused, against a
 * {@link CacheModel}. This file imports fast-check (an optional peer dependency of
 * `macho`, needed by `macho/testing`).
 *
 * @module
 */
import type { Arbitrary, Command } from 'fast-check';
import fc from 'fast-check';
import { describe, knownOptions } from '../errors.js';
import type { CacheOptions } from '../options.js';
import type { CacheOperationOptions, Source } from './arbitraries.js';
import { cacheOperation, OPERATION_OPTIONS } from './arbitraries.js';
import type { CacheModel } from './cacheModel.js';
import { createCacheModel } from './cacheModel.js';
import type { EventRecorder } from './eventRecorder.js';
import { recordEvents, trackingOf } from './eventRecorder.js';
import { checkInvariants } from './invariants.js';
import type { CacheOperation } from './operations.js';
import { applyOperation, describeOperation } from './operations.js';
import type { VirtualCache, VirtualCacheOptions } from './virtualCache.js';
import { createVirtualCache } from './virtualCache.js';

/**
 * An `fc.commands` command: one operation, run on a virtual cache and checked against the model.
 * @example
 * const [arbitrary] = cacheCommands(['a'], [1]);
 * const [command]: CacheModelCommand<string, number>[] = fc.sample(arbitrary, 1);
 * String(command); // e.g. 'set("a", 1)'
 */
export interface CacheModelCommand<K = unknown, V = unknown> extends Command<CacheModel<K, V>, VirtualCache<K, V>> {
  /** The operation this command performs. */
  readonly operation: CacheOperation<K, V>;
}

/**
 * Options of {@link cacheCommands}: those of {@link cacheOperation}, and how much to check.
 * @example
 * cacheCommands(keys, values, { invariants: false, maxAdvance: 100 });
 */
export interface CacheCommandsOptions extends CacheOperationOptions {
  /**
   * After every command, also run {@link checkInvariants} (with the events recorded
   * since the cache was made) and compare `snapshot()` with the model (every entry the
   * cache holds is one the model holds, with the same value and expiry). Default
   * `true`; `false` checks only the answers, the events (each removal explained and
   * allowed) and `size ≤ maxCacheSize`.
   */
  readonly invariants?: boolean | undefined;
}

// The recorder of each virtual cache under test: the model learns from its events.
// Made by runCacheCommands, or at the first command when the caller runs fc.modelRun itself.
const recorders = new WeakMap<object, EventRecorder<unknown, unknown>>();

function recorderOf<K, V>(real: VirtualCache<K, V>): EventRecorder<K, V> {
  let recorder = recorders.get(real) as EventRecorder<K, V> | undefined;
  if (recorder === undefined) {
    recorder = recordEvents(real.cache);
    recorders.set(real, recorder as EventRecorder<unknown, unknown>);
  }
  return recorder;
}

class OperationCommand<K, V> implements CacheModelCommand<K, V> {
  constructor(
    readonly operation: CacheOperation<K, V>,
    readonly invariants: boolean,
  ) {}

  check(): boolean {
    return true; // every operation is valid in every state
  }

  run(model: CacheModel<K, V>, real: VirtualCache<K, V>): void {
    const recorder = recorderOf(real);
    const from = recorder.events.length;
    const result = applyOperation(real, this.operation);
    const problems = model.observe(this.operation, result, recorder.events.slice(from));
    if (real.now() !== model.now) problems.push(`the clock reads ${real.now()}; the model's reads ${model.now}`);
    const { cache } = real;
    if (this.invariants) {
      problems.push(...checkInvariants(cache, { recorder }).violations);
      problems.push(...model.compareSnapshot(cache.snapshot()));
    } else {
      problems.push(...(trackingOf(recorder)?.ledger.problems ?? []));
      const size = cache.size;
      if (size > model.capacity) problems.push(`size ${size} exceeds maxCacheSize ${model.capacity}`);
    }
    if (problems.length > 0)
      throw new Error(`macho/testing: after ${this.toString()}:\n  - ${problems.join('\n  - ')}`);
  }

  toString(): string {
    return describeOperation(this.operation as CacheOperation);
  }
}

/**
 * The command arbitraries for `fc.commands`: each command performs one generated
 * operation on a {@link VirtualCache} (the "real" system) and checks the answer, and
 * the events it caused, against a {@link CacheModel} (a `Map` with expiry times that
 * learns evictions from the events). The checks hold for any policy: a value returned
 * is the last one written for that key and not expired (for `peek` too); a key that no
 * event removed and whose expiry has not come is answered by `get`/`peek`/`has`; an
 * entry leaves only with an `'evict'` (only when a new key arrives in a full shard,
 * one per new key), an `'expire'` (at or after `set` time + TTL), a `'delete'` or a
 * `'clear'`; `size ≤ maxCacheSize`; with `invariants` (default), every
 * {@link checkInvariants} invariant after every command. An `update` of a value immer
 * cannot draft must be refused (see `UpdateOperation`), so values may be of any type.
 *
 * Each command's `run` records the virtual cache's events from its first command on
 * (see {@link recordEvents}); a model from {@link createCacheModel} must start with
 * the cache (empty, or both built from the same state).
 *
 * @throws TypeError for an unknown option or weight name, as {@link cacheOperation}.
 * @example
 * import fc from 'fast-check';
 * import type { CacheOptions } from 'macho';
 * import { cacheCommands, runCacheCommands } from 'macho/testing';
 *
 * const config: CacheOptions = { maxCacheSize: 2, ttl: 100, strategy: 'fifo' };
 * fc.assert(
 *   fc.property(fc.commands(cacheCommands(['a', 'b', 'c'], fc.integer()), { size: '+1' }), (commands) => {
 *     runCacheCommands(commands, config);
 *   }),
 * );
 */
export function cacheCommands<K, V>(
  keys: Source<K>,
  values: Source<V>,
  options: CacheCommandsOptions = {},
): Arbitrary<CacheModelCommand<K, V>>[] {
  knownOptions('macho/testing: cacheCommands', options, [...OPERATION_OPTIONS, 'invariants']);
  const { invariants = true, ...operationOptions } = options;
  if (typeof invariants !== 'boolean')
    throw new TypeError(`macho/testing: cacheCommands option "invariants" must be a boolean; got ${describe(invariants)}`);
  return [cacheOperation(keys, values, operationOptions).map((op) => new OperationCommand(op, invariants))];
}

/**
 * Runs `commands` (from `fc.commands(cacheCommands(…))`) with `fc.modelRun` on a new
 * virtual cache built with `options` and a fresh model, then disposes of the cache.
 *
 * @param options - the configuration under test, as for `new Cache(options)`.
 * @throws the first inconsistency found, naming the command that revealed it; or
 *   what the cache or the clock threw (a `VirtualTimeError` for a custom policy that
 *   threw during a timer-driven expiry).
 * @example
 * import fc from 'fast-check';
 * import type { CacheOptions } from 'macho';
 * import { cacheCommands, runCacheCommands } from 'macho/testing';
 *
 * const config: CacheOptions = { maxCacheSize: 2, shardCount: 2, bloom: true };
 * fc.assert(fc.property(fc.commands(cacheCommands([1, 2, 3], fc.boolean())), (commands) => {
 *   runCacheCommands(commands, config);
 * }));
 */
export function runCacheCommands<K, V>(
  commands: Iterable<Command<CacheModel<K, V>, VirtualCache<K, V>>>,
  // NoInfer: K and V come from the commands; a config typed CacheOptions (K unknown)
  // is still taken, as the examples above write it.
  options: VirtualCacheOptions<NoInfer<K>> | CacheOptions<NoInfer<K>> = {},
): void {
  const real = createVirtualCache<K, V>(options);
  try {
    recorderOf(real); // from the start, before any command
    fc.modelRun(() => ({ model: createCacheModel<K, V>(real.cache), real }), commands);
  } finally {
    real.dispose();
  }
}
