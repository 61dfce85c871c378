import type { Draft } from 'immer';
import { Immer, enableMapSet, freeze, isDraftable } from 'immer';
import type { MonoTypeOperatorFunction, Observable, SchedulerLike } from 'rxjs';
import { audit, map, merge, Observable as RxObservable, ReplaySubject, VirtualTimeScheduler } from 'rxjs';
import type { ClearCommand, Command, DeleteCommand, ExpireCommand, GetCommand, SetCommand, UpdateCommand } from './commands.js';
import { checkedCommand } from './commandValidation.js';
import type { PolicyContractError } from './errors.js';
import { CacheDisposedError, describe, knownOptions } from './errors.js';
import type { CacheEvent, CacheEventType, EventOf } from './events.js';
import { EVENT_TYPES } from './events.js';
import { CheckedClock, checkedClock } from './expiry/checkedClock.js';
import { ExpiryTimer, MAX_TIMER_DELAY } from './expiry/expiryTimer.js';
import { refreshClock, unrefScheduler } from './expiry/unrefScheduler.js';
import { createShardFilter } from './filters/index.js';
import type { MembershipFilter } from './filters/membershipFilter.js';
import { sameValueZero, shardIndex } from './keys/hashKey.js';
import { InflightLoads } from './loading/inflightLoads.js';
import type { LoaderGuard, LoaderGuardLike } from './loading/loaderGuard.js';
import { KeyNotFoundError, resolveLoaderGuard } from './loading/loaderGuard.js';
import type { Counts, MetricsSnapshot } from './metrics/metricsSnapshot.js';
import { buildMetrics } from './metrics/metricsSnapshot.js';
import { SampleStats } from './metrics/sampleStats.js';
import { countEvents } from './operators/countEvents.js';
import type { CacheOptions, ResolvedOptions } from './options.js';
import { resolveOptions, ttlOption } from './options.js';
import { PolicyCallGuard } from './shard/checkedPolicy.js';
import { Shard } from './shard/shard.js';
import type { CacheSnapshot } from './shard/snapshot.js';
import { buildSnapshot } from './shard/snapshot.js';
import { KeyWatchers } from './stream/keyWatchers.js';
import { Outbox } from './stream/outbox.js';
import { reportError, reporting } from './stream/reportError.js';

// update() recipes on Map and Set values (immer drafts them only with this plugin;
// plugins are global to the immer module, and enabling one changes nothing else).
enableMapSet();
// Our own instance: immer is usually deduplicated with the application's, whose
// setAutoFreeze settings must not decide whether update()'s values are frozen (a value
// mutated through peek() would change snapshots taken before). Auto-freezing is off
// because immer freezes an unchanged base too: a recipe that changes nothing would
// freeze the caller's own object. update() freezes what it writes itself.
const immer = new Immer({ autoFreeze: false });

/** Per-entry options of `set`. */
export interface SetOptions {
  /** This entry's time-to-live in ms, overriding the cache's `ttl`; `0` or `Infinity`: never. */
  ttl?: number | undefined;
}

/** Options of {@link Cache.getOrLoad}: those of `set`, and a loader guard for this call. */
export interface GetOrLoadOptions<K> extends SetOptions {
  /**
   * Keys known to exist at the origin, for this call instead of the cache's
   * `loaderGuard` option: a key it rules out rejects with `KeyNotFoundError` and the
   * loader is not called. Pass a `LoaderGuard` to keep its counts across calls.
   */
  guard?: LoaderGuardLike<K> | undefined;
}

/** An immer recipe: mutate the draft, or return a replacement value. */
export type UpdateRecipe<V> = (draft: Draft<V>) => V | void | undefined;

/** Loads the value of a missing key for {@link Cache.getOrLoad}. */
export type Loader<K, V> = (key: K) => V | PromiseLike<V>;

const CHANGE_TYPES = ['set', 'delete', 'evict', 'expire', 'clear'] as const;
const SET_OPTIONS = ['ttl'] as const;
const GET_OR_LOAD_OPTIONS = ['ttl', 'guard'] as const;

// %IteratorPrototype%: what every built-in iterator inherits from.
const ITERATOR_PROTOTYPE: object = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object;

// Set by Cache's static block: the way in from outside the class, for macho/testing.
let delivering: <K, V>(cache: Cache<K, V>) => boolean;

/**
 * Whether `cache` is handing out events (the caller runs inside one of its
 * subscribers), for `macho/testing`. Not part of the package's API.
 * @example
 * isDelivering(cache); // false between commands
 */
export function isDelivering<K, V>(cache: Cache<K, V>): boolean {
  return delivering(cache);
}

/**
 * An event-sourced in-memory cache. Every operation is a command, applied by the shard
 * that owns the key, published on {@link commands$}, and followed by the events it
 * caused on {@link events$}. See the README for the whole tour.
 *
 * @typeParam K - keys, compared as by `Map` (SameValueZero).
 * @typeParam V - values; `undefined` is not a value (`set(k, undefined)` deletes `k`).
 * @example
 * const cache = new Cache<string, number>({ maxCacheSize: 1000, ttl: 60_000 });
 * cache.on('evict').subscribe((e) => console.log('evicted', e.key));
 * cache.set('a', 1);
 * cache.get('a'); // 1
 */
export class Cache<K = unknown, V = unknown> implements Iterable<[K, V]> {
  /** The options in force, with defaults filled in. */
  readonly options: ResolvedOptions;

