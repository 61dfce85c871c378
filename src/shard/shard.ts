import { PolicyContractError } from '../errors.js';
import type { ExpiryTimer } from '../expiry/expiryTimer.js';
import { ExpiryHeap } from '../expiry/expiryHeap.js';
import type { MembershipFilter } from '../filters/membershipFilter.js';
import type { SampleStats } from '../metrics/sampleStats.js';
import { isBuiltinPolicy } from '../policies/index.js';
import type { EvictionPolicy, PolicyFactory } from '../policies/policy.js';
import { SeededRandom } from '../policies/seededRandom.js';
import type { Outbox } from '../stream/outbox.js';

/** What a shard needs from its cache. */
export interface ShardSetup<K, V> {
  readonly id: number;
  readonly capacity: number;
  readonly policy: PolicyFactory;
  readonly seed: number;
  /** Builds the shard's membership filter over its live keys, when `bloom` is on. */
  readonly filter?: ((capacity: number, liveKeys: () => Iterable<K>) => MembershipFilter<K>) | undefined;
  readonly outbox: Outbox<K, V>;
  readonly timer: ExpiryTimer;
  readonly lifespans: SampleStats;
}

/** One live entry, as {@link Shard.forEachEntry} reports it. */
export type EntryVisitor<K, V> = (key: K, value: V, expiresAt: number) => void;

/**
 * One shard: the single writer of its entries. Each public method applies one command
 * at the time `at` the command carries and queues the events it caused on the outbox;
 * it never delivers them (the cache flushes once the command is complete), so a
 * subscriber never sees a half-applied command.
 *
 * The cache removes what is due at `at` (with {@link Shard.expire}, logged as a
 * command of its own) before it applies any other command here, so the methods below
 * never meet an expired entry, and each expired entry emits exactly one `'expire'` event.
 *
 * Entries live in numbered slots: the key → slot `Map` is the only hashing, and the
 * per-slot data (values, expiry, birth time, policy links) sits in plain and typed
 * arrays, with no object per entry.
 */
export class Shard<K, V> {
  /** Shard number. */
  readonly id: number;
  /** Most live entries this shard holds. */
  readonly capacity: number;

  /** Reads that found a live entry. */
  hits = 0;
  /** Reads that found nothing. */
  misses = 0;
  /** Writes (`set` and `update`). */
  sets = 0;
  /** Live entries removed by `delete`. */
  deletes = 0;
  /** Entries removed by the policy for capacity. */
  evictions = 0;
  /** Entries removed because their TTL passed. */
  expirations = 0;

  readonly #index = new Map<K, number>();
  readonly #keys: (K | undefined)[];
  readonly #values: (V | undefined)[];
  readonly #expiresAt: Float64Array; // Infinity: never
  readonly #bornAt: Float64Array;
  readonly #expiry: ExpiryHeap;
  readonly #free: Uint32Array;
  #freeCount = 0;
  #fresh = 0; // slots below this were used at least once
  readonly #policy: EvictionPolicy;
  // The built-in policies are proven by property tests; checking their victim would
  // cost a Map lookup per eviction. A custom policy's victim is checked.
  readonly #checkVictims: boolean;
  readonly #filter: MembershipFilter<K> | undefined;
  readonly #random: SeededRandom;
  readonly #out: Outbox<K, V>;
  readonly #timer: ExpiryTimer;
  readonly #lifespans: SampleStats;

