/**
 * Tiny reference models of the eviction policies, for model-based tests.
 *
 * Each model is deliberately naive (a plain array scanned linearly), so that it is
 * obviously correct by reading it; speed does not matter here. Keys compare with
 * SameValueZero, as `Map` (and the cache) do.
 *
 * @module
 */

import type { VirtualTimeScheduler } from 'rxjs';

/** `Map`'s key equality: `===`, except that `NaN` equals `NaN`. */
export function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/** Moves virtual time forward by `ms`, running the timers due by then and no others. */
export function advance(scheduler: VirtualTimeScheduler, ms: number): void {
  scheduler.maxFrames = scheduler.now() + ms;
  scheduler.schedule(() => {}, ms);
  scheduler.flush();
}

/** One entry of a model: a key and its value. */
export interface ModelEntry<K, V> {
  key: K;
  value: V;
}

/**
 * A bounded cache whose entries sit in an array, oldest position first; the victim is
 * always `entries[0]`. The subclasses differ only in which operations move an entry
 * to the end (the "newest" position).
 */
abstract class OrderedModel<K, V> {
  /** Entries, from the next victim (index 0) to the newest. */
  readonly entries: ModelEntry<K, V>[] = [];

  constructor(readonly capacity: number) {}

  /** Does `get` move the entry to the newest position? */
  protected abstract readonly refreshOnGet: boolean;
  /** Does overwriting an existing key move it to the newest position? */
  protected abstract readonly refreshOnSet: boolean;

  get size(): number {
    return this.entries.length;
  }

  keys(): K[] {
    return this.entries.map((e) => e.key);
  }

  /** The key that the next eviction removes, or `undefined` when empty. */
  nextVictim(): K | undefined {
    return this.entries[0]?.key;
  }

  get(key: K): V | undefined {
    const i = this.#indexOf(key);
    if (i < 0) return undefined;
    const entry = this.entries[i]!;
    if (this.refreshOnGet) this.#moveToEnd(i);
    return entry.value;
  }

  peek(key: K): V | undefined {
    const i = this.#indexOf(key);
    return i < 0 ? undefined : this.entries[i]!.value;
  }

  has(key: K): boolean {
    return this.#indexOf(key) >= 0;
  }

  /**
   * Writes `key`; `undefined` as a value deletes it, as lru-cache and the cache do.
   * @returns the evicted key, if the write evicted one.
   */
  set(key: K, value: V | undefined): { evicted: K } | undefined {
    if (value === undefined) {
      this.delete(key);
      return undefined;
    }
    const i = this.#indexOf(key);
    if (i >= 0) {
      this.entries[i]!.value = value;
      if (this.refreshOnSet) this.#moveToEnd(i);
      return undefined;
    }
    let evicted: { evicted: K } | undefined;
    if (this.entries.length >= this.capacity) evicted = { evicted: this.entries.shift()!.key };
    this.entries.push({ key, value });
    return evicted;
  }

  delete(key: K): boolean {
    const i = this.#indexOf(key);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    return true;
  }

  clear(): void {
    this.entries.length = 0;
  }

  #indexOf(key: K): number {
    return this.entries.findIndex((e) => sameValueZero(e.key, key));
  }

  #moveToEnd(i: number): void {
    const [entry] = this.entries.splice(i, 1);
    this.entries.push(entry!);
  }
}

/** LRU: `get` and `set` (new or existing key) make a key the most recent; `peek`/`has` do not. */
export class LruModel<K, V> extends OrderedModel<K, V> {
  protected readonly refreshOnGet = true;
  protected readonly refreshOnSet = true;
}

/** FIFO: insertion order only; reads and overwrites keep an entry's place. */
export class FifoModel<K, V> extends OrderedModel<K, V> {
  protected readonly refreshOnGet = false;
  protected readonly refreshOnSet = false;
}

/**
 * A bounded cache that cannot predict its victim (Random, or any policy under test):
 * the test tells it which key was evicted, and it checks that this was allowed.
 */
export class UnorderedModel<K, V> {
  /** Entries in insertion order (oldest first). */
  readonly entries: ModelEntry<K, V>[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.length;
  }

  keys(): K[] {
    return this.entries.map((e) => e.key);
  }

  get(key: K): V | undefined {
    return this.entries.find((e) => sameValueZero(e.key, key))?.value;
  }

  has(key: K): boolean {
    return this.entries.some((e) => sameValueZero(e.key, key));
  }

  /** True when writing `key` now must evict exactly one entry. */
  mustEvictFor(key: K): boolean {
    return !this.has(key) && this.entries.length >= this.capacity;
  }

  /**
   * Writes `key` after removing `evicted` (the key the cache reported as its victim).
   * @throws Error when the report breaks the rules: an eviction that was not needed,
   *   a missing one, or a victim that was not present.
   * @returns the position (0 = oldest insertion) the victim had, or -1 if none.
   */
  set(key: K, value: V | undefined, evicted: readonly K[]): number {
    if (value === undefined) {
      if (evicted.length !== 0) throw new Error('a delete evicted something');
      this.delete(key);
      return -1;
    }
    const existing = this.entries.find((e) => sameValueZero(e.key, key));
    if (existing !== undefined) {
      if (evicted.length !== 0) throw new Error('an overwrite evicted something');
      existing.value = value;
      return -1;
    }
    let position = -1;
    if (this.entries.length >= this.capacity) {
      if (evicted.length !== 1) throw new Error(`a full cache evicted ${evicted.length} keys for one new key`);
      position = this.entries.findIndex((e) => sameValueZero(e.key, evicted[0]));
      if (position < 0) throw new Error(`the victim ${String(evicted[0])} was not in the cache`);
      this.entries.splice(position, 1);
    } else if (evicted.length !== 0) {
      throw new Error('a cache with room evicted something');
    }
    this.entries.push({ key, value });
    return position;
  }

  delete(key: K): boolean {
    const i = this.entries.findIndex((e) => sameValueZero(e.key, key));
    if (i < 0) return false;
    this.entries.splice(i, 1);
    return true;
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** True when `actual` and `expected` hold the same keys (SameValueZero), ignoring order and repeats. */
export function sameKeySet(actual: Iterable<unknown>, expected: Iterable<unknown>): boolean {
  const a = new Set(actual);
  const b = new Set(expected);
  if (a.size !== b.size) return false;
  for (const key of a) if (!b.has(key)) return false;
  return true;
}
