/**
 * A reference model of a cache for model-based tests: a `Map` with expiry times that
 * knows nothing of eviction. It cannot say *which* entry a policy evicts, but every
 * policy only ever removes entries, so whatever the real cache answers must be
 * consistent with the model: a value it returns is the last one written for that key
 * and not expired, and once it reports a key absent, that key stays absent until the
 * next write. Does not import fast-check.
 *
 * @module
 */
import type { CacheSnapshot } from '../shard/snapshot.js';
import type { CacheOperation, OperationResult } from './operations.js';
import { describeOperation, show } from './operations.js';

/**
 * The model's view of one key: the last value written and when it expires (`Infinity`: never).
 * @example
 * model.entries.get('a'); // { value: 1, expiresAt: 100 }
 */
export interface ModelEntry<V = unknown> {
  readonly value: V;
  readonly expiresAt: number;
}

/**
 * How to start a {@link CacheModel}.
 * @example
 * const model = new CacheModel<string, number>({ ttl: 1_000, capacity: 50, now: 0 });
 */
export interface CacheModelInit {
  /** The cache's default TTL in ms; `0` or `Infinity`: never expire. */
  readonly ttl: number;
  /** The cache's capacity (`maxCacheSize`). */
  readonly capacity: number;
  /** The clock's time when the model starts. Default 0. */
  readonly now?: number;
}

/**
 * The reference model: the entries the cache *may* hold. The real cache's live entries
 * are always a subset of the model's (same values, same expiry); which subset depends
 * on the eviction policy, which the model ignores.
 *
 * @example
 * import { CacheModel } from 'macho/testing';
 *
 * const model = new CacheModel<string, number>({ ttl: 100, capacity: 10 });
 * model.observe({ type: 'set', key: 'a', value: 1 }, undefined); // []
 * model.observe({ type: 'get', key: 'a' }, 2); // ['get("a") returned 2, but the last value written for "a" is 1']
 */
export class CacheModel<K = unknown, V = unknown> {
  /** The entries the cache may hold, by key (`Map` semantics, like the cache). */
  readonly entries = new Map<K, ModelEntry<V>>();
  /** The cache's default TTL in ms; `0` means never. */
  readonly ttl: number;
  /** The cache's capacity. */
  readonly capacity: number;
  /** The model's clock, in ms: moved by `advance` operations. */
  now: number;

  constructor(init: CacheModelInit) {
    this.ttl = init.ttl === Infinity ? 0 : init.ttl;
    this.capacity = init.capacity;
    this.now = init.now ?? 0;
  }

  /** The entry of `key` if it may still be live; an expired one is dropped. */
  live(key: K): ModelEntry<V> | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expiresAt <= this.now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** How many entries may still be live: an upper bound of the real cache's size. */
  get liveCount(): number {
    let count = 0;
    for (const key of [...this.entries.keys()]) if (this.live(key) !== undefined) count++;
    return count;
  }

  /**
   * Takes what the real cache answered to `operation`, checks it against the model,
   * and brings the model up to date (learning from the answer which keys were evicted).
   * @returns one message per inconsistency; empty when the answer is possible.
   */
  observe(operation: CacheOperation<K, V>, result: OperationResult<V>): string[] {
    const problems: string[] = [];
    const op = describeOperation(operation as CacheOperation);
    switch (operation.type) {
      case 'set':
        if (operation.value === undefined) this.entries.delete(operation.key);
        else this.entries.set(operation.key, { value: operation.value, expiresAt: this.#expiry(operation.ttl) });
        break;
      case 'get':
      case 'peek': {
        const entry = this.live(operation.key);
        if (result === undefined) this.entries.delete(operation.key);
        else this.#expectValue(problems, op, operation.key, entry, result);
        break;
      }
      case 'has': {
        const entry = this.live(operation.key);
        if (result === false) this.entries.delete(operation.key);
        else if (result !== true) problems.push(`${op} returned ${show(result)}, not a boolean`);
        else if (entry === undefined) problems.push(`${op} returned true, but ${this.#absent(operation.key)}`);
        break;
      }
      case 'delete': {
        const entry = this.live(operation.key);
        if (result !== true && result !== false) problems.push(`${op} returned ${show(result)}, not a boolean`);
        else if (result && entry === undefined) problems.push(`${op} returned true, but ${this.#absent(operation.key)}`);
        this.entries.delete(operation.key);
        break;
      }
      case 'clear':
        this.entries.clear();
        break;
      case 'update': {
        const entry = this.live(operation.key);
        if (result === undefined) {
          this.entries.delete(operation.key);
          break;
        }
        // A recipe returning undefined changes nothing (immer), and update returns the current value.
        const expected = operation.value === undefined ? entry?.value : operation.value;
        if (entry === undefined) problems.push(`${op} returned ${show(result)}, but ${this.#absent(operation.key)}`);
        else if (!Object.is(result, expected)) problems.push(`${op} returned ${show(result)}, expected ${show(expected)}`);
        else this.entries.set(operation.key, { value: expected as V, expiresAt: entry.expiresAt });
        break;
      }
      case 'advance':
        this.now += operation.ms;
        break;
    }
    return problems;
  }

  /**
   * Checks a snapshot of the real cache against the model: every entry must be one the
   * model holds, with the same value and expiry.
   * @returns one message per inconsistency.
   */
  compareSnapshot(snapshot: CacheSnapshot<K, V>): string[] {
    const problems: string[] = [];
    for (const { key, value, expiresAt = Infinity } of snapshot.entries) {
      const entry = this.live(key);
      if (entry === undefined) problems.push(`snapshot() holds ${show(key)}, but ${this.#absent(key)}`);
      else if (!Object.is(value, entry.value))
        problems.push(`snapshot() holds ${show(key)} = ${show(value)}, but the last value written is ${show(entry.value)}`);
      else if (expiresAt !== entry.expiresAt)
        problems.push(`snapshot() says ${show(key)} expires at ${expiresAt}, the model at ${entry.expiresAt}`);
    }
    return problems;
  }

  #expectValue(problems: string[], op: string, key: K, entry: ModelEntry<V> | undefined, result: unknown): void {
    if (entry === undefined) problems.push(`${op} returned ${show(result)}, but ${this.#absent(key)}`);
    else if (!Object.is(result, entry.value))
      problems.push(`${op} returned ${show(result)}, but the last value written for ${show(key)} is ${show(entry.value)}`);
  }

  #absent(key: K): string {
    return `${show(key)} has no live value (never written, or deleted, cleared, expired or seen evicted)`;
  }

  #expiry(ttl: number | undefined): number {
    const d = ttl ?? this.ttl;
    return d === 0 || d === Infinity ? Infinity : this.now + d;
  }
}

/**
 * A fresh {@link CacheModel} matching an (empty) cache's options and clock.
 * @example
 * import { createCacheModel, createVirtualCache } from 'macho/testing';
 *
 * const real = createVirtualCache<string, number>({ maxCacheSize: 10, ttl: 100 });
 * const model = createCacheModel(real.cache); // for fc.modelRun(() => ({ model, real }), commands)
 */
export function createCacheModel<K, V>(cache: {
  readonly options: { readonly ttl: number; readonly maxCacheSize: number; readonly scheduler: { now(): number } };
}): CacheModel<K, V> {
  const { ttl, maxCacheSize, scheduler } = cache.options;
  return new CacheModel<K, V>({ ttl, capacity: maxCacheSize, now: scheduler.now() });
}
