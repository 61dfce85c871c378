/**
 * Events: what a command did, published on `events$` after the state change.
 *
 * Each event carries the `key` it concerns (`clear` concerns a whole shard: its `key`
 * field is `undefined`), the `shard` that owns it and `at`, the time from the command
 * that caused it.
 *
 * @module
 */

interface EventBase<K> {
  readonly key: K;
  readonly shard: number;
  readonly at: number;
}

/** An entry was written by `set` or `update`. */
export interface SetEvent<K = unknown, V = unknown> extends EventBase<K> {
  readonly type: 'set';
  readonly value: V;
  /** True when the key already had a live entry (an overwrite). */
  readonly replaced: boolean;
}

/** `get` found a live entry. */
export interface HitEvent<K = unknown, V = unknown> extends EventBase<K> {
  readonly type: 'hit';
  readonly value: V;
}

/** `get` found nothing (absent, or just expired). */
export interface MissEvent<K = unknown> extends EventBase<K> {
  readonly type: 'miss';
}

/** `delete` removed a live entry. */
export interface DeleteEvent<K = unknown, V = unknown> extends EventBase<K> {
  readonly type: 'delete';
  readonly value: V;
}

/** The eviction policy removed an entry to make room (capacity, never TTL). */
export interface EvictEvent<K = unknown, V = unknown> extends EventBase<K> {
  readonly type: 'evict';
  readonly value: V;
}

/** An entry was removed because its TTL passed. Exactly one per expired entry. */
export interface ExpireEvent<K = unknown, V = unknown> extends EventBase<K> {
  readonly type: 'expire';
  readonly value: V;
  /** When the entry became stale (`at` is when it was removed: the same or later). */
  readonly expiredAt: number;
}

/** `clear` emptied a shard; one event per shard. */
export interface ClearEvent {
  readonly type: 'clear';
  /** No key: a clear is of a whole shard (the field is there, `undefined`). */
  readonly key?: undefined;
  readonly shard: number;
  readonly at: number;
  /** How many live entries the shard held. */
  readonly count: number;
}

/** Every event, discriminated on `type`. */
export type CacheEvent<K = unknown, V = unknown> =
  | SetEvent<K, V>
  | HitEvent<K, V>
  | MissEvent<K>
  | DeleteEvent<K, V>
  | EvictEvent<K, V>
  | ExpireEvent<K, V>
  | ClearEvent;

/** The `type` of every event. */
export type CacheEventType = CacheEvent['type'];

/** The event of a given type, e.g. `EventOf<'evict', string, User>`. */
export type EventOf<T extends CacheEventType, K = unknown, V = unknown> = Extract<CacheEvent<K, V>, { type: T }>;

/** The event types, in a stable order. */
export const EVENT_TYPES: readonly CacheEventType[] = Object.freeze([
  'set',
  'hit',
  'miss',
  'delete',
  'evict',
  'expire',
  'clear',
]);

/** Why an entry left the cache: the three removal events. */
export type RemovalCause = 'delete' | 'evict' | 'expire';

/**
 * True when an entry was removed by the policy for capacity (Caffeine's
 * `RemovalCause.wasEvicted()`): `evict`, not `delete` or `expire`.
 * @example
 * cache.events$.subscribe((e) => { if (wasEvicted(e)) console.log('evicted', e.key); });
 * cache.events$.pipe(filter(wasEvicted)).subscribe((e) => e.key); // keeps the key's type
 */
export function wasEvicted<K, V>(event: CacheEvent<K, V>): event is EvictEvent<K, V> {
  return event.type === 'evict';
}
