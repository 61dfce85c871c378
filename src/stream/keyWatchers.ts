import type { Observable, Subscriber, Subscription } from 'rxjs';
import { merge } from 'rxjs';
import type { CacheEvent } from '../events.js';

/**
 * Per-key subscribers of `cache.watch(key)`. One subscription to the change events
 * serves every watcher (a `Map` lookup per change), instead of one filter per watcher
 * over every event; reads (`hit`/`miss`) are never listened to, so watching costs the
 * read path nothing.
 */
export class KeyWatchers<K, V> {
  readonly #watchers = new Map<K, Set<Watcher<V>>>();
  // The watched keys of each shard, so that a shard's 'clear' visits its own watchers
  // only: one clear() is then O(watchers), not O(watchers × shards).
  readonly #keysOfShard = new Map<number, Set<K>>();
  readonly #changes$: Observable<CacheEvent<K, V>>;
  readonly #shardOf: (key: K) => number;
  readonly #queue: QueuePositions;
  #subscription: Subscription | undefined;

  /**
   * @param changes - the cache's change events (set, delete, evict, expire, clear).
   * @param shardOf - which shard owns a key (a `clear` event names a shard).
   * @param queue - where the event delivery stands (the cache's `Outbox`): a watcher
   *   added from inside a handler skips the changes queued before it, since the value
   *   it was given at once already holds them.
   */
  constructor(changes: readonly Observable<CacheEvent<K, V>>[], shardOf: (key: K) => number, queue: QueuePositions) {
    this.#changes$ = merge(...changes);
    this.#shardOf = shardOf;
    this.#queue = queue;
  }

  /**
   * Sends `subscriber` every change of `key` queued from now on; returns the teardown.
   * Call it as soon as the first value is read and before handing it out: what the
   * subscriber does on that value is queued after this, and must reach it too.
   * @param absent - whether the first value is `undefined`.
   */
  add(key: K, subscriber: Subscriber<V | undefined>, absent: boolean): () => void {
    let set = this.#watchers.get(key);
    if (set === undefined) {
      this.#watchers.set(key, (set = new Set()));
      const shard = this.#shardOf(key);
      let keys = this.#keysOfShard.get(shard);
      if (keys === undefined) this.#keysOfShard.set(shard, (keys = new Set()));
      keys.add(key);
    }
    const watcher = new Watcher(subscriber, absent, this.#queue.position);
    set.add(watcher);
    this.#subscription ??= this.#changes$.subscribe({
      next: (event) => this.#notify(event),
      complete: () => this.#completeAll(),
    });
    return () => {
      set.delete(watcher);
      if (set.size === 0 && this.#watchers.get(key) === set) {
        this.#watchers.delete(key);
        const shard = this.#shardOf(key);
        const keys = this.#keysOfShard.get(shard);
        keys?.delete(key);
        if (keys?.size === 0) this.#keysOfShard.delete(shard);
      }
      if (this.#watchers.size === 0) {
        this.#subscription?.unsubscribe();
        this.#subscription = undefined;
      }
    };
  }

  #notify(event: CacheEvent<K, V>): void {
    const at = this.#queue.delivering;
    if (event.type === 'clear') {
      const keys = this.#keysOfShard.get(event.shard);
      if (keys === undefined) return;
      for (const key of [...keys]) {
        const set = this.#watchers.get(key);
        if (set !== undefined) for (const s of [...set]) s.next(undefined, at);
      }
      return;
    }
    const set = this.#watchers.get(event.key);
    if (set === undefined) return;
    const value = event.type === 'set' ? event.value : undefined;
    for (const s of [...set]) s.next(value, at);
  }

  #completeAll(): void {
    const all = [...this.#watchers.values()];
    this.#watchers.clear();
    this.#keysOfShard.clear();
    this.#subscription = undefined;
    for (const set of all) for (const s of set) s.subscriber.complete();
  }
}

/**
 * One `watch(key)` subscriber, and whether the last value it got was `undefined`. A key
 * that is already absent does not change when its shard is cleared: without this, a
 * watcher of an absent key (a UI showing "not loaded") would get `undefined` again.
 */
class Watcher<V> {
  readonly subscriber: Subscriber<V | undefined>;
  #absent: boolean;
  readonly #since: number;

  constructor(subscriber: Subscriber<V | undefined>, absent: boolean, since: number) {
    this.subscriber = subscriber;
    this.#absent = absent;
    this.#since = since;
  }

  /** `position`: the change's place in the delivery queue. */
  next(value: V | undefined, position: number): void {
    if (position < this.#since) return; // queued before its first value was read, which holds it
    if (value === undefined) {
      if (this.#absent) return;
      this.#absent = true;
    } else {
      this.#absent = false;
    }
    this.subscriber.next(value);
  }
}

/** Where the cache's event delivery stands: see `Outbox.position` and `Outbox.delivering`. */
export interface QueuePositions {
  /** The position the next queued event will have. */
  readonly position: number;
  /** The position of the event being delivered. */
  readonly delivering: number;
}