  readonly #shards: Shard<K, V>[];
  readonly #onlyShard: Shard<K, V> | undefined; // with one shard: no hashing of keys
  readonly #clock: SchedulerLike;
  // The time while some entry can expire (see #now): Date.now() for the default clock
  // (whose reading it refreshes), any other clock's own reading.
  readonly #exactNow: () => number;
  readonly #defaultTtl: number;
  readonly #out = new Outbox<K, V>();
  readonly #timer: ExpiryTimer;
  readonly #loads = new InflightLoads<K, V>();
  // Shards holding at least one pending expiry (see #disarmIfIdle).
  #timedShards = 0;
  // dispose() has completed every stream (set after #disposed, which a nested dispose() sets early).
  #streamsClosed = false;
  // The update() recipes running (nested ones too), each with its key and whether the
  // cache wrote, deleted or cleared that key meanwhile (the recipe itself, or code it
  // called): such a write is newer than the recipe's draft and stays.
  readonly #recipes: Array<{ readonly key: K; wrote: boolean }> = [];
  readonly #guard: LoaderGuard<K> | undefined;
  readonly #watchers: KeyWatchers<K, V>;
  readonly #latencyGet = new SampleStats();
  readonly #latencySet = new SampleStats();
  readonly #lifespans = new SampleStats();
  readonly #sampleEvery: number;
  // One countdown per method: with a shared one, a loop of get-then-set would time
  // only one of the two whenever the period is even.
  #untilSampleGet: number;
  #untilSampleSet: number;
  #version = 0;
  #lastAt = 0;
  // The last snapshot, while the cache has not changed since: dropped by the next
  // command (#applied), so that a snapshot nobody holds does not keep what left the
  // cache alive. (A WeakRef would not do: an engine keeps a WeakRef's target alive
  // until the current task ends, so a loop of snapshot() calls kept them all.)
  #memo: CacheSnapshot<K, V> | undefined;
  #disposed = false;
  // Subscriptions to snapshots$ open now (see #snapshotStream).
  #snapshotStreams = 0;
  // Emits once, on dispose: ends the pending tick of metrics$ and snapshots$ at once.
  // Replays its one value, so that a metrics$/snapshots$ window opened after dispose
  // started (by events still being delivered) closes at once instead of on a timer.
  readonly #disposing = new ReplaySubject<void>(1);
  #disposeStarted = false;
  // Set when a custom policy's hook throws (see CheckedPolicy); thrown by #applied once
  // the command is complete, to the caller of that command, nested or not.
  #policyFailure: PolicyContractError | undefined;
  // The last failure #applied threw: a command that took effect all the same (replay goes on).
  #failedButApplied: PolicyContractError | undefined;
  // Which custom-policy hook is running, shared with the shards: calls from it are refused.
  readonly #policyCalls = new PolicyCallGuard();

