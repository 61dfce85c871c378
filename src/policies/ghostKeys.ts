import type { PolicyContext } from './policy.js';

/**
 * Where a policy with ghosts (ARC, LIRS, CLOCK-Pro: keys remembered after their
 * eviction) keeps the key → ghost id map. The policy numbers its ghosts itself (with
 * `GhostIds`) and keeps per-ghost state in its own arrays; this only answers
 * "is this key a ghost, and which one".
 *
 * Why not a `Map` of the policy's own: in a cache larger than the CPU cache, each
 * lookup in a second `Map` of a hundred thousand keys is a cache miss of its own, and a
 * ghost policy makes three per eviction (the returning key's lookup, the evicted key's
 * insertion, an old ghost's deletion): about 40 % of a cache-aside loop with
 * `'clockpro'` at 100k entries (`bench/pair.ts`). In a shard, the ghosts live in the
 * shard's own key index instead ({@link SHARD_GHOST_KEYS}): an evicted key's entry can
 * be marked a ghost in place rather than deleted and inserted elsewhere, and the
 * returning key's entry is the one `get` and `set` just looked up, still in the CPU cache.
 *
 * Contract (what lets the shard's index keep ghosts without an entry of their own):
 * {@link add} a key that has no entry in the cache, or, from the policy's
 * `onRemove(slot)`, the key in that slot (its entry then becomes the ghost in place
 * instead of being deleted: LIRS and CLOCK-Pro do so; ARC and S3-FIFO add their victim's
 * key after the insertion, as their papers order the steps, which is a new entry). A key is
 * added once until deleted. Ghost ids are the policy's: integers within 0 … 2^30.
 */
export interface GhostKeys {
  /** The ghost id `key` is remembered under, or {@link NO_GHOST} if it is not a ghost. */
  idOf(key: unknown): number;
  /** `key` (not in the cache, or leaving it: see above) is remembered as ghost `id`. */
  add(key: unknown, id: number): void;
  /** Ghost `id`, `key`'s, is forgotten (its key came back, or it aged out). */
  delete(key: unknown, id: number): void;
  /** Every ghost is forgotten. */
  clear(): void;
  /** How many ghosts are remembered. */
  count(): number;
}

/** {@link GhostKeys.idOf}'s answer for a key that is not a ghost. */
export const NO_GHOST = -1;

/**
 * The property of a shard's {@link PolicyContext} that holds its {@link GhostKeys}. A
 * symbol, kept out of the package's exports, and set only on the context a shard gives
 * its own built-in policy; every other context (a custom policy's, a policy built by
 * hand) has none, and its policy gets a {@link MapGhostKeys}, with the same answers.
 */
export const SHARD_GHOST_KEYS: unique symbol = Symbol('macho: shard ghost keys');

/** What a shard's policy context carries besides the public {@link PolicyContext}. */
export interface ShardPolicyContext extends PolicyContext {
  readonly [SHARD_GHOST_KEYS]?: GhostKeys;
}

/** The context's ghost keys (a shard's), or a `Map` of the policy's own. */
export function ghostKeysOf(context: PolicyContext): GhostKeys {
  return (context as ShardPolicyContext)[SHARD_GHOST_KEYS] ?? new MapGhostKeys();
}

/**
 * {@link GhostKeys} in a `Map` of their own: for a policy outside a shard, or a custom
 * policy's. Exactly what the policies did with their own `Map` before: a key is one
 * ghost whatever is added, and `delete` forgets the key whatever its id, so that a
 * wrapper calling the hooks in an order of its own gets the decisions it always got.
 */
export class MapGhostKeys implements GhostKeys {
  readonly #ids = new Map<unknown, number>();

  count(): number {
    return this.#ids.size;
  }

  idOf(key: unknown): number {
    const id = this.#ids.get(key);
    return id === undefined ? NO_GHOST : id;
  }

  add(key: unknown, id: number): void {
    this.#ids.set(key, id);
  }

  delete(key: unknown): void {
    this.#ids.delete(key);
  }

  clear(): void {
    this.#ids.clear();
  }
}
