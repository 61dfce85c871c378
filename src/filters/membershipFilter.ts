/**
 * A probabilistic set of keys: "definitely absent" or "maybe present".
 *
 * A shard keeps one filter over its live keys and asks it before looking a key up:
 * a `false` from {@link MembershipFilter.mightContain} is always right, so the lookup
 * can be skipped. Filters must forget removed keys, or stale bits push the
 * false-positive rate up until the filter answers "maybe" for everything.
 */
export interface MembershipFilter<K = unknown> {
  /** Record that `key` is now a member. */
  add(key: K): void;
  /** Record that `key` left (deleted, evicted, expired). */
  remove(key: K): void;
  /** `false` only when `key` is certainly not a member. */
  mightContain(key: K): boolean;
  /** Forget every key. */
  clear(): void;
}
