/**
 * The eviction policy interface: one implementation per file, one instance per shard.
 *
 * A shard stores its entries in numbered slots (`0 … capacity - 1`) and tells the
 * policy what happens to each slot; when the shard is full and a new key arrives, it
 * asks the policy for a {@link EvictionPolicy.victim}. Policies see slot numbers, not
 * keys, so they can keep their bookkeeping in typed arrays sized by the capacity (what
 * makes `lru-cache` fast); {@link PolicyContext.keyOf} and `valueOf` are there for
 * policies that need to look at the entry itself.
 *
 * Rules every policy must keep (the cache checks what it cheaply can and throws
 * {@link PolicyContractError} otherwise):
 * - `victim()` is only called when every slot is occupied, and must return an
 *   occupied slot. The cache then calls `onRemove(victim)` itself.
 * - Deterministic given the same calls and the same {@link PolicyContext.random}
 *   draws: that is what makes a replayed log reproduce the same state.
 * - Each hook is O(1) (or amortised O(1)): they run on every `get` and `set`.
 *
 * @example
 * // Evict the most recently inserted entry (LIFO): a stack of slots.
 * const lifo: PolicyFactory = ({ capacity }) => {
 *   const stack: number[] = [];
 *   return {
 *     name: 'lifo',
 *     onInsert: (slot) => void stack.push(slot),
 *     onAccess: () => {},
 *     onUpdate: () => {},
 *     onRemove: (slot) => void stack.splice(stack.lastIndexOf(slot), 1),
 *     victim: () => stack[stack.length - 1]!,
 *     onClear: () => void (stack.length = 0),
 *   };
 * };
 * new Cache({ maxCacheSize: 100, strategy: lifo });
 */
export interface EvictionPolicy {
  /** Shown in errors and metrics. */
  readonly name: string;
  /** A new entry now occupies `slot`. */
  onInsert(slot: number): void;
  /** The entry in `slot` was read by `get` (a hit). `peek` and `has` do not call this. */
  onAccess(slot: number): void;
  /** The entry in `slot` was overwritten by `set` or `update`. */
  onUpdate(slot: number): void;
  /** The entry in `slot` left the cache (delete, expiry, or eviction): forget it. */
  onRemove(slot: number): void;
  /**
   * Optional: this policy's victims tend to be asked for again at once (MFU evicts the
   * most used keys). The shard then keeps an evicted key's index entry as a tombstone
   * for a while, as it does for `delete`, so that the key's quick return does not leave
   * a hole in V8's `Map` each time (see `src/shard/keyIndex.ts`). Costs a little on
   * every eviction; leave it out for policies that evict cold keys.
   */
  readonly victimsReturn?: boolean;
  /**
   * Optional: `get` found no entry for `key`. Frequency-based policies (TinyLFU) count
   * misses too, since a key that keeps being asked for deserves admission. Left out,
   * it costs nothing.
   */
  onMiss?(key: unknown): void;
  /**
   * The occupied slot to evict now, to make room for `incoming` (the key about to be
   * inserted, which policies with ghost lists such as ARC and S3-FIFO look up).
   * Called only when the shard is full.
   */
  victim(incoming?: unknown): number;
  /** Every entry left at once (`clear`). */
  onClear(): void;
}

/** What a shard gives its policy. */
export interface PolicyContext {
  /** Slots are numbered `0 … capacity - 1`. At least 1. */
  readonly capacity: number;
  /** Which shard this policy serves. */
  readonly shard: number;
  /**
   * A number in [0, 1) from the shard's seeded generator. Use this, never
   * `Math.random`: its state is part of the shard state, so replay draws the same.
   */
  random(): number;
  /** The key in an occupied slot. */
  keyOf(slot: number): unknown;
  /** The value in an occupied slot. */
  valueOf(slot: number): unknown;
}

/** Makes one policy instance for one shard. Pass it as the `strategy` option. */
export type PolicyFactory = (context: PolicyContext) => EvictionPolicy;