  constructor(setup: ShardSetup<K, V>) {
    const capacity = setup.capacity;
    this.id = setup.id;
    this.capacity = capacity;
    this.#keys = new Array<K | undefined>(capacity);
    this.#values = new Array<V | undefined>(capacity);
    this.#expiresAt = new Float64Array(capacity).fill(Infinity);
    this.#bornAt = new Float64Array(capacity);
    this.#expiry = new ExpiryHeap(this.#expiresAt);
    this.#free = new Uint32Array(capacity);
    this.#random = new SeededRandom(setup.seed);
    this.#out = setup.outbox;
    this.#timer = setup.timer;
    this.#lifespans = setup.lifespans;
    this.#filter = setup.filter?.(capacity, () => this.#index.keys());
    this.#checkVictims = !isBuiltinPolicy(setup.policy);
    this.#policy = setup.policy({
      capacity,
      shard: setup.id,
      random: () => this.#random.next(),
      keyOf: (slot) => this.#keys[slot],
      valueOf: (slot) => this.#values[slot],
    });
  }

  /** Live entries (none is expired as of the last command applied here). */
  get size(): number {
    return this.#index.size;
  }

  /** Name of the eviction policy. */
  get policyName(): string {
    return this.#policy.name;
  }

  /** The earliest expiry of any entry here, or `Infinity`. */
  nextExpiry(): number {
    return this.#expiry.nextExpiry();
  }

  /** `get`: the value, counting a hit (and refreshing the policy) or a miss. */
  get(key: K, at: number): V | undefined {
    const slot = this.#filter === undefined || this.#filter.mightContain(key) ? this.#index.get(key) : undefined;
    if (slot === undefined) {
      this.misses++;
      this.#policy.onMiss?.(key);
      if (this.#out.wants.miss) this.#out.event(Object.freeze({ type: 'miss', key, shard: this.id, at }));
      return undefined;
    }
    this.hits++;
    this.#policy.onAccess(slot);
    const value = this.#values[slot] as V;
    if (this.#out.wants.hit) this.#out.event(Object.freeze({ type: 'hit', key, value, shard: this.id, at }));
    return value;
  }

  /** The value of a live entry, touching nothing. The caller brings the shard up to date first. */
  peek(key: K): V | undefined {
    const slot = this.#index.get(key);
    return slot === undefined ? undefined : this.#values[slot];
  }

  /** True when `key` has a live entry, touching nothing. */
  has(key: K): boolean {
    return this.#index.has(key);
  }

  /** When `key`'s entry expires (`Infinity`: never), or `undefined` if there is none. */
  expiresAt(key: K): number | undefined {
    const slot = this.#index.get(key);
    return slot === undefined ? undefined : this.#expiresAt[slot];
  }

  /**
   * `set`: writes the entry, evicting the policy's victim first when a new key finds
   * the shard full.
   * @param ttl - ms to live from `at`; `0` never expires.
   */
  set(key: K, value: V, at: number, ttl: number): void {
    const expiresAt = ttl === 0 ? Infinity : at + ttl;
    let slot = this.#index.get(key);
    const replaced = slot !== undefined;
    if (slot !== undefined) {
      this.#values[slot] = value;
      this.#policy.onUpdate(slot);
    } else {
      if (this.#index.size >= this.capacity) this.#evictOne(at, key);
      slot = this.#freeCount !== 0 ? this.#free[--this.#freeCount]! : this.#fresh++;
      this.#keys[slot] = key;
      this.#values[slot] = value;
      this.#bornAt[slot] = at;
      this.#index.set(key, slot);
      this.#filter?.add(key);
      this.#policy.onInsert(slot);
    }
    this.#setExpiry(slot, expiresAt);
    this.sets++;
    if (this.#out.wants.set) this.#out.event(Object.freeze({ type: 'set', key, value, replaced, shard: this.id, at }));
  }

  /** `update`: replaces the value of a live entry, keeping its expiry. False if there is none. */
  update(key: K, value: V, at: number): boolean {
    const slot = this.#index.get(key);
    if (slot === undefined) return false;
    this.#values[slot] = value;
    this.#policy.onUpdate(slot);
    this.sets++;
    if (this.#out.wants.set)
      this.#out.event(Object.freeze({ type: 'set', key, value, replaced: true, shard: this.id, at }));
    return true;
  }

  /** `delete`: removes the live entry. False if there was none. */
  delete(key: K, at: number): boolean {
    const slot = this.#index.get(key);
    if (slot === undefined) return false;
    const value = this.#values[slot] as V;
    this.#remove(slot, key, at);
    this.deletes++;
    if (this.#out.wants.delete) this.#out.event(Object.freeze({ type: 'delete', key, value, shard: this.id, at }));
    return true;
  }

  /** `clear`: removes every entry, with one `'clear'` event for the shard. */
  clear(at: number): void {
    const count = this.#index.size;
    this.#index.clear();
    this.#keys.fill(undefined);
    this.#values.fill(undefined);
    this.#expiresAt.fill(Infinity);
    this.#expiry.clear();
    this.#filter?.clear();
    this.#policy.onClear();
    this.#freeCount = 0;
    this.#fresh = 0;
    if (this.#out.wants.clear) this.#out.event(Object.freeze({ type: 'clear', shard: this.id, at, count }));
  }

  /** Removes every entry whose expiry is at or before `at`, oldest first. */
  expire(at: number): void {
    const expiry = this.#expiry;
    while (expiry.size !== 0 && this.#expiresAt[expiry.peek()]! <= at) {
      const slot = expiry.peek();
      const key = this.#keys[slot] as K;
      const value = this.#values[slot] as V;
      const expiredAt = this.#expiresAt[slot]!;
      this.#remove(slot, key, at);
      this.expirations++;
      if (this.#out.wants.expire)
        this.#out.event(Object.freeze({ type: 'expire', key, value, expiredAt, shard: this.id, at }));
    }
  }

  /** Calls `visit` for every live entry, in the order keys were first inserted. */
  forEachEntry(visit: EntryVisitor<K, V>): void {
    for (const [key, slot] of this.#index) visit(key, this.#values[slot] as V, this.#expiresAt[slot]!);
  }

  #evictOne(at: number, incoming: K): void {
    const victim = this.#policy.victim(incoming);
    const key = this.#keys[victim] as K;
    if (this.#checkVictims && this.#index.get(key) !== victim)
      throw new PolicyContractError(this.#policy.name, `named slot ${String(victim)} as victim, which holds no entry`);
    const value = this.#values[victim] as V;
    this.#remove(victim, key, at);
    this.evictions++;
    if (this.#out.wants.evict) this.#out.event(Object.freeze({ type: 'evict', key, value, shard: this.id, at }));
  }

  #setExpiry(slot: number, expiresAt: number): void {
    if (expiresAt === Infinity && this.#expiry.size === 0) return; // no TTL in use: nothing to do
    if (expiresAt === this.#expiresAt[slot]) return;
    this.#expiresAt[slot] = expiresAt;
    if (expiresAt === Infinity) this.#expiry.remove(slot);
    else {
      this.#expiry.upsert(slot);
      this.#timer.arm(expiresAt);
    }
  }

  // Shared by delete, eviction and expiry: the entry leaves every structure and its
  // slot is recycled; references are dropped so the value can be collected.
  #remove(slot: number, key: K, at: number): void {
    this.#policy.onRemove(slot);
    this.#index.delete(key);
    this.#filter?.remove(key);
    // An entry outside the heap already has expiresAt = Infinity: with no TTL in use
    // this skips two cold memory reads per removal.
    if (this.#expiry.size !== 0) {
      this.#expiry.remove(slot);
      this.#expiresAt[slot] = Infinity;
    }
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#free[this.#freeCount++] = slot;
    this.#lifespans.record(at - this.#bornAt[slot]!);
  }
}
