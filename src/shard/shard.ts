import { describe, PolicyContractError } from '../errors.js';
import type { ExpiryTimer } from '../expiry/expiryTimer.js';
import { ExpiryIndex } from '../expiry/expiryIndex.js';
import type { MembershipFilter } from '../filters/membershipFilter.js';
import type { SampleStats } from '../metrics/sampleStats.js';
import { isTrustedPolicy } from '../policies/index.js';
import type { ShardPolicyContext } from '../policies/ghostKeys.js';
import { SHARD_GHOST_KEYS } from '../policies/ghostKeys.js';
import type { EvictionPolicy, PolicyContext, PolicyFactory } from '../policies/policy.js';
import { SeededRandom } from '../policies/seededRandom.js';
import type { Outbox } from '../stream/outbox.js';
import type { PolicyCallGuard, PolicyFailureReport } from './checkedPolicy.js';
import { CheckedPolicy, callPolicyFactory } from './checkedPolicy.js';
import { KeyIndex } from './keyIndex.js';
import type { SnapshotEntry } from './snapshot.js';
import { SnapshotMemo } from './snapshotMemo.js';

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
  /** Told when this shard's first pending expiry comes (it had none). */
  readonly onFirstExpiry: () => void;
  /** Told when this shard's last pending expiry goes (removed, cleared, or overwritten without a TTL). */
  readonly onNoExpiry: () => void;
  readonly lifespans: SampleStats;
  /** Told when a custom policy's hook throws (see {@link CheckedPolicy}). */
  readonly onPolicyFailure: PolicyFailureReport;
  /** Shared by the cache's shards: which custom-policy hook is running (the cache refuses calls from it). */
  readonly policyCalls: PolicyCallGuard;
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
 * per-slot data sits in arrays, with no object per entry. A slot's key, value and
 * birth time are three neighbours in one array (see {@link STRIDE}); expiry times and
 * the expiry heap exist only once an entry has a TTL.
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

  readonly #index: KeyIndex<K>;
  // entries[STRIDE·slot + KEY | VALUE | BORN]; see STRIDE.
  readonly #entries: unknown[];
  // Birth times are stored as `at - #epoch`; see #rebase.
  #epoch = 0;
  // Made by the first entry with a TTL: a cache without TTL carries no expiry times
  // and no expiry order, 16 B per slot less.
  #expiry: ExpiryIndex | undefined;
  readonly #free: Uint32Array;
  #freeCount = 0;
  #fresh = 0; // slots below this were used at least once
  readonly #policy: EvictionPolicy;
  // The built-in policies are proven by property tests; checking their victim would
  // cost a Map lookup per eviction. A custom policy's victim is checked.
  readonly #checkVictims: boolean;
  // The policy's victims come straight back (EvictionPolicy.victimsReturn): tombstone them.
  readonly #tombstoneVictims: boolean;
  readonly #filter: MembershipFilter<K> | undefined;
  readonly #random: SeededRandom;
  readonly #out: Outbox<K, V>;
  readonly #timer: ExpiryTimer;
  readonly #onFirstExpiry: () => void;
  readonly #onNoExpiry: () => void;
  readonly #lifespans: SampleStats;
  // The frozen snapshot entry handed out last for each slot, kept only while the cache
  // streams snapshots (see writeSnapshotEntries): an unchanged entry is handed out
  // again instead of being allocated and frozen anew, which was most of a snapshot's
  // cost. It holds only what was live at the last snapshot.
  #snapshotMemo: SnapshotMemo<SnapshotEntry<K, V>> | undefined;

  constructor(setup: ShardSetup<K, V>) {
    const capacity = setup.capacity;
    this.id = setup.id;
    this.capacity = capacity;
    this.#index = new KeyIndex<K>(capacity);
    this.#entries = new Array<unknown>(STRIDE * capacity);
    this.#free = new Uint32Array(capacity);
    this.#random = new SeededRandom(setup.seed);
    this.#out = setup.outbox;
    this.#timer = setup.timer;
    this.#onFirstExpiry = setup.onFirstExpiry;
    this.#onNoExpiry = setup.onNoExpiry;
    this.#lifespans = setup.lifespans;
    this.#filter = setup.filter?.(capacity, () => this.#index.keys());
    this.#checkVictims = !isTrustedPolicy(setup.policy);
    const entries = this.#entries;
    const random = this.#random;
    // Closures, not methods: policies (custom ones too) may destructure the context.
    const context: PolicyContext = {
      capacity,
      shard: setup.id,
      random: () => random.next(),
      keyOf: (slot) => entries[STRIDE * slot + KEY],
      valueOf: (slot) => entries[STRIDE * slot + VALUE],
    };
    // A built-in ghost policy that is this shard's own keeps its ghosts in the key index.
    // Not a custom factory's context, even one that builds a built-in: it may build two
    // (whose ghost ids would mix), drop one (whose ghosts would stay), or call the hooks
    // in an order of its own, which the index's bookkeeping does not follow.
    const ownContext: ShardPolicyContext = this.#checkVictims ? context : { ...context, [SHARD_GHOST_KEYS]: this.#index.ghosts };
    this.#policy = this.#checkVictims
      ? new CheckedPolicy(callPolicyFactory(setup.policy, context), setup.onPolicyFailure, setup.policyCalls)
      : setup.policy(ownContext);
    this.#tombstoneVictims = this.#policy.victimsReturn === true;
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
    return this.#expiry === undefined ? Infinity : this.#expiry.nextExpiry();
  }

  /** `get`: the value, counting a hit (and refreshing the policy) or a miss. */
  get(key: K, at: number): V | undefined {
    // The raw Map, not index.lookup: one call level less keeps get inlinable (see Cache#get).
    const slot = this.#filter === undefined || this.#filter.mightContain(key) ? this.#index.raw.get(key) : undefined;
    if (slot === undefined || slot < 0) return this.#miss(key, at);
    this.hits++;
    this.#policy.onAccess(slot);
    const value = this.#entries[STRIDE * slot + VALUE] as V;
    if (this.#out.wants.hit) this.#out.hit(key, value, this.id, at);
    return value;
  }

  // Out of line, so that get stays small enough to be inlined whole (see Cache#get).
  #miss(key: K, at: number): undefined {
    this.misses++;
    this.#policy.onMiss?.(key);
    if (this.#out.wants.miss) this.#out.miss(key, this.id, at);
    return undefined;
  }

  /** The value of a live entry, touching nothing. The caller brings the shard up to date first. */
  peek(key: K): V | undefined {
    const slot = this.#index.lookup(key);
    return slot < 0 ? undefined : (this.#entries[STRIDE * slot + VALUE] as V);
  }

  /** True when `key` has a live entry, touching nothing. */
  has(key: K): boolean {
    return this.#index.has(key);
  }

  /** When `key`'s entry expires (`Infinity`: never), or `undefined` if there is none. */
  expiresAt(key: K): number | undefined {
    const slot = this.#index.lookup(key);
    return slot < 0 ? undefined : (this.#expiry?.timeOf(slot) ?? Infinity);
  }

  /**
   * `set`: writes the entry, evicting the policy's victim first when a new key finds
   * the shard full.
   * @param ttl - ms to live from `at`; `0` never expires.
   */
  set(key: K, value: V, at: number, ttl: number): void {
    const expiresAt = ttl === 0 ? Infinity : at + ttl;
    const found = this.#index.raw.get(key); // raw, as in get: keeps set inlinable
    let slot = found === undefined ? -1 : found;
    const replaced = slot >= 0;
    if (replaced) {
      this.#entries[STRIDE * slot + VALUE] = value;
      this.#policy.onUpdate(slot);
    } else {
      if (this.#index.size >= this.capacity) this.#evictOne(at, key);
      slot = this.#freeCount !== 0 ? this.#free[--this.#freeCount]! : this.#fresh++;
      let born = at - this.#epoch;
      if (!(born <= MAX_BORN && born >= -MAX_BORN)) born = this.#rebase(at);
      const entries = this.#entries;
      entries[STRIDE * slot + KEY] = key;
      entries[STRIDE * slot + VALUE] = value;
      entries[STRIDE * slot + BORN] = born;
      this.#index.insert(key, slot, found); // found, not live: a tombstone or a ghost
      // After the eviction, so that a full shard's filter never holds capacity + 1 keys
      // (a crowded cuckoo table at small capacities: twice the work per insert). A
      // shard's filter never throws (the cuckoo one keeps what it cannot place in an
      // exact overflow; the counting bloom saturates), so nothing here can fail half-way.
      this.#filter?.add(key);
      this.#policy.onInsert(slot);
    }
    this.#setExpiry(slot, expiresAt);
    this.sets++;
    if (this.#out.wants.set) this.#out.set(key, value, replaced, this.id, at);
  }

  /** `update`: replaces the value of a live entry, keeping its expiry. False if there is none. */
  update(key: K, value: V, at: number): boolean {
    const slot = this.#index.lookup(key);
    if (slot < 0) return false;
    this.#entries[STRIDE * slot + VALUE] = value;
    this.#policy.onUpdate(slot);
    this.sets++;
    if (this.#out.wants.set) this.#out.set(key, value, true, this.id, at);
    return true;
  }

  /** `delete`: removes the live entry. False if there was none. */
  delete(key: K, at: number): boolean {
    const slot = this.#index.lookup(key);
    if (slot < 0) return false;
    const value = this.#entries[STRIDE * slot + VALUE] as V;
    this.#remove(slot, key, at, true);
    this.deletes++;
    if (this.#out.wants.delete) this.#out.delete(key, value, this.id, at);
    return true;
  }

  /** `clear`: removes every entry, with one `'clear'` event for the shard. */
  clear(at: number): void {
    const count = this.#index.size;
    this.#index.clear();
    // Only the slots ever used hold anything: bounded by them, not by the capacity (at a
    // capacity of 2^30 a whole-array fill is a fatal out-of-memory).
    this.#entries.fill(undefined, 0, STRIDE * this.#fresh);
    if (this.#expiry !== undefined && this.#expiry.size !== 0) {
      this.#expiry.clear();
      this.#onNoExpiry();
    }
    this.#filter?.clear();
    this.#policy.onClear();
    this.#freeCount = 0;
    this.#fresh = 0;
    this.#snapshotMemo = undefined; // what it kept left the cache
    if (this.#out.wants.clear) this.#out.clear(this.id, at, count);
  }

  /** Removes every entry whose expiry is at or before `at`, oldest first. */
  expire(at: number): void {
    const expiry = this.#expiry;
    if (expiry === undefined) return;
    for (let slot = expiry.due(at); slot >= 0; slot = expiry.due(at)) {
      const key = this.#entries[STRIDE * slot + KEY] as K;
      const value = this.#entries[STRIDE * slot + VALUE] as V;
      const expiredAt = expiry.timeOf(slot);
      // Its life ended when it expired, however late the clean-up comes.
      this.#remove(slot, key, expiredAt, false);
      this.expirations++;
      if (this.#out.wants.expire) this.#out.expire(key, value, expiredAt, this.id, at);
    }
  }

  /**
   * Writes a frozen {@link SnapshotEntry} for every live entry into `out` from index
   * `from` on, in the order of {@link forEachEntry}, and returns the index after the
   * last. With `reuse`, an entry whose key, value and expiry are those of the one handed
   * out for its slot last time (with `reuse` too) is that same frozen object; without,
   * nothing is kept between calls.
   */
  writeSnapshotEntries(out: SnapshotEntry<K, V>[], from: number, reuse: boolean): number {
    let at = from;
    let memo = this.#snapshotMemo;
    if (!reuse) memo = this.#snapshotMemo = undefined;
    else memo ??= this.#snapshotMemo = new SnapshotMemo<SnapshotEntry<K, V>>(this.capacity);
    memo?.begin(this.#fresh, this.#index.size);
    const entries = this.#entries;
    const expiry = this.#expiry;
    const id = this.id;
    this.#index.forEach((key, slot) => {
      const value = entries[STRIDE * slot + VALUE] as V;
      const expiresAt = expiry === undefined ? Infinity : expiry.timeOf(slot);
      let entry = memo?.get(slot);
      // Object.is, as a snapshot built afresh would tell them apart: a value set from 0
      // to -0 is a new entry.
      if (entry === undefined || !Object.is(entry.key, key) || !Object.is(entry.value, value) || (entry.expiresAt ?? Infinity) !== expiresAt)
        entry = Object.freeze(expiresAt === Infinity ? { key, value, shard: id } : { key, value, shard: id, expiresAt });
      memo?.keep(slot, entry);
      out[at++] = entry;
    });
    memo?.end();
    return at;
  }

  /** Drops what {@link writeSnapshotEntries} kept for reuse. */
  forgetSnapshotEntries(): void {
    this.#snapshotMemo = undefined;
  }

  /** Calls `visit` for every live entry, in the order keys were first inserted. */
  forEachEntry(visit: EntryVisitor<K, V>): void {
    const entries = this.#entries;
    const expiry = this.#expiry;
    this.#index.forEach((key, slot) =>
      visit(key, entries[STRIDE * slot + VALUE] as V, expiry === undefined ? Infinity : expiry.timeOf(slot)),
    );
  }

  #evictOne(at: number, incoming: K): void {
    const victim = this.#policy.victim(incoming);
    if (this.#checkVictims) this.#checkVictim(victim);
    const key = this.#entries[STRIDE * victim + KEY] as K;
    const value = this.#entries[STRIDE * victim + VALUE] as V;
    this.#remove(victim, key, at, this.#tombstoneVictims);
    this.evictions++;
    if (this.#out.wants.evict) this.#out.evict(key, value, this.id, at);
  }

  // A custom policy's victim, before it is used as an index. The range check comes
  // before the lookup: a negative slot reads `undefined` as the key, and the index
  // answers a negative code for an absent key, which could equal the slot.
  #checkVictim(victim: unknown): void {
    if (typeof victim !== 'number' || !Number.isInteger(victim))
      throw new PolicyContractError(this.#policy.name, `named ${describe(victim)} as victim, which is not a slot number`);
    if (!(victim >= 0 && victim < this.capacity) || this.#index.lookup(this.#entries[STRIDE * victim + KEY] as K) !== victim)
      throw new PolicyContractError(this.#policy.name, `named slot ${String(victim)} as victim, which holds no entry`);
  }

  #setExpiry(slot: number, expiresAt: number): void {
    let expiry = this.#expiry;
    if (expiry === undefined) {
      if (expiresAt === Infinity) return; // no TTL in use: nothing to do
      expiry = this.#expiry = new ExpiryIndex(this.capacity);
    }
    // Overwritten without a TTL, the slot may give up the shard's last pending expiry
    // (the index only shrinks when a finite time becomes Infinity).
    const pending = expiry.size;
    if (expiry.set(slot, expiresAt)) {
      if (pending === 0) this.#onFirstExpiry();
      this.#timer.arm(expiresAt);
    } else if (pending !== 0 && expiry.size === 0) this.#onNoExpiry();
  }

  // Birth times are kept as `at - #epoch` so that they are small integers, which V8
  // stores in the entries array itself (a full timestamp would be a heap-allocated
  // number per insert). When a time falls outside ±MAX_BORN of the epoch (the first
  // insert; then about every 12 days of clock time), the epoch moves to `at` and the
  // live entries' birth times move with it: O(entries) that rarely. Returns `at`'s
  // birth time under the new epoch. Very old entries may then hold a time outside the
  // small-integer range, which is still exact, just boxed.
  #rebase(at: number): number {
    const shift = at - this.#epoch;
    this.#epoch = at;
    const entries = this.#entries;
    for (const slot of this.#index.slots()) (entries[STRIDE * slot + BORN] as number) -= shift;
    return 0;
  }

  // Shared by delete, eviction and expiry: the entry leaves every structure and its
  // slot is recycled; references are dropped so the value can be collected.
  // `tombstone`: `delete` leaves one in the index (a key invalidated on each write
  // comes straight back, again and again; see KeyIndex). Eviction and expiry do not:
  // on their paths it cost ~10 % of a cache-aside loop with a TTL at 100k (bench/pair.ts),
  // and a key comes back through them at most once per eviction or TTL period.
  // `endedAt`: when the entry's life ended (its expiry time, for an expired one).
  #remove(slot: number, key: K, endedAt: number, tombstone: boolean): void {
    this.#policy.onRemove(slot);
    this.#index.remove(key, slot, tombstone);
    this.#filter?.remove(key);
    // With no TTL in use this skips a cold read of the slot's expiry time.
    const expiry = this.#expiry;
    if (expiry !== undefined && expiry.size !== 0) {
      expiry.remove(slot);
      if (expiry.size === 0) this.#onNoExpiry();
    }
    const entries = this.#entries;
    // Never below 0: a clock that steps back (the wall clock, or a hand-made log whose
    // times run backwards) would otherwise give an entry a negative life.
    const lifespan = endedAt - this.#epoch - (entries[STRIDE * slot + BORN] as number);
    this.#lifespans.record(lifespan > 0 ? lifespan : 0);
    entries[STRIDE * slot + KEY] = undefined;
    entries[STRIDE * slot + VALUE] = undefined;
    this.#free[this.#freeCount++] = slot;
  }
}

/**
 * Slots per entry in the shard's entries array: key, value, birth time. Kept side by
 * side, an eviction (which reads the victim's key, value and birth time, and then
 * writes the newcomer into the same slot) misses the CPU cache once instead of three
 * times, as it did with three arrays; on a cache larger than the CPU cache that is
 * most of what an eviction costs.
 */
const STRIDE = 3;
const KEY = 0;
const VALUE = 1;
const BORN = 2;
/** Birth times stay within ±MAX_BORN ms of the epoch: small integers (V8 Smis) on every platform. */
const MAX_BORN = 2 ** 30 - 1;
