import type { Shard } from './shard.js';

/** One entry of a {@link CacheSnapshot}. */
export interface SnapshotEntry<K = unknown, V = unknown> {
  readonly key: K;
  readonly value: V;
  /** The shard that owns the key. */
  readonly shard: number;
  /** When the entry expires (clock ms); absent when it never does. */
  readonly expiresAt?: number;
}

/**
 * The whole cache at one point of its command log: frozen, and never changed by later
 * commands. Two caches that applied the same log have equal snapshots.
 */
export interface CacheSnapshot<K = unknown, V = unknown> {
  /** How many commands the cache had applied. */
  readonly version: number;
  /** The time (`at`) of the last command applied; 0 before the first. */
  readonly at: number;
  /** Live entries. */
  readonly size: number;
  /** Live entries, shard by shard, each shard in the order its keys were inserted. */
  readonly entries: readonly SnapshotEntry<K, V>[];
}

/**
 * Builds a frozen snapshot of `shards`. Values are shared, not copied: they are frozen
 * if they came from `update` (immer freezes what it produces), and otherwise are
 * whatever the caller stored.
 */
export function buildSnapshot<K, V>(shards: readonly Shard<K, V>[], version: number, at: number): CacheSnapshot<K, V> {
  const entries: SnapshotEntry<K, V>[] = [];
  for (const shard of shards) {
    const id = shard.id;
    shard.forEachEntry((key, value, expiresAt) => {
      entries.push(
        Object.freeze(expiresAt === Infinity ? { key, value, shard: id } : { key, value, shard: id, expiresAt }),
      );
    });
  }
  return Object.freeze({ version, at, size: entries.length, entries: Object.freeze(entries) });
}
