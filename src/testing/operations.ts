/**
 * Cache operations as plain data: what the fast-check arbitraries generate, and how
 * to apply one to a virtual cache. Does not import fast-check.
 *
 * @module
 */
import type { Cache } from '../cache.js';

/**
 * `cache.set(key, value, { ttl })`; `ttl` absent: the cache's default.
 * @example
 * const op: SetOperation<string, number> = { type: 'set', key: 'a', value: 1, ttl: 500 };
 */
export interface SetOperation<K = unknown, V = unknown> {
  readonly type: 'set';
  readonly key: K;
  readonly value: V;
  /** Per-entry TTL in ms (`0`/`Infinity`: never); absent: the cache's `ttl`. */
  readonly ttl?: number;
}

/**
 * `cache.get(key)`.
 * @example
 * const op: GetOperation<string> = { type: 'get', key: 'a' };
 */
export interface GetOperation<K = unknown> {
  readonly type: 'get';
  readonly key: K;
}

/**
 * `cache.peek(key)`.
 * @example
 * const op: PeekOperation<string> = { type: 'peek', key: 'a' };
 */
export interface PeekOperation<K = unknown> {
  readonly type: 'peek';
  readonly key: K;
}

/**
 * `cache.has(key)`.
 * @example
 * const op: HasOperation<string> = { type: 'has', key: 'a' };
 */
export interface HasOperation<K = unknown> {
  readonly type: 'has';
  readonly key: K;
}

/**
 * `cache.delete(key)`.
 * @example
 * const op: DeleteOperation<string> = { type: 'delete', key: 'a' };
 */
export interface DeleteOperation<K = unknown> {
  readonly type: 'delete';
  readonly key: K;
}

/**
 * `cache.clear()`.
 * @example
 * const op: ClearOperation = { type: 'clear' };
 */
export interface ClearOperation {
  readonly type: 'clear';
}

/**
 * `cache.update(key, () => value)`: replaces the value of a live entry, keeping its expiry.
 * @example
 * const op: UpdateOperation<string, number> = { type: 'update', key: 'a', value: 2 };
 */
export interface UpdateOperation<K = unknown, V = unknown> {
  readonly type: 'update';
  readonly key: K;
  readonly value: V;
}

/**
 * Moves virtual time forward by `ms` (expiry timers due on the way fire).
 * @example
 * const op: AdvanceOperation = { type: 'advance', ms: 250 };
 */
export interface AdvanceOperation {
  readonly type: 'advance';
  readonly ms: number;
}

/**
 * One step of a generated scenario, discriminated on `type`.
 * @example
 * const scenario: CacheOperation<string, number>[] = [
 *   { type: 'set', key: 'a', value: 1, ttl: 100 },
 *   { type: 'advance', ms: 100 },
 *   { type: 'get', key: 'a' }, // undefined: expired
 * ];
 */
export type CacheOperation<K = unknown, V = unknown> =
  | SetOperation<K, V>
  | GetOperation<K>
  | PeekOperation<K>
  | HasOperation<K>
  | DeleteOperation<K>
  | ClearOperation
  | UpdateOperation<K, V>
  | AdvanceOperation;

/**
 * The `type` of every operation.
 * @example
 * const weights: Partial<Record<CacheOperationType, number>> = { clear: 0 };
 */
export type CacheOperationType = CacheOperation['type'];

/**
 * The operation types, in a stable order.
 * @example
 * OPERATION_TYPES.includes('advance'); // true
 */
export const OPERATION_TYPES: readonly CacheOperationType[] = Object.freeze([
  'set',
  'get',
  'peek',
  'has',
  'delete',
  'clear',
  'update',
  'advance',
]);

/**
 * What {@link applyOperation} needs: a cache, and a way to move its clock (a
 * `VirtualCache` has both).
 * @example
 * const target: OperationTarget<string, number> = createVirtualCache<string, number>();
 */
export interface OperationTarget<K = unknown, V = unknown> {
  readonly cache: Cache<K, V>;
  advance(ms: number): number;
}

/**
 * What an operation returns: the value for `get`/`peek`/`update`, the boolean for
 * `has`/`delete`, else `undefined`.
 * @example
 * const result: OperationResult<number> = applyOperation(virtual, { type: 'has', key: 'a' }); // a boolean
 */
export type OperationResult<V> = V | boolean | undefined;

/**
 * Performs `operation` on `target.cache` (or moves `target`'s clock, for `advance`).
 *
 * @returns what the cache method returned: the value for `get`, `peek` and `update`,
 *   the boolean for `has` and `delete`, `undefined` for `set`, `clear` and `advance`.
 * @example
 * import { applyOperation, createVirtualCache } from 'macho/testing';
 *
 * const virtual = createVirtualCache<string, number>({ ttl: 100 });
 * applyOperation(virtual, { type: 'set', key: 'a', value: 1 });
 * applyOperation(virtual, { type: 'advance', ms: 100 });
 * applyOperation(virtual, { type: 'get', key: 'a' }); // undefined: expired
 */
export function applyOperation<K, V>(target: OperationTarget<K, V>, operation: CacheOperation<K, V>): OperationResult<V> {
  const { cache } = target;
  switch (operation.type) {
    case 'set':
      cache.set(operation.key, operation.value, operation.ttl === undefined ? undefined : { ttl: operation.ttl });
      return undefined;
    case 'get':
      return cache.get(operation.key);
    case 'peek':
      return cache.peek(operation.key);
    case 'has':
      return cache.has(operation.key);
    case 'delete':
      return cache.delete(operation.key);
    case 'clear':
      cache.clear();
      return undefined;
    case 'update': {
      const { value } = operation;
      return cache.update(operation.key, () => value);
    }
    case 'advance':
      target.advance(operation.ms);
      return undefined;
  }
}

/**
 * A one-line, code-like description of an operation, for failure messages.
 * @example
 * describeOperation({ type: 'set', key: 'a', value: 1, ttl: 50 }); // 'set("a", 1, { ttl: 50 })'
 */
export function describeOperation(operation: CacheOperation): string {
  switch (operation.type) {
    case 'set':
      return `set(${show(operation.key)}, ${show(operation.value)}${operation.ttl === undefined ? '' : `, { ttl: ${operation.ttl} }`})`;
    case 'update':
      return `update(${show(operation.key)}, () => ${show(operation.value)})`;
    case 'clear':
      return 'clear()';
    case 'advance':
      return `advance(${operation.ms})`;
    default:
      return `${operation.type}(${show(operation.key)})`;
  }
}

/**
 * A short rendering of a key or value for messages.
 * @internal (not exported by `macho/testing`)
 * @example
 * show('a'); // '"a"'
 */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Object.is(value, -0)) return '-0';
  if (typeof value === 'object' && value !== null) {
    try {
      const json = JSON.stringify(value);
      if (json !== undefined) return json.length > 60 ? `${json.slice(0, 57)}...` : json;
    } catch {
      // fall through: cyclic or otherwise unserialisable
    }
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
