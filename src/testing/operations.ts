/**
 * Cache operations as plain data: what the fast-check arbitraries generate, and how
 * to apply one to a virtual cache. Does not import fast-check.
 *
 * @module
 */
import { isDraftable } from 'immer';
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
 * When the current value is an object immer cannot draft (a `Date`, an instance of a
 * class not marked `[immerable]`), the cache refuses with a `TypeError` and the entry
 * stays as it was: {@link applyOperation} expects that refusal and returns the value
 * unchanged, so scenarios may store values of any type.
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
 * What an operation returns: the value for `get`/`peek`/`update` (for an `update`
 * the cache refused, the value as it stays), the boolean for `has`/`delete`, else `undefined`.
 * @example
 * const result: OperationResult<number> = applyOperation(virtual, { type: 'has', key: 'a' }); // a boolean
 */
export type OperationResult<V> = V | boolean | undefined;

/**
 * Performs `operation` on `target.cache` (or moves `target`'s clock, for `advance`).
 *
 * @returns what the cache method returned: the value for `get`, `peek` and `update`,
 *   the boolean for `has` and `delete`, `undefined` for `set`, `clear` and `advance`.
 *   An `update` of a value immer cannot draft is refused by the cache (`TypeError`,
 *   nothing changes; see {@link UpdateOperation}): that refusal is caught here, and the
 *   value, unchanged, is returned.
 * @throws whatever the cache or the clock throws otherwise (a policy's
 *   `PolicyContractError`, a `CacheDisposedError`; from `advance`, an error reported
 *   while timers ran; see `VirtualCache.advance`).
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
  if (typeof operation !== 'object' || operation === null)
    throw new TypeError(`macho/testing: applyOperation takes an operation object; got ${show(operation)}`);
  switch (operation.type) {
    case 'set':
      // Without a value it would be a delete (set(key, undefined)): a hand-written
      // operation that forgot it would test something else without a word.
      if (!('value' in operation))
        throw new TypeError(`macho/testing: a set operation needs a value (undefined, given, is a delete); got ${show(operation)}`);
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
      const { key, value } = operation;
      try {
        return cache.update(key, () => value);
      } catch (error) {
        // The documented refusal (Cache.update): the entry keeps its value.
        if (isDraftRefusal(error)) {
          const current = cache.peek(key);
          if (refusesUpdate(current)) return current;
        }
        throw error;
      }
    }
    case 'advance':
      target.advance(operation.ms);
      return undefined;
  }
  throw new TypeError(
    `macho/testing: unknown operation type ${show((operation as { type?: unknown }).type)}; known types are ${OPERATION_TYPES.join(', ')}`,
  );
}

/**
 * True when `cache.update` refuses to change `value`: a non-null object that immer
 * cannot draft (a `Date`, a `RegExp`, an instance of a class not marked `[immerable]`…).
 * The cache then throws a `TypeError` and keeps the value.
 * @internal (not exported by `macho/testing`)
 * @example
 * refusesUpdate(new Date()); // true
 * refusesUpdate({ a: 1 }); // false
 */
export function refusesUpdate(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !isDraftable(value);
}

// The cache's TypeError for a value immer cannot draft (see Cache.update).
function isDraftRefusal(error: unknown): boolean {
  return error instanceof TypeError && error.message.startsWith('macho: update() cannot draft');
}

/**
 * A one-line, code-like description of an operation, for failure messages. Keys and
 * values are written so that different ones never read alike: `"1"` and `1`, a `Date`
 * and its ISO string, `0` and `-0`, a class instance and a plain object.
 * @example
 * describeOperation({ type: 'set', key: 'a', value: 1, ttl: 50 }); // 'set("a", 1, { ttl: 50 })'
 * describeOperation({ type: 'set', key: 'a', value: new Date(0) }); // 'set("a", new Date("1970-01-01T00:00:00.000Z"))'
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
 * A short rendering of a key or value for messages, written so that two different
 * values never look alike: a string is quoted (`"1"` is not `1`), a `Date` reads
 * `new Date("…")` (not the string of its ISO time), a class instance carries its class
 * name (`Money {"cents":5}`), `Map` and `Set` show their contents, `-0` and `1n` are
 * spelled out. Objects are cut at about 80 characters (ending in `…`).
 * @internal (not exported by `macho/testing`)
 * @example
 * show('a'); // '"a"'
 * show(new Date(0)); // 'new Date("1970-01-01T00:00:00.000Z")'
 */
export function show(value: unknown): string {
  if (typeof value !== 'object' || value === null) return showPrimitive(value);
  try {
    const budget = { left: SHOWN_LENGTH };
    const text = showObject(value, budget, new Set());
    return text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH - 1)}…` : text;
  } catch {
    // A proxy or getter that throws: say what it is, not what it holds.
    return Object.prototype.toString.call(value);
  }
}

/** About how long {@link show} lets an object's rendering grow. */
const SHOWN_LENGTH = 80;

function showPrimitive(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return `${value}n`;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'function':
      return value.name === '' ? '[Function]' : `[Function ${value.name}]`;
    default:
      // undefined, null, booleans, symbols (String, not a template: a symbol refuses `${}`)
      return String(value);
  }
}

// Renders an object as code-like text; `budget` (roughly the characters of the
// primitives written so far) stops the walk once the text will be cut anyway, so a
// huge value costs little; `seen` marks cycles.
function showObject(value: object, budget: { left: number }, seen: Set<object>): string {
  if (budget.left <= 0) return '…';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    return objectText(value, budget, seen);
  } finally {
    seen.delete(value);
  }
}

function objectText(value: object, budget: { left: number }, seen: Set<object>): string {
  const inner = (item: unknown): string => {
    if (typeof item !== 'object' || item === null) {
      const text = showPrimitive(item);
      budget.left -= text.length + 1;
      return text;
    }
    return showObject(item, budget, seen);
  };
  const items = (list: Iterable<unknown>, render: (item: unknown) => string = inner): string => {
    const out: string[] = [];
    for (const item of list) {
      if (budget.left <= 0) {
        out.push('…');
        break;
      }
      out.push(render(item));
    }
    return out.join(',');
  };
  if (Array.isArray(value)) return `[${items(Array.from(value as unknown[]))}]`;
  if (value instanceof Date) {
    const time = value.getTime();
    return Number.isNaN(time) ? 'new Date(NaN)' : `new Date(${JSON.stringify(value.toISOString())})`;
  }
  if (value instanceof Map)
    return `new Map([${items(value, (pair) => `[${items(pair as [unknown, unknown])}]`)}])`;
  if (value instanceof Set) return `new Set([${items(value)}])`;
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) return `new ${value.name}(${JSON.stringify(value.message)})`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return `${value.constructor.name}.from([${items(Array.from(value as unknown as ArrayLike<unknown>))}])`;
  // Boxed primitives: `new Number(1)` is not `1`.
  if (value instanceof Number || value instanceof String || value instanceof Boolean)
    return `new ${value.constructor.name}(${inner(value.valueOf())})`;
  const proto: unknown = Object.getPrototypeOf(value);
  const fields = `{${items(Reflect.ownKeys(value).filter((k) => Object.prototype.propertyIsEnumerable.call(value, k)), (k) => {
    const name = typeof k === 'string' ? JSON.stringify(k) : `[${String(k)}]`;
    return `${name}:${inner((value as Record<PropertyKey, unknown>)[k as string])}`;
  })}}`;
  if (proto === Object.prototype) return fields;
  if (proto === null) return `[Object: null prototype] ${fields}`;
  const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return `${typeof name === 'string' && name !== '' ? name : '[object with a custom prototype]'} ${fields}`;
}
