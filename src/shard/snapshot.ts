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
 * whatever the caller stored. With `reuse`, an entry unchanged since the last snapshot
 * built with `reuse` is the same frozen object (see `Shard.writeSnapshotEntries`).
 */
export function buildSnapshot<K, V>(shards: readonly Shard<K, V>[], version: number, at: number, reuse = false): CacheSnapshot<K, V> {
  let size = 0;
  for (const shard of shards) size += shard.size;
  // Sized up front and written by index: half the time of pushing 100k entries, and a
  // packed array is quicker to freeze.
  const entries = new Array<SnapshotEntry<K, V>>(size);
  let written = 0;
  for (const shard of shards) written = shard.writeSnapshotEntries(entries, written, reuse);
  return Object.freeze({ version, at, size, entries: Object.freeze(entries) });
}
