/**
 * A reference model of a cache for model-based tests: a `Map` with expiry times that
 * does not know which entry a policy evicts. It learns that from the cache's events:
 * fed the events each operation caused, it knows exactly which entries must still be
 * there (written, not expired by the model's clock, and not removed by an `'evict'`,
 * `'expire'`, `'delete'` or `'clear'`), so a cache that loses entries is caught as
 * surely as one that keeps them too long. Without events it falls back to upper bounds
 * only: a value returned is the last one written for that key and not expired, and
 * once a key is reported absent it stays absent until the next write. Does not import
 * fast-check.
 *
 * @module
 */
import { knownOptions } from '../errors.js';
import type { CacheEvent } from '../events.js';
import type { CacheSnapshot } from '../shard/snapshot.js';
import type { CacheOperation, OperationResult } from './operations.js';
import { describeOperation, refusesUpdate, show } from './operations.js';

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
  readonly now?: number | undefined;
}

/**
 * The reference model: the entries the cache holds (with events) or may hold (without).
 * The real cache's live entries are always a subset of the model's live ones (same
 * values, same expiry); fed the events, the model drops what the events remove, and
 * the two sets must be equal.
 *
 * @example
 * import { CacheModel } from 'macho/testing';
 *
 * const model = new CacheModel<string, number>({ ttl: 100, capacity: 10 });
 * model.observe({ type: 'set', key: 'a', value: 1 }, undefined, []); // []
 * model.observe({ type: 'get', key: 'a' }, 2, []); // ['get("a") returned 2, but the last value written for "a" is 1']
 * model.observe({ type: 'get', key: 'a' }, undefined, []); // ['get("a") returned undefined, but "a" holds 1 …']
 */
export class CacheModel<K = unknown, V = unknown> {
  /**
   * The entries written and not removed, by key (`Map` semantics, like the cache).
   * Those whose `expiresAt` has come (≤ {@link now}) are no longer live: see {@link live}.
   */
  readonly entries = new Map<K, ModelEntry<V>>();
  /** The cache's default TTL in ms; `0` means never. */
  readonly ttl: number;
  /** The cache's capacity. */
  readonly capacity: number;
  /** The model's clock, in ms: moved by `advance` operations. */
  now: number;

