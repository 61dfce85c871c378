/**
 * Model-based testing with `fc.commands`: each command performs one operation on a
 * virtual cache and checks the answer against a {@link CacheModel}. This file imports
 * fast-check (an optional peer dependency of `macho`, needed by `macho/testing`).
 *
 * @module
 */
import type { Arbitrary, Command } from 'fast-check';
import fc from 'fast-check';
import type { CacheOptions } from '../options.js';
import type { CacheOperationOptions, Source } from './arbitraries.js';
import { cacheOperation } from './arbitraries.js';
import type { CacheModel } from './cacheModel.js';
import { createCacheModel } from './cacheModel.js';
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
   * After every command, also run {@link checkInvariants} and compare `snapshot()`
   * with the model (every entry the cache holds is one the model holds, with the same
   * value and expiry). Default `true`; `false` checks only the answers and
   * `size ≤ maxCacheSize`.
   */
  readonly invariants?: boolean;
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
    const result = applyOperation(real, this.operation);
    const problems = model.observe(this.operation, result);
    if (real.now() !== model.now) problems.push(`the clock reads ${real.now()}; the model's reads ${model.now}`);
    const { cache } = real;
    if (this.invariants) {
      problems.push(...checkInvariants(cache).violations);
      problems.push(...model.compareSnapshot(cache.snapshot()));
    } else {
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
 * operation on a {@link VirtualCache} (the "real" system) and checks the answer against
 * a {@link CacheModel} (a `Map` with expiry times that ignores eviction order). The
 * checks hold for any policy: a value returned is the last one written for that key
 * and not expired (for `peek` too); `has`/`delete` agree; a key seen absent stays
 * absent until written; `size ≤ maxCacheSize`; with `invariants` (default), every
 * {@link checkInvariants} invariant after every command.
 *
 * @example
 * import fc from 'fast-check';
import type { CacheOptions } from '../options.js';
 * import { cacheCommands, runCacheCommands } from 'macho/testing';
 *
 * fc.assert(
 *   fc.property(fc.commands(cacheCommands(['a', 'b', 'c'], fc.integer()), { size: '+1' }), (commands) => {
 *     runCacheCommands(commands, { maxCacheSize: 2, ttl: 100, strategy: 'fifo' });
 *   }),
 * );
 */
export function cacheCommands<K, V>(
  keys: Source<K>,
  values: Source<V>,
  options: CacheCommandsOptions = {},
): Arbitrary<CacheModelCommand<K, V>>[] {
  const { invariants = true, ...operationOptions } = options;
  return [cacheOperation(keys, values, operationOptions).map((op) => new OperationCommand(op, invariants))];
}

/**
 * Runs `commands` (from `fc.commands(cacheCommands(…))`) with `fc.modelRun` on a new
 * virtual cache built with `options` and a fresh model, then disposes of the cache.
 *
 * @throws the first inconsistency found, naming the command that revealed it.
 * @example
 * import fc from 'fast-check';
import type { CacheOptions } from '../options.js';
 * import { cacheCommands, runCacheCommands } from 'macho/testing';
 *
 * fc.assert(fc.property(fc.commands(cacheCommands([1, 2, 3], fc.boolean())), (commands) => {
 *   runCacheCommands(commands, { maxCacheSize: 2, shardCount: 2, bloom: true });
 * }));
 */
export function runCacheCommands<K, V>(
  commands: Iterable<Command<CacheModel<K, V>, VirtualCache<K, V>>>,
  options: VirtualCacheOptions | CacheOptions = {},
): void {
  const real = createVirtualCache<K, V>(options);
  try {
    fc.modelRun(() => ({ model: createCacheModel<K, V>(real.cache), real }), commands);
  } finally {
    real.dispose();
  }
}