  /**
   * @throws TypeError or RangeError naming the first bad option.
   */
  constructor(options: CacheOptions<K> = {}) {
    const resolved = resolveOptions(options);
    this.options = resolved;
    this.#guard = resolved.loaderGuard as LoaderGuard<K> | undefined;
    // A scheduler you pass has its readings checked (see CheckedClock); ours are not.
    const clock = (this.#clock = checkedClock(resolved.scheduler, (error) => this.#out.report(error)));
    this.#exactNow = clock === unrefScheduler ? refreshClock : () => clock.now();
    this.#defaultTtl = resolved.ttl;
    this.#sampleEvery = resolved.latencySampleEvery;
    this.#untilSampleGet = this.#untilSampleSet = resolved.latencySampleEvery || Infinity;
    // A pending expiry keeps the cache alive until it fires or dispose() cancels it, as
    // a subscriber of its events expects. (Through a WeakRef it could be collected with
    // subscribers still waiting for those expiries, and an engine keeps every WeakRef's
    // target until the current task ends, which held thousands of disposed caches.)
    this.#timer = new ExpiryTimer(
      this.#clock,
      (reached) => this.#onExpiryDue(reached),
      () => this.#nextExpiry(),
      (error) => this.#out.report(error),
      resolved.scheduler instanceof VirtualTimeScheduler ? Infinity : MAX_TIMER_DELAY,
    );
    const { maxCacheSize, shardCount } = resolved;
    const filter = resolved.bloom
      ? (capacity: number, liveKeys: () => Iterable<K>) => shardFilter<K>(resolved, capacity, liveKeys)
      : undefined;
    this.#shards = Array.from({ length: shardCount }, (_, id) => {
      // Capacity split: floor for each, the remainder to the first shards.
      const capacity = Math.floor(maxCacheSize / shardCount) + (id < maxCacheSize % shardCount ? 1 : 0);
      return new Shard<K, V>({
        id,
        capacity,
        policy: resolved.policy,
        seed: resolved.seed + id,
        filter,
        outbox: this.#out,
        timer: this.#timer,
        onFirstExpiry: () => void this.#timedShards++,
        onNoExpiry: () => this.#disarmIfIdle(),
        lifespans: this.#lifespans,
        onPolicyFailure: (failure) => (this.#policyFailure ??= failure),
        policyCalls: this.#policyCalls,
      });
    });
    this.#onlyShard = shardCount === 1 ? this.#shards[0] : undefined;
    this.#watchers = new KeyWatchers(
      CHANGE_TYPES.map((type) => this.#out.on(type)),
      (key) => shardIndex(key, shardCount),
      this.#out,
    );
    this.commands$ = this.#out.commands$;
    this.events$ = this.#out.events$;
    this.metrics$ = this.#metricsStream();
    this.snapshots$ = this.#snapshotStream();
  }

  /**
   * A new cache with `log` (commands recorded from another cache's `commands$`)
   * applied in order. With the same options, its `snapshot()` equals the recorded
   * cache's at the end of the log. A custom policy's hook that throws does not stop it:
   * the command took effect (as it did in the recorded cache, whose caller got the
   * `PolicyContractError`); a refused `victim()` does, as the log cannot hold that command.
   * @throws InvalidCommandError (naming the position) for a malformed command, or what
   *   a command throws otherwise; the returned cache is not created.
   * @example
   * const log: Command[] = [];
   * cache.commands$.subscribe((c) => log.push(c));
   * // … use cache …
   * const copy = Cache.replay(log, options);
   */
  static replay<K = unknown, V = unknown>(log: Iterable<Command<K, V>>, options: NoInfer<CacheOptions<K>> = {}): Cache<K, V> {
    if (typeof (log as Partial<Iterable<unknown>> | null | undefined)?.[Symbol.iterator] !== 'function' || typeof log === 'string')
      throw new TypeError(`macho: Cache.replay() takes an iterable of commands (an array, a generator); got ${describe(log)}`);
    const cache = new Cache<K, V>(options);
    let index = 0;
    try {
      for (const given of log) {
        const command = checkedCommand(given, cache.#shards.length, index) as Command<K, V>;
        try {
          cache.#executeChecked(command);
        } catch (error) {
          if (error !== cache.#failedButApplied) throw error;
        }
        index++;
      }
    } catch (error) {
      cache.dispose();
      throw error;
    }
    return cache;
  }

  /** The command log: every command, in the order applied. */
  readonly commands$: Observable<Command<K, V>>;

  /** Every event, after the command that caused it is fully applied. */
  readonly events$: Observable<CacheEvent<K, V>>;

  /**
   * The metrics as a stream (a `scan` over events): the current figures at once, then
   * at most once per tick of the cache's scheduler while events arrive.
   */
  readonly metrics$: Observable<MetricsSnapshot>;

  /** Snapshots: the current one at once, then at most one per scheduler tick after changes. */
  readonly snapshots$: Observable<CacheSnapshot<K, V>>;

  /**
   * Events of one type.
   * @example
   * cache.on('evict').subscribe(({ key, value }) => console.log('evicted', key, value));
   */
  on<T extends CacheEventType>(type: T): Observable<EventOf<T, K, V>> {
    if (!EVENT_TYPES.includes(type))
      throw new TypeError(`macho: on() takes an event type (${EVENT_TYPES.join(', ')}); got ${describe(type)}`);
    return this.#out.on(type) as Observable<EventOf<T, K, V>>;
  }

  /** Live entries. */
  get size(): number {
    this.#live('read size');
    this.#catchUpAll('read size');
    let size = 0;
    for (const shard of this.#shards) size += shard.size;
    return size;
  }

  /**
   * The value of `key`, or `undefined`. Counts a hit or a miss and refreshes the
   * entry for the policy (for LRU: makes it the most recent).
   */
  get(key: K): V | undefined {
    return --this.#untilSampleGet === 0 ? this.#timedGet(key) : this.#get(key);
  }

  /**
   * Writes `key`. A new key in a full shard evicts the policy's victim first.
   * `set(key, undefined)` is `delete(key)`.
   * @throws TypeError or RangeError for a bad `options.ttl`.
   */
  set(key: K, value: V, options?: SetOptions): this {
    return --this.#untilSampleSet === 0 ? this.#timedSet(key, value, options) : this.#set(key, value, options);
  }

  /** Macho's original name for {@link set}. */
  add(key: K, value: V, options?: SetOptions): this {
    return this.set(key, value, options);
  }

  /** The value of `key`, with no hit or miss counted and no recency change. */
  peek(key: K): V | undefined {
    this.#live('peek');
    const shard = this.#shardFor(key);
    this.#catchUp(shard, 'peek');
    return shard.peek(key);
  }

  /** True when `key` has a live (unexpired) entry; no recency change. */
  has(key: K): boolean {
    this.#live('call has');
    const shard = this.#shardFor(key);
    this.#catchUp(shard, 'call has');
    return shard.has(key);
  }

  /** Removes `key`; true if it had a live entry. */
  delete(key: K): boolean {
    return this.#delete(key, 'delete');
  }

  // `key` was written or deleted: a load under way for it must not store over that, nor
  // a recipe drafting from its old value. Two field reads on the hot set path; the
  // bookkeeping (a call with a loop, which V8 did not always inline) only when needed.
  #wrote(key: K): void {
    if (this.#loads.size !== 0 || this.#recipes.length !== 0) this.#keyWritten(key);
  }

  #keyWritten(key: K): void {
    if (this.#loads.size !== 0) this.#loads.supersede(key);
    for (const recipe of this.#recipes) if (sameValueZero(recipe.key, key)) recipe.wrote = true;
  }

  // Every key was (clear): as #keyWritten for each.
  #allWritten(): void {
    this.#loads.supersedeAll();
    for (const recipe of this.#recipes) recipe.wrote = true;
  }

  // `operation`: the method called (set(key, undefined) and update() delete too), for CacheDisposedError.
  #delete(key: K, operation: string): boolean {
    this.#live(operation);
    const at = this.#now();
    const shard = this.#shardFor(key);
    this.#due(shard, at, operation);
    const mark = this.#out.mark();
    if (this.#out.wantsCommands) this.#out.command(Object.freeze({ type: 'delete', key, at }));
    this.#wrote(key);
    let deleted: boolean;
    try {
      deleted = shard.delete(key, at);
    } catch (error) {
      throw this.#failed(mark, error);
    }
    this.#applied(at);
    return deleted;
  }

  /** Removes every entry. */
  clear(): void {
    this.#live('clear');
    const at = this.#now();
    // What has expired by now is expired first (its own events, and counted as such):
    // otherwise a late timer would let clear count it among the live entries it removed.
    this.#dueAll(at, 'clear');
    if (this.#out.wantsCommands) this.#out.command(Object.freeze({ type: 'clear', at }));
    this.#allWritten();
    for (const shard of this.#shards) shard.clear(at);
    this.#applied(at);
  }

  /**
   * Changes the value of a live entry with an immer recipe, keeping its expiry. The new
   * value is deeply frozen, with the parts it shares with the old value (immer's
   * structural sharing), which you may still hold. A recipe that changes nothing is not a
   * write, and freezes nothing.
   * @returns the new value, or `undefined` if `key` has no live entry.
   * @example
   * cache.update('user:1', (user) => { user.visits += 1; });
   */
  // The draft's type is a type parameter (always Draft<V> in practice) rather than
  // UpdateRecipe<V>: immer's Draft<V> is a conditional type, which made V invariant,
  // so a Cache<K, User> was not a Cache (Cache<unknown, unknown>). Generic methods are
  // compared with their type parameters unified, so V stays covariant here.
  update<D extends Draft<V> = Draft<V>>(key: K, recipe: (draft: D) => V | void | undefined): V | undefined {
    this.#live('update');
    if (typeof recipe !== 'function') throw new TypeError(`macho: update() takes a recipe function; got ${describe(recipe)}`);
    const shard = this.#shardFor(key);
    this.#catchUp(shard, 'update');
    if (!shard.has(key)) return undefined;
    const current = shard.peek(key) as V;
    if (typeof current === 'object' && current !== null && !isDraftable(current))
      throw new TypeError(
        `macho: update() cannot draft the value of ${describe(key)}, ${describeObject(current)}: immer drafts plain ` +
          'objects, arrays, Maps, Sets and classes marked [immerable]; store a new value with set() instead',
      );
    // Watching for writes of the key from the recipe on, through the expiries that go
    // out before the write (an 'expire' handler may store the key again).
    const frame = { key, wrote: false };
    this.#recipes.push(frame);
    let next: V;
    let at: number;
    let live: V | undefined;
    try {
      next = produceWith(key, current, recipe as UpdateRecipe<V>);
      // The recipe may call anything, dispose() too: then nothing is written.
      this.#live('update');
      at = this.#now();
      this.#due(shard, at, 'update');
      live = shard.peek(key); // undefined is never a live value
    } finally {
      this.#recipes.pop();
    }
    // Nothing to write if the recipe changed nothing, or if the entry is not what it
    // drafted from any more: the recipe itself wrote or deleted the key (a write newer
    // than its draft, which stays, as a write during a load does; `frame.wrote` also
    // when it stored the very same object again), or it expired meanwhile. What is
    // live is the answer.
    if (Object.is(next, current) || !Object.is(live, current) || frame.wrote) {
      this.#out.flush(); // a bad clock reading's report, if any
      return live;
    }
    if (next === undefined) {
      this.#delete(key, 'update');
      return undefined;
    }
    freeze(next, true); // draftable values only, as immer's autoFreeze would
    const mark = this.#out.mark();
    if (this.#out.wantsCommands) this.#out.command(Object.freeze({ type: 'update', key, value: next, at }));
    this.#wrote(key);
    try {
      shard.update(key, next, at);
    } catch (error) {
      throw this.#failed(mark, error);
    }
    this.#applied(at);
    return next;
  }

  /**
   * The value of `key`, loading it with `loader` on a miss and storing the result.
   * Concurrent calls for one key share one load. A failed load stores nothing and
   * rejects every caller; if the key is written or deleted while its load runs, the
   * newer write stays and the loaded value is only returned.
   *
   * With a loader guard (the cache option `loaderGuard`, or `options.guard` for this
   * call), a missing key the guard rules out rejects at once with a `KeyNotFoundError`
   * and the loader is not called; a cached key is returned whatever the guard says.
   * @example
   * const user = await cache.getOrLoad('user:1', (key) => db.findUser(key));
   */
  getOrLoad(key: K, loader: Loader<K, V>, options?: GetOrLoadOptions<K>): Promise<V> {
    let cached: V | undefined;
    // Read once, here: the caller may change its options object while the load runs.
    let ttl: number | undefined;
    try {
      this.#live('getOrLoad'); // first, as every method: a disposed cache is the error to report
      if (typeof loader !== 'function') throw new TypeError(`macho: getOrLoad needs a loader function; got ${describe(loader)}`);
      if (options !== undefined) knownOptions('macho: getOrLoad', options, GET_OR_LOAD_OPTIONS);
      ttl = options?.ttl === undefined ? undefined : ttlOption('ttl', options.ttl);
      const guard = options?.guard === undefined ? this.#guard : resolveLoaderGuard<K>('guard', options.guard);
      cached = this.get(key);
      if (cached === undefined) {
        // A subscriber of this very miss may have disposed of the cache: no load then.
        this.#live('getOrLoad');
        // Or stored the key (a second tier warming this one): then that is the answer.
        const shard = this.#shardFor(key);
        this.#catchUp(shard, 'getOrLoad');
        cached = shard.peek(key);
      }
      if (cached === undefined && guard !== undefined && !guard.mightExist(key)) {
        return Promise.reject(new KeyNotFoundError(key));
      }
    } catch (error) {
      // get() throws CacheDisposedError also when a handler of the expiries that go
      // first disposed of the cache: it is getOrLoad that the caller could not make.
      return Promise.reject(error instanceof CacheDisposedError ? new CacheDisposedError('getOrLoad') : error);
    }
    if (cached !== undefined) return Promise.resolve(cached);
    return this.#loads.load(key, loader, (value, superseded) => {
      // Nothing to store: set(key, undefined) would delete the key, which nobody asked for.
      if (this.#disposed || value === undefined) return;
      try {
        this.#storeLoaded(key, value, ttl, superseded);
      } catch (error) {
        // Disposed by a handler of the expiries that go before the store: the load
        // answers its callers and stores nothing, as one that finishes after dispose.
        if (!(error instanceof CacheDisposedError)) throw error;
      }
    });
  }

  /**
   * The current value of `key` at once, then its value after each change (`undefined`
   * once it is deleted, evicted, expired or cleared; never twice in a row, since clearing
   * a shard that does not hold the key changes nothing). A change the subscriber makes
   * on receiving a value, the first included, reaches it after that value. Completes on
   * `dispose()`.
   * @example
   * cache.watch('user:1').subscribe((user) => render(user));
   */
  watch(key: K): Observable<V | undefined> {
    return new RxObservable<V | undefined>((subscriber) => {
      if (this.#disposed) return subscriber.error(new CacheDisposedError('watch'));
      this.#notFromPolicy('watch');
      const shard = this.#shardFor(key);
      // Throws if a handler of what expires here disposes of the cache (RxJS makes it the error).
      this.#catchUp(shard, 'watch');
      const current = shard.peek(key);
      // Watching first, from the queue position of this value: the subscriber's own
      // changes on receiving it come after, and reach it. A dispose() it makes
      // completes it (after what was applied before), as any watcher.
      const teardown = this.#watchers.add(key, subscriber, current === undefined);
      this.#out.handOut(subscriber, current);
      return teardown;
    });
  }

  /**
   * Live keys, shard by shard in insertion order. As with a `Map`, an entry that leaves
   * the cache (deleted, evicted, expired) before the iteration reaches it is skipped;
   * unlike a `Map`, keys added during the iteration are not visited (the keys to visit
   * are those live when `keys()` was called).
   */
  keys(): IterableIterator<K> {
    return this.#stillLive((key) => key);
  }

  /** Live values, in the order of {@link keys}; each as it is when the iteration reaches it. */
  values(): IterableIterator<V> {
    return this.#stillLive((_, value) => value);
  }

  /** Live `[key, value]` pairs, in the order of {@link keys}; each as it is when the iteration reaches it. */
  entries(): IterableIterator<[K, V]> {
    return this.#stillLive((key, value): [K, V] => [key, value]);
  }

  /** Same as {@link entries}. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Calls `callback(value, key, cache)` for each live entry, as `Map.forEach` does (with `thisArg` as `this`). */
  forEach(callback: (value: V, key: K, cache: this) => void, thisArg?: unknown): void {
    // Checked first, as Map's is: on an empty cache it would otherwise pass unnoticed.
    if (typeof callback !== 'function') throw new TypeError(`macho: forEach() takes a callback function; got ${describe(callback)}`);
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  /**
   * Exact figures (counts read from the shards), frozen. What has expired by now is
   * expired first, as for any read, so `size` counts live entries only.
   */
  metrics(): MetricsSnapshot {
    this.#notFromPolicy('read metrics');
    if (!this.#disposed) this.#catchUpAll(undefined);
    return this.#metricsFrom(this.#shards);
  }

  /**
   * The whole cache as a frozen snapshot. Memoised per version: asking twice without a
   * change in between returns the same object, and nobody pays for snapshots unasked.
   */
  snapshot(): CacheSnapshot<K, V> {
    this.#notFromPolicy('take a snapshot');
    if (!this.#disposed) this.#catchUpAll(undefined);
    if (this.#memo?.version !== this.#version)
      this.#memo = buildSnapshot(this.#shards, this.#version, this.#lastAt, this.#snapshotStreams !== 0);
    return this.#memo;
  }

  /**
   * Applies one command (from a log, or built with the command creators) and
   * publishes it on `commands$`, with the effect the method it stands for would have.
   * @returns `get`: the value (or `undefined`); `delete` and `update`: whether an entry
   * was there; `set`, `clear` and `expire`: `undefined`.
   * @throws InvalidCommandError for a malformed command; nothing is applied.
   * @example
   * const value: number | undefined = cache.execute(getCommand('a', 0)); // typed by the command
   */
  execute(given: GetCommand<K>): V | undefined;
  execute(given: DeleteCommand<K> | UpdateCommand<K, V>): boolean;
  execute(given: SetCommand<K, V> | ClearCommand | ExpireCommand): undefined;
  execute(given: Command<K, V>): V | boolean | undefined;
  execute(given: Command<K, V>): V | boolean | undefined {
    this.#live('execute a command');
    return this.#executeChecked(checkedCommand(given, this.#shards.length) as Command<K, V>);
  }

  // `command` as checkedCommand returns it: the frozen copy that is applied and logged.
  #executeChecked(command: Command<K, V>): V | boolean | undefined {
    const at = command.at;
    if (command.type === 'clear') this.#dueAll(at, 'execute a command');
    else if (command.type !== 'expire') this.#due(this.#shardFor(command.key), at, 'execute a command');
    const mark = this.#out.mark();
    if (this.#out.wantsCommands) this.#out.command(command);
    let result: V | boolean | undefined;
    try {
      result = this.#executeValid(command);
    } catch (error) {
      throw this.#failed(mark, error);
    }
    // Outside the try: a policy failure #applied throws comes after the command took
    // effect, whose events and log entry must stay queued (from a handler, nothing has
    // been delivered yet, and a rollback would drop them).
    this.#applied(at);
    return result;
  }

  #executeValid(command: Command<K, V>): V | boolean | undefined {
    const at = command.at;
    let result: V | boolean | undefined;
    switch (command.type) {
      case 'get':
        result = this.#shardFor(command.key).get(command.key, at);
        break;
      case 'set': {
        const ttl = command.ttl === undefined ? this.#defaultTtl : ttlOption('ttl', command.ttl);
        this.#shardFor(command.key).set(command.key, command.value, at, ttl);
        this.#wrote(command.key); // after, as in #set
        break;
      }
      case 'update':
        result = this.#shardFor(command.key).update(command.key, command.value, at);
        // Only a write: as update(), an update of a missing key leaves a load under way alone.
        if (result) this.#wrote(command.key);
        break;
      case 'delete':
        this.#wrote(command.key);
        result = this.#shardFor(command.key).delete(command.key, at);
        break;
      case 'clear':
        this.#allWritten();
        for (const shard of this.#shards) shard.clear(at);
        break;
      case 'expire':
        this.#shards[command.shard]!.expire(at);
        break;
    }
    return result;
  }

  /**
   * Removes what has expired by now (its `expire` events are the last ones), then
   * completes every stream (`commands$`, `events$`, `metrics$`, `snapshots$`, watches)
   * and cancels every timer. Afterwards `metrics()` and `snapshot()` describe the cache
   * as it was left, and `disposed` and `options` read as before; every other method
   * throws {@link CacheDisposedError} (`getOrLoad` rejects with it, a `watch` errors
   * with it). So does a call that a handler disposes of the cache during, before the
   * call's own command ran (a method first expires what is due and delivers those
   * events): it has no effect. Streams do not throw: one subscribed afterwards
   * (`on(type)`, `events$`) completes at once, `metrics$` and `snapshots$` after giving
   * the final figures. Calling it again does nothing.
   */
  dispose(): void {
    this.#notFromPolicy('dispose of the cache');
    // Called again from a handler of the expiries below: the cache is disposed from
    // then on for every caller (that handler's next write throws, `disposed` is true),
    // and the first call goes on with its catch-up and finishes.
    if (this.#disposeStarted) {
      this.#disposed = true;
      return;
    }
    this.#disposeStarted = true;
    try {
      // A late expiry timer (a busy event loop) would otherwise leave expired entries in
      // the final snapshot, and a log that ends without the expiry it implies. Every
      // shard, even once a handler has disposed of the cache.
      this.#catchUpAll(undefined, true);
    } finally {
      this.#out.flush(); // a bad clock reading's report, before the streams close
      this.#disposed = true;
      this.#timer.cancel();
      this.#loads.supersedeAll();
      // metrics$ and snapshots$ deliver what their pending tick holds now, not on a
      // timer left behind on the scheduler, and then complete with the rest. A
      // subscriber's error there (which RxJS rethrows here under its deprecated
      // synchronous error handling) is reported; the streams still complete.
      reporting(() => this.#disposing.next());
      reporting(() => this.#disposing.complete());
      this.#out.complete();
      this.#streamsClosed = true;
    }
  }

  /** True once {@link dispose} was called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  #get(key: K): V | undefined {
    this.#live('get');
    const at = this.#now();
    const shard = this.#shardFor(key);
    this.#due(shard, at, 'get');
    const mark = this.#out.mark();
    if (this.#out.wantsCommands) this.#logGet(key, at);
    let value: V | undefined;
    try {
      value = shard.get(key, at);
    } catch (error) {
      throw this.#failed(mark, error);
    }
    this.#applied(at);
    return value;
  }

  #set(key: K, value: V, options: SetOptions | undefined): this {
    this.#live('set');
    const custom = options?.ttl;
    // Only when no ttl was read: a misspelt one (or options that are not an object)
    // must not silently mean the default; a call with a ttl pays nothing for this.
    if (custom === undefined && options !== undefined) knownOptions('macho: set', options, SET_OPTIONS);
    const ttl = custom === undefined ? this.#defaultTtl : ttlOption('ttl', custom);
    if (value === undefined) {
      this.#delete(key, 'set');
      return this;
    }
    const at = this.#writeTime(ttl);
    const shard = this.#shardFor(key);
    this.#due(shard, at, 'set');
    this.#write(shard, key, value, ttl, custom === undefined ? undefined : ttl, at);
    return this;
  }

  // A load's value, stored as set() stores, unless the key was written, deleted or
  // cleared since the load began: also by a handler of the expiries that go first here.
  #storeLoaded(key: K, value: V, customTtl: number | undefined, superseded: () => boolean): void {
    this.#live('getOrLoad');
    const ttl = customTtl === undefined ? this.#defaultTtl : customTtl;
    const at = this.#writeTime(ttl);
    const shard = this.#shardFor(key);
    this.#due(shard, at, 'getOrLoad');
    if (superseded()) {
      this.#out.flush(); // a bad clock reading's report, if any
      return;
    }
    this.#write(shard, key, value, ttl, customTtl, at);
  }

  // A write with a TTL starts its countdown at the exact time, even the first one.
  #writeTime(ttl: number): number {
    return ttl === 0 ? this.#now() : this.#exactNow();
  }

  // The write of set() and of a load, once what was due has expired. `ttl` is the
  // entry's; `customTtl` what the log records (undefined: the cache's default).
  #write(shard: Shard<K, V>, key: K, value: V, ttl: number, customTtl: number | undefined, at: number): void {
    const mark = this.#out.mark();
    if (this.#out.wantsCommands) this.#logSet(key, value, customTtl, at);
    try {
      shard.set(key, value, at, ttl);
    } catch (error) {
      throw this.#failed(mark, error);
    }
    // After the set took effect: a set a custom policy's victim() refused changed
    // nothing, so a load under way for the key must still store what it loads.
    this.#wrote(key);
    this.#applied(at);
  }

  // The hot path is written so that V8 inlines all of get and set into the caller's
  // loop (its budget is ~900 bytes of bytecode per loop): sampling, logging and
  // sharding sit in small methods of their own. A closure for the sampled call
  // (`() => this.#get(key)`) would also make V8 allocate a context for `key` on
  // every call, sampled or not.

  // A call that throws (a disposed cache, a bad ttl) is not timed: the figures are
  // the time of gets and sets that happened.
  #timedGet(key: K): V | undefined {
    this.#untilSampleGet = this.#sampleEvery;
    const start = performance.now();
    const value = this.#get(key);
    this.#latencyGet.record(performance.now() - start);
    return value;
  }

  #timedSet(key: K, value: V, options: SetOptions | undefined): this {
    this.#untilSampleSet = this.#sampleEvery;
    const start = performance.now();
    this.#set(key, value, options);
    this.#latencySet.record(performance.now() - start);
    return this;
  }

  #logGet(key: K, at: number): void {
    this.#out.command(Object.freeze({ type: 'get', key, at }));
  }

  #logSet(key: K, value: V, ttl: number | undefined, at: number): void {
    this.#out.command(
      Object.freeze(ttl === undefined ? { type: 'set', key, value, at } : { type: 'set', key, value, ttl, at }),
    );
  }

  #shardFor(key: K): Shard<K, V> {
    return this.#onlyShard ?? this.#shards[shardIndex(key, this.#shards.length)]!;
  }

  // What is due on `shard` at `at` goes first, as an 'expire' command of its own, so
  // that the next command's log entry and events concern that command alone (and a
  // command that fails can be taken back without taking back the expiry).
  // `operation`: the method about to run its own command; undefined for those that
  // go on with the cache as it is left if disposed (metrics(), snapshot(), iteration).
  // The caller's command then runs at `at` too, even if an 'expire' handler ran
  // commands stamped later meanwhile (on an exact clock, a handler that took a while):
  // raising its time would let it see, on another shard, entries due by then that
  // nothing expired, and a replay would differ. So stamps can run back there.
  #due(shard: Shard<K, V>, at: number, operation: string | undefined): void {
    if (shard.nextExpiry() <= at) this.#expireBefore(shard, at, operation);
  }

  // Out of line, to keep get and set small: see the note on the hot path.
  #expireBefore(shard: Shard<K, V>, at: number, operation: string | undefined): void {
    this.#expire(shard, at);
    // An 'expire' handler may have disposed of the cache. The caller's command has not
    // run, and must not run now (a write, a new timer, a hit counted after dispose):
    // it throws, as on a cache disposed before the call.
    if (operation !== undefined) this.#live(operation);
  }

  // A command threw (a custom policy broke its contract): what it queued is dropped,
  // so the log never holds a command that did not take effect.
  #failed(mark: number, error: unknown): unknown {
    this.#out.rollback(mark);
    this.#policyFailure = undefined; // the command did not happen: what it reported is moot
    this.#out.flush(); // what was queued before it (a bad clock reading's report) still goes out
    return error;
  }

  // After each command: count it, then deliver what it produced, now that the state is consistent.
  #applied(at: number): void {
    this.#version++;
    this.#lastAt = at;
    this.#memo = undefined;
    // This command's own failure, taken before the delivery: commands that subscribers
    // make during it start clean, and each throws only what it caused itself.
    const failure = this.#policyFailure;
    if (failure !== undefined) this.#policyFailure = undefined;
    this.#out.flush();
    if (failure !== undefined) throw (this.#failedButApplied = failure);
  }

  // Reads must not see expired entries: clean the shard up to now, as a logged
  // command, so a replay of the log removes the same entries at the same time.
  // For the calls that are not commands (reads, and the start of update and dispose):
  // what expiring queued goes out now, and so does a bad clock reading's report.
  #catchUp(shard: Shard<K, V>, operation: string | undefined): void {
    if (shard.nextExpiry() !== Infinity) this.#catchUpTo(shard, this.#now(), operation);
  }

  #catchUpTo(shard: Shard<K, V>, at: number, operation: string | undefined): void {
    this.#due(shard, at, operation);
    this.#out.flush();
    // The report's hook may have disposed of the cache: the call stops, as after an
    // 'expire' handler that did (see #expireBefore).
    if (operation !== undefined) this.#live(operation);
  }

  #dueAll(at: number, operation: string | undefined): void {
    for (const shard of this.#shards) this.#due(shard, at, operation);
  }

  // Every shard, then again those due by a reading taken after each pass: an 'expire'
  // handler of a later shard may have taken a while (on an exact clock), past the time
  // an earlier shard was checked at, and a read must not count an entry whose time has
  // come. The extra passes are capped (one per shard, plus one): a handler that keeps
  // making entries due (a slow refresh-on-expire) or a clock that runs back and forth
  // would otherwise keep the read going for ever; what they leave waits for the next.
  // `toTheEnd`: dispose()'s catch-up, which goes on once a handler has disposed of the
  // cache (nested dispose()); any other stops there, the cache's state being final.
  #catchUpAll(operation: string | undefined, toTheEnd = false): void {
    for (const shard of this.#shards) {
      if (!toTheEnd && this.#disposed) return;
      this.#catchUp(shard, operation);
    }
    this.#catchUpAgain(operation, !toTheEnd);
  }

  #catchUpAgain(operation: string | undefined, stopIfDisposed: boolean): void {
    for (let pass = 0; pass <= this.#shards.length; pass++) {
      if (this.#timedShards === 0) return;
      const until = this.#now();
      let expired = false;
      for (const shard of this.#shards) {
        if (stopIfDisposed && this.#disposed) return;
        if (shard.nextExpiry() > until) continue;
        expired = true;
        this.#catchUpTo(shard, until, operation);
      }
      if (!expired) return;
    }
  }

  #expire(shard: Shard<K, V>, at: number): void {
    if (this.#out.wantsCommands) this.#out.command(Object.freeze({ type: 'expire', shard: shard.id, at }));
    shard.expire(at);
    try {
      this.#applied(at);
    } catch (error) {
      // A custom policy threw while these entries expired. The expiry is a command of its
      // own, made on the way to the caller's (or by the timer): it is complete, and the
      // caller's command must still run, so the failure is reported as a throwing
      // subscriber's is rather than thrown in place of that command.
      reportError(error);
    }
  }

  // `reached`: the time the timer was armed to fire at. A checked clock that reads bad
  // just then uses it (time has reached it, or the timer would not fire), so that the
  // entries due go on time and the timer moves on, rather than waiting on a clock that
  // stands still.
  #onExpiryDue(reached: number): void {
    if (this.#disposed) return;
    const clock = this.#clock;
    const now = clock instanceof CheckedClock ? clock.nowAtLeast(reached) : this.#now();
    for (const shard of this.#shards) {
      if (shard.nextExpiry() <= now) this.#expire(shard, now); // reports a policy's failure itself
    }
    if (this.#disposed) return; // an expire handler may have disposed of the cache
    const next = this.#nextExpiry();
    // Not inside a command (this expiry's own is applied): a failed schedule() is
    // reported at once, also when advance() runs from inside a subscriber's delivery.
    if (next !== Infinity) this.#timer.arm(next, reportError);
    this.#out.flush(); // a bad clock reading's report, if nothing else went out
  }

  // A shard's last pending expiry went: if no shard has one, the timer goes, or it would
  // hold a cache nobody references, not disposed, until it fires. The shards with one
  // are counted, not asked: clear() and a one-entry shard's evictions call this once
  // per shard, which made a scan of every shard O(shards²).
  #disarmIfIdle(): void {
    if (--this.#timedShards === 0 && this.#timer.dueAt !== Infinity) this.#timer.cancel();
  }

  // The default clock is a cached Date.now() (it saves ~50 ns per command; see
  // unrefScheduler), which lags behind after long synchronous work or a clock set
  // forward (a faked Date in a test). Only an entry that can expire cares: it must never
  // be returned at or after its expiry. So while one exists, commands read the exact
  // time; a cache without one keeps the cached reading.
  #now(): number {
    return this.#timedShards === 0 ? this.#clock.now() : this.#exactNow();
  }

  #nextExpiry(): number {
    let next = Infinity;
    for (const shard of this.#shards) next = Math.min(next, shard.nextExpiry());
    return next;
  }

  static {
    delivering = (cache) => cache.#out.draining;
  }

  // The keys live at the call, each checked again when the iteration reaches it: one
  // deleted, evicted or expired meanwhile (virtual time advanced between two steps, a
  // delete in the loop's body) is skipped, so an iterator never hands out a dead entry.
  // Straight to the shard: one lookup per key (a live entry's value is never undefined),
  // and an iteration the cache's dispose() interrupts ends with the entries as left.
  // The keys are gathered at the call (not at the first step): a disposed cache throws then.
  #stillLive<T>(pick: (key: K, value: V) => T): IterableIterator<T> {
    return this.#reach(this.#liveKeys(), pick);
  }

  // An iterator, not a generator: a step refused (from a custom policy's hook) throws
  // before anything moves, where a generator that throws is over for good.
  #reach<T>(keys: readonly K[], pick: (key: K, value: V) => T): IterableIterator<T> {
    let i = 0;
    const next = (): IteratorResult<T, undefined> => {
      if (!this.#disposed) this.#notFromPolicy('iterate');
      while (i < keys.length) {
        const key = keys[i++]!;
        const shard = this.#shardFor(key);
        if (!this.#disposed) this.#catchUp(shard, undefined);
        const value = shard.peek(key);
        if (value !== undefined) return { value: pick(key, value), done: false };
      }
      return { value: undefined, done: true };
    };
    // On %IteratorPrototype%, as a Map's iterators are: [Symbol.iterator] and, where the
    // runtime has them (Node 22+, polyfills), the iterator helpers (map, take, toArray…).
    const iterator = Object.create(ITERATOR_PROTOTYPE) as IterableIterator<T>;
    iterator.next = next;
    return iterator;
  }

  #liveKeys(): K[] {
    this.#live('iterate');
    this.#catchUpAll('iterate');
    const keys: K[] = [];
    for (const shard of this.#shards) shard.forEachEntry((key) => keys.push(key));
    return keys;
  }

  #metricsFrom(counts: readonly Counts[]): MetricsSnapshot {
    return buildMetrics(counts, {
      shardCapacities: this.#shards.map((s) => s.capacity),
      latencyGet: this.#latencyGet.summary(),
      latencySet: this.#latencySet.summary(),
      lifespan: this.#lifespans.summary(),
    });
  }

  #metricsStream(): Observable<MetricsSnapshot> {
    return this.#currentThen(
      () => this.metrics(),
      (now) => this.#out.events$.pipe(countEvents(now.shards), this.#perTick(), map((counts) => this.#metricsFrom(counts))),
    );
  }

  // While someone streams snapshots, each is built reusing the frozen entries of the one
  // before that did not change (a UI over a large cache gets one every tick with changes;
  // allocating and freezing every entry each time was most of the cost). The shards keep
  // those entries only meanwhile: what left the cache is held until the next tick's
  // snapshot at most, and nothing once the last subscriber has gone.
  #snapshotStream(): Observable<CacheSnapshot<K, V>> {
    const stream = this.#currentThen(
      () => this.snapshot(),
      () => merge(...CHANGE_TYPES.map((type) => this.#out.on(type))).pipe(this.#perTick(), map(() => this.snapshot())),
    );
    return new RxObservable<CacheSnapshot<K, V>>((subscriber) => {
      this.#snapshotStreams++;
      const subscription = stream.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        if (--this.#snapshotStreams === 0) for (const shard of this.#shards) shard.forgetSnapshotEntries();
      };
    });
  }

  // `current()` at once, then what `changes` (paced per tick) emits. Not `startWith`: it
  // hands out the first value before subscribing to the changes, so what a subscriber
  // does on that value (reset a dashboard, seed an empty cache) was never seen, and
  // metrics$ stayed off from then on. The changes are subscribed to first; the first
  // value then goes out as a delivery of its own (see Outbox.handOut).
  #currentThen<T>(current: () => T, changes: (first: T) => Observable<T>): Observable<T> {
    return new RxObservable<T>((subscriber) => {
      const first = current();
      // Once the streams are closed; not in the window where a handler of dispose's own
      // final expiries disposed of the cache, whose figures are not final yet.
      if (this.#streamsClosed) {
        // Everything has been delivered: the stream ends on the final figures.
        subscriber.next(first);
        subscriber.complete();
        return undefined;
      }
      const subscription = changes(first).subscribe(subscriber);
      this.#out.handOut(subscriber, first);
      return subscription;
    });
  }

  // `auditTime(0, clock)`, except that dispose ends the window at once (no timer outlives it).
  #perTick<T>(): MonoTypeOperatorFunction<T> {
    // #disposing first: once disposed, it ends the window before the timer is even scheduled.
    return audit(() => merge(this.#disposing, this.#tick()));
  }

  // `timer(0, clock)`, except that a schedule() that throws is reported and the tick
  // ends at once: as a timer, its error would end metrics$ and snapshots$ for good
  // over one failure of the scheduler, where the expiry timer reports it and goes on.
  #tick(): Observable<unknown> {
    return new RxObservable<unknown>((subscriber) => {
      const end = (): void => {
        subscriber.next(0);
        subscriber.complete();
      };
      try {
        return this.#clock.schedule(end, 0);
      } catch (error) {
        reportError(error);
        end();
        return undefined;
      }
    });
  }

  // Not from a custom policy's hook (see PolicyCallGuard); for the calls allowed after dispose.
  #notFromPolicy(operation: string): void {
    if (this.#policyCalls.policy !== undefined) throw this.#policyCalls.refusal(operation);
  }

  #live(operation: string): void {
    if (this.#disposed) throw new CacheDisposedError(operation);
    this.#notFromPolicy(operation);
  }
}

// A shard's filter, or a RangeError that names the options that asked for one too big.
function shardFilter<K>(resolved: ResolvedOptions, capacity: number, liveKeys: () => Iterable<K>): MembershipFilter<K> {
  try {
    return createShardFilter<K>(resolved.filter, capacity, resolved.probability, liveKeys);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new RangeError(
      `macho: options "maxCacheSize" (${resolved.maxCacheSize}), "shardCount" (${resolved.shardCount}) and ` +
        `"probability" (${resolved.probability}) ask for a ${resolved.filter} filter too large for one shard ` +
        `(${error.message}); raise shardCount or probability${resolved.filter === 'bloom' ? ', or use filter: "cuckoo"' : ''}`,
      { cause: error },
    );
  }
}

// update()'s immer call, with what immer refuses made a TypeError naming the key (a
// recipe that both changed its draft and returned a value), and an async recipe
// refused: immer would hand back a promise, stored as the value, whose draft is
// revoked under it (its rejection, unhandled, ended the process). What the recipe
// returned decides, not what immer produced: a value of yours may have a then(). An
// async function always returns a native Promise.
function produceWith<K, V>(key: K, current: V, recipe: UpdateRecipe<V>): V {
  let isAsync = false;
  let next: unknown;
  try {
    next = (immer.produce as (base: V, recipe: UpdateRecipe<V>) => unknown)(current, (draft) => {
      const returned = recipe(draft);
      // Asked here, while a returned draft is live (immer revokes it once the recipe
      // ends), and handled here, since immer may refuse the result before we see it (a
      // recipe that changed its draft before its first await): the promise's outcome is
      // nobody's now, and must not end the process as an unhandled rejection.
      if (returned instanceof Promise) {
        isAsync = true;
        returned.catch(() => undefined);
      }
      return returned;
    });
  } catch (error) {
    if (isAsync) throw asyncRecipeError(key, error);
    if (error instanceof Error && error.message.startsWith('[Immer]'))
      throw new TypeError(`macho: update() of ${describe(key)}: ${error.message}`, { cause: error });
    throw error;
  }
  if (isAsync) {
    // immer 11 hands the promise back as the value (or one derived from it): handled too.
    if (next instanceof Promise) next.catch(() => undefined);
    throw asyncRecipeError(key, undefined);
  }
  return next as V;
}

function asyncRecipeError(key: unknown, cause: unknown): TypeError {
  return new TypeError(
    `macho: update() of ${describe(key)}: the recipe returned a promise (an async recipe?); a recipe must ` +
      'change its draft synchronously. Await your data first, or store a new value with set()',
    cause === undefined ? undefined : { cause },
  );
}

// "a Date", "an instance of Money": what update() could not draft.
function describeObject(value: object): string {
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  if (name === 'Date') return 'a Date';
  return name ? `an instance of ${name}` : 'an object with a custom prototype';
}