  /**
   * @throws TypeError if `init` is not an object or a field is not a number; RangeError
   *   for a negative or NaN `ttl`, a `capacity` that is not an integer ≥ 1, or a `now`
   *   that is not finite. Each names the field: a model built from bad numbers would
   *   blame the cache for its own mistakes.
   */
  constructor(init: CacheModelInit) {
    if (typeof init !== 'object' || init === null)
      throw new TypeError(`macho/testing: CacheModel takes { ttl, capacity, now? }; got ${show(init)}`);
    knownOptions('macho/testing: CacheModel', init, ['ttl', 'capacity', 'now']);
    const { ttl, capacity, now = 0 } = init;
    for (const [field, value] of [['ttl', ttl], ['capacity', capacity], ['now', now]] as const)
      if (typeof value !== 'number')
        throw new TypeError(`macho/testing: CacheModel's ${field} must be a number; got ${show(value)}`);
    if (!(ttl >= 0)) throw new RangeError(`macho/testing: CacheModel's ttl must be ≥ 0 (0 or Infinity: never); got ${ttl}`);
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`macho/testing: CacheModel's capacity must be an integer ≥ 1; got ${capacity}`);
    if (!Number.isFinite(now)) throw new RangeError(`macho/testing: CacheModel's now must be a finite number; got ${now}`);
    this.ttl = ttl === Infinity ? 0 : ttl;
    this.capacity = capacity;
    this.now = now;
  }

  /** The entry of `key` if it is (or, without events, may be) live: written, not removed, not expired. */
  live(key: K): ModelEntry<V> | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.expiresAt > this.now ? entry : undefined;
  }

  /**
   * How many entries are live: the real cache's size when the model is fed events;
   * without, an upper bound of it.
   */
  get liveCount(): number {
    let count = 0;
    for (const key of this.entries.keys()) if (this.live(key) !== undefined) count++;
    return count;
  }

  /**
   * Takes what the real cache answered to `operation`, and the events the operation
   * caused, checks both against the model, and brings the model up to date.
   *
   * @param events - every event the cache emitted during `operation` (the expiries it
   *   caught up with, an eviction, its own event), in order; see {@link recordEvents}.
   *   Given for every operation since the model started (as {@link runCacheCommands}
   *   does), they make the checks exact: a key the events did not remove and whose
   *   expiry has not come must be answered by `get`/`peek`/`has`/`delete`/`update`; an
   *   `'expire'` must come at or after the expiry time the model computed (`set` time +
   *   TTL). Left out, an absent answer is taken as a possible eviction, and the model
   *   drops the key: upper bounds only.
   * @returns one message per inconsistency; empty when the answer is possible.
   */
  observe(operation: CacheOperation<K, V>, result: OperationResult<V>, events?: readonly CacheEvent<K, V>[]): string[] {
    const problems: string[] = [];
    const op = describeOperation(operation as CacheOperation);
    const exact = events !== undefined;
    if (exact) this.#learn(operation, op, events, problems);
    switch (operation.type) {
      case 'set':
        if (operation.value === undefined) this.entries.delete(operation.key);
        else this.entries.set(operation.key, { value: operation.value, expiresAt: this.#expiry(operation.ttl) });
        break;
      case 'get':
      case 'peek': {
        const entry = this.#current(operation.key);
        if (result !== undefined) this.#expectValue(problems, op, operation.key, entry, result);
        else if (exact && entry !== undefined) problems.push(`${op} returned undefined, but ${this.#present(operation.key, entry)}`);
        else this.entries.delete(operation.key);
        break;
      }
      case 'has': {
        const entry = this.#current(operation.key);
        if (result !== true && result !== false) problems.push(`${op} returned ${show(result)}, not a boolean`);
        else if (result && entry === undefined) problems.push(`${op} returned true, but ${this.#absent(operation.key)}`);
        else if (!result && exact && entry !== undefined) problems.push(`${op} returned false, but ${this.#present(operation.key, entry)}`);
        else if (!result) this.entries.delete(operation.key);
        break;
      }
      case 'delete': {
        const entry = this.#current(operation.key);
        if (result !== true && result !== false) problems.push(`${op} returned ${show(result)}, not a boolean`);
        else if (result && entry === undefined) problems.push(`${op} returned true, but ${this.#absent(operation.key)}`);
        else if (!result && exact && entry !== undefined) problems.push(`${op} returned false, but ${this.#present(operation.key, entry)}`);
        this.entries.delete(operation.key);
        break;
      }
      case 'clear':
        this.entries.clear();
        break;
      case 'update':
        this.#update(problems, op, operation.key, operation.value, result, exact);
        break;
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

  // The live entry of `key`; one whose expiry has come is dropped (a later write starts afresh).
  #current(key: K): ModelEntry<V> | undefined {
    const entry = this.live(key);
    if (entry === undefined) this.entries.delete(key);
    return entry;
  }

  // The events of one operation: what they remove leaves the model, and an 'expire'
  // must come at or after the time the model computed for it. Which removals are
  // allowed (an eviction only into a full shard, and so on) is checked on the events
  // themselves by the recorder's ledger (see checkInvariants).
  #learn(operation: CacheOperation<K, V>, op: string, events: readonly CacheEvent<K, V>[], problems: string[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'delete':
          // Only delete(key) and set(key, undefined) delete, and only their own key.
          if (!((operation.type === 'delete' || operation.type === 'set') && Object.is(operation.key, event.key)))
            problems.push(`${op}: a 'delete' event for ${show(event.key)}; only delete(${show(event.key)}) deletes it`);
          break;
        case 'clear':
          if (operation.type !== 'clear') problems.push(`${op}: a 'clear' event; only clear() clears`);
          break;
        case 'expire': {
          const entry = this.entries.get(event.key);
          if (entry !== undefined && event.at < entry.expiresAt)
            problems.push(
              `${op}: ${show(event.key)} expired at ${event.at}, but it was written to expire at ` +
                `${entry.expiresAt === Infinity ? 'no time (no TTL)' : entry.expiresAt}`,
            );
          else if (entry !== undefined && event.expiredAt !== entry.expiresAt)
            problems.push(`${op}: the 'expire' of ${show(event.key)} says it expired at ${event.expiredAt}, the model at ${entry.expiresAt}`);
          this.entries.delete(event.key);
          break;
        }
        case 'evict':
          this.entries.delete(event.key);
          break;
        default:
          // 'set', 'hit', 'miss': what the operation wrote or answered, checked below.
          // ('delete' and 'clear' above are the operation's own doing too: it accounts
          // for them once its answer is checked.)
          break;
      }
    }
  }

  #update(problems: string[], op: string, key: K, value: V, result: OperationResult<V>, exact: boolean): void {
    const entry = this.#current(key);
    if (entry === undefined) {
      if (result !== undefined) problems.push(`${op} returned ${show(result)}, but ${this.#absent(key)}`);
      return;
    }
    if (result === undefined) {
      if (exact) problems.push(`${op} returned undefined, but ${this.#present(key, entry)}`);
      this.entries.delete(key);
      return;
    }
    if (refusesUpdate(entry.value)) {
      // The cache refuses to update what immer cannot draft (a TypeError, caught by
      // applyOperation), and the value stays.
      if (!Object.is(result, entry.value))
        problems.push(
          `${op} returned ${show(result)}, but the current value ${show(entry.value)} cannot be drafted by immer: ` +
            'the cache must refuse the update (TypeError) and keep it',
        );
      return;
    }
    // A recipe returning undefined changes nothing (immer), and update returns the current value.
    const expected = value === undefined ? entry.value : value;
    if (!Object.is(result, expected)) problems.push(`${op} returned ${show(result)}, expected ${show(expected)}`);
    else this.entries.set(key, { value: expected, expiresAt: entry.expiresAt });
  }

  #present(key: K, entry: ModelEntry<V>): string {
    const until = entry.expiresAt === Infinity ? 'with no expiry' : `until ${entry.expiresAt}`;
    return (
      `${show(key)} holds ${show(entry.value)} ${until} (now ${this.now}), and no event removed it ` +
      "('evict', 'expire', 'delete' or 'clear')"
    );
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
