/**
 * Reference models of the frequency- and queue-based eviction policies (LFU, MFU,
 * SIEVE, S3-FIFO), and the model-based harness their specs share.
 *
 * Like `models.ts`, each model is deliberately naive: plain arrays scanned linearly,
 * the policy written the way its paper states it, so that it is obviously correct by
 * reading it. Unlike those, these models also know time (entries set with a TTL
 * expire), since removals by expiry move a SIEVE hand or free room in an S3-FIFO queue.
 *
 * @module
 */

import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { expect } from 'vitest';
import type { Command, PolicyFactory, StrategyName } from 'macho';
import { Cache } from 'macho';
import { assertInvariants } from 'macho/testing';
import { advance, sameValueZero } from './models.js';

/** One live entry of a {@link PolicyModel}. */
export interface TimedEntry<K, V> {
  key: K;
  value: V;
  /** `Infinity`: never. */
  expiresAt: number;
}

/** What a model's `set` reports: the entry it evicted, if any. */
export type Evicted<K, V> = { key: K; value: V } | undefined;

/**
 * The cache semantics every policy shares, on a plain array: TTL (an entry set at `t`
 * with TTL `d` is gone from `t + d` on), overwrites, delete, clear, capacity. What is
 * left to a policy: what a new entry, an access and a removal do to its own
 * bookkeeping, and which entry is the victim.
 *
 * Expired entries are dropped before every operation, as the shard does.
 */
export abstract class PolicyModel<K, V, E extends TimedEntry<K, V> = TimedEntry<K, V>> {
  /** Live entries, in insertion order (oldest first). */
  protected readonly live: E[] = [];
  /** The model's clock, in ms. */
  now = 0;

  constructor(readonly capacity: number) {}

  /** Makes the entry for a new key; {@link inserted} is called once it is live. */
  protected abstract create(key: K, value: V, expiresAt: number): E;
  /** `entry` has just been added to {@link live} (at the end). */
  protected abstract inserted(entry: E): void;
  /** `entry` was read by `get`, or written again by `set` or `update`. */
  protected abstract touched(entry: E): void;
  /** `entry` is about to leave (delete, expiry or eviction); it is still in {@link live}. */
  protected abstract removing(entry: E): void;
  /** The entry to evict now (the model is full). May change the policy's bookkeeping. */
  protected abstract chooseVictim(): E;
  /** Every entry left. */
  protected abstract cleared(): void;
  /** A new key is requested, before any eviction makes room for it. */
  protected admitting(_key: K): void {}

  get size(): number {
    this.expire();
    return this.live.length;
  }

  keys(): K[] {
    this.expire();
    return this.live.map((e) => e.key);
  }

  /** Live entries, after expiry; read-only view for rule checks. */
  entries(): readonly E[] {
    this.expire();
    return this.live;
  }

  /** Moves the clock forward. */
  advance(ms: number): void {
    this.now += ms;
  }

  /** True when writing `key` now must evict exactly one entry. */
  mustEvictFor(key: K): boolean {
    this.expire();
    return this.#find(key) === undefined && this.live.length >= this.capacity;
  }

  get(key: K): V | undefined {
    this.expire();
    const entry = this.#find(key);
    if (entry === undefined) return undefined;
    this.touched(entry);
    return entry.value;
  }

  peek(key: K): V | undefined {
    this.expire();
    return this.#find(key)?.value;
  }

  has(key: K): boolean {
    this.expire();
    return this.#find(key) !== undefined;
  }

  /**
   * Writes `key` with a TTL (`0`: never expires).
   * @returns the entry evicted to make room, if any.
   */
  set(key: K, value: V, ttl = 0): Evicted<K, V> {
    this.expire();
    const expiresAt = ttl === 0 ? Infinity : this.now + ttl;
    const existing = this.#find(key);
    if (existing !== undefined) {
      existing.value = value;
      existing.expiresAt = expiresAt;
      this.touched(existing);
      return undefined;
    }
    this.admitting(key);
    let evicted: Evicted<K, V>;
    if (this.live.length >= this.capacity) {
      const victim = this.chooseVictim();
      evicted = { key: victim.key, value: victim.value };
      this.#remove(victim);
    }
    const entry = this.create(key, value, expiresAt);
    this.live.push(entry);
    this.inserted(entry);
    return evicted;
  }

  /** Replaces the value of a live entry, keeping its expiry. */
  update(key: K, next: (value: V) => V): V | undefined {
    this.expire();
    const entry = this.#find(key);
    if (entry === undefined) return undefined;
    entry.value = next(entry.value);
    this.touched(entry);
    return entry.value;
  }

  delete(key: K): boolean {
    this.expire();
    const entry = this.#find(key);
    if (entry === undefined) return false;
    this.#remove(entry);
    return true;
  }

  clear(): void {
    this.live.length = 0;
    this.cleared();
  }

  /** Drops every entry whose time has come. */
  protected expire(): void {
    for (const entry of this.live.filter((e) => e.expiresAt <= this.now)) this.#remove(entry);
  }

  #find(key: K): E | undefined {
    return this.live.find((e) => sameValueZero(e.key, key));
  }

  #remove(entry: E): void {
    this.removing(entry);
    this.live.splice(this.live.indexOf(entry), 1);
  }
}

// ── LFU and MFU ───────────────────────────────────────────────────────────────────────

/** An entry with a use count and the tick of its last touch. */
export interface CountedEntry<K, V> extends TimedEntry<K, V> {
  /** 1 when set, +1 for each hit or overwrite. */
  count: number;
  /** When it was last inserted, hit or overwritten (a counter, not the clock). */
  touchedAt: number;
}

abstract class CountingModel<K, V> extends PolicyModel<K, V, CountedEntry<K, V>> {
  #tick = 0;

  protected create(key: K, value: V, expiresAt: number): CountedEntry<K, V> {
    return { key, value, expiresAt, count: 1, touchedAt: this.#tick++ };
  }
  protected inserted(): void {}
  protected touched(entry: CountedEntry<K, V>): void {
    entry.count++;
    entry.touchedAt = this.#tick++;
  }
  protected removing(): void {}
  protected cleared(): void {}

  /** The use count of `key`, or `undefined` when it is not live. */
  countOf(key: K): number | undefined {
    return this.entries().find((e) => sameValueZero(e.key, key))?.count;
  }

  /** The live entry that `better` ranks first, ties going to the least recently touched. */
  protected pick(better: (a: number, b: number) => boolean): CountedEntry<K, V> {
    let best = this.live[0]!;
    for (const entry of this.live)
      if (better(entry.count, best.count) || (entry.count === best.count && entry.touchedAt < best.touchedAt))
        best = entry;
    return best;
  }
}

/** LFU: the fewest uses goes; among those, the least recently touched. */
export class LfuModel<K, V> extends CountingModel<K, V> {
  protected chooseVictim(): CountedEntry<K, V> {
    return this.pick((a, b) => a < b);
  }
}

/** MFU: the most uses goes; among those, the least recently touched. */
export class MfuModel<K, V> extends CountingModel<K, V> {
  protected chooseVictim(): CountedEntry<K, V> {
    return this.pick((a, b) => a > b);
  }
}

// ── SIEVE ─────────────────────────────────────────────────────────────────────────────

/** An entry of the SIEVE queue. */
export interface SieveEntry<K, V> extends TimedEntry<K, V> {
  visited: boolean;
}

/**
 * SIEVE as the paper's Algorithm 1 states it. The queue is {@link live} itself: index 0
 * is the tail (oldest), the last index the head (newest); the hand is an entry, or
 * `undefined` for "start at the tail".
 */
export class SieveModel<K, V> extends PolicyModel<K, V, SieveEntry<K, V>> {
  #hand: SieveEntry<K, V> | undefined;

  /** The key under the hand, or `undefined` when the next eviction starts at the tail. */
  handKey(): K | undefined {
    this.expire();
    return this.#hand?.key;
  }

  /**
   * The live entries in the order the next eviction looks at them: from the hand to the
   * head, then from the tail up to the hand.
   */
  scanOrder(): readonly SieveEntry<K, V>[] {
    this.expire();
    const start = this.#hand === undefined ? 0 : this.live.indexOf(this.#hand);
    return [...this.live.slice(start), ...this.live.slice(0, start)];
  }

  protected create(key: K, value: V, expiresAt: number): SieveEntry<K, V> {
    return { key, value, expiresAt, visited: false };
  }
  protected inserted(): void {}
  protected touched(entry: SieveEntry<K, V>): void {
    entry.visited = true;
  }
  protected removing(entry: SieveEntry<K, V>): void {
    // The hand's entry leaves: the hand goes where it would have gone next.
    if (entry === this.#hand) this.#hand = this.live[this.live.indexOf(entry) + 1];
  }
  protected chooseVictim(): SieveEntry<K, V> {
    let i = this.#hand === undefined ? 0 : this.live.indexOf(this.#hand);
    while (this.live[i]!.visited) {
      this.live[i]!.visited = false;
      i = (i + 1) % this.live.length;
    }
    this.#hand = this.live[i + 1];
    return this.live[i]!;
  }
  protected cleared(): void {
    this.#hand = undefined;
  }
}

// ── S3-FIFO ───────────────────────────────────────────────────────────────────────────

/** An entry of S3-FIFO: which queue it is in, and its 2-bit counter. */
export interface S3FifoEntry<K, V> extends TimedEntry<K, V> {
  queue: 'small' | 'main';
  frequency: number;
}

/**
 * S3-FIFO (SOSP 2023) on three arrays, oldest first: the small and main queues and the
 * ghost keys. The small queue's share is 10% of the capacity (at least 1), the main
 * queue's the rest, the ghost remembers as many keys as the main queue holds (at least 1).
 */
export class S3FifoModel<K, V> extends PolicyModel<K, V, S3FifoEntry<K, V>> {
  readonly smallShare: number;
  readonly mainShare: number;
  readonly ghostSize: number;
  readonly small: S3FifoEntry<K, V>[] = [];
  readonly main: S3FifoEntry<K, V>[] = [];
  readonly ghost: K[] = [];

  constructor(capacity: number) {
    super(capacity);
    this.smallShare = Math.max(1, Math.floor(capacity / 10));
    this.mainShare = capacity - this.smallShare;
    this.ghostSize = Math.max(1, this.mainShare);
  }

  /** Which queue `key` is in, or `undefined` when it is not live. */
  queueOf(key: K): 'small' | 'main' | undefined {
    return this.entries().find((e) => sameValueZero(e.key, key))?.queue;
  }

  /** True when the ghost remembers `key`. */
  inGhost(key: K): boolean {
    return this.ghost.some((k) => sameValueZero(k, key));
  }

  protected create(key: K, value: V, expiresAt: number): S3FifoEntry<K, V> {
    return { key, value, expiresAt, queue: 'small', frequency: 0 };
  }
  // The ghost is consulted when the key is requested, before the eviction that makes
  // room (which may push a key into the ghost and the oldest one out).
  #remembered = false;
  protected override admitting(key: K): void {
    const g = this.ghost.findIndex((k) => sameValueZero(k, key));
    this.#remembered = g >= 0;
    if (g >= 0) this.ghost.splice(g, 1);
  }
  protected inserted(entry: S3FifoEntry<K, V>): void {
    entry.queue = this.#remembered ? 'main' : 'small';
    this[entry.queue].push(entry);
  }
  protected touched(entry: S3FifoEntry<K, V>): void {
    entry.frequency = Math.min(3, entry.frequency + 1);
  }
  protected removing(entry: S3FifoEntry<K, V>): void {
    const queue = this[entry.queue];
    queue.splice(queue.indexOf(entry), 1);
  }
  protected chooseVictim(): S3FifoEntry<K, V> {
    if (this.small.length >= this.smallShare || this.main.length === 0) {
      while (this.small.length > 0) {
        const tail = this.small[0]!;
        if (tail.frequency <= 1) {
          this.ghost.push(tail.key);
          if (this.ghost.length > this.ghostSize) this.ghost.shift();
          return tail;
        }
        // Accessed more than once: to the main queue, counter cleared.
        this.small.shift();
        tail.queue = 'main';
        tail.frequency = 0;
        this.main.push(tail);
      }
    }
    for (;;) {
      const tail = this.main[0]!;
      if (tail.frequency === 0) return tail;
      tail.frequency--;
      this.main.push(this.main.shift()!);
    }
  }
  protected cleared(): void {
    this.small.length = 0;
    this.main.length = 0;
    this.ghost.length = 0;
  }
}

// ── The model-based harness ───────────────────────────────────────────────────────────

type AnyModel = PolicyModel<string, number, TimedEntry<string, number>>;

/** The real side of a model-based run. */
export interface Real {
  cache: Cache<string, number>;
  scheduler: VirtualTimeScheduler;
  /** Evictions reported by `on('evict')` since the last command took them. */
  evicted: { key: string; value: number }[];
}

/** A cache of `strategy` on a virtual clock, with no default TTL. */
export function policyCache(
  strategy: StrategyName | PolicyFactory,
  maxCacheSize: number,
  scheduler = new VirtualTimeScheduler(),
): Cache<string, number> {
  return new Cache<string, number>({ maxCacheSize, strategy, ttl: 0, scheduler });
}

/** A fresh model and cache, the cache's evictions recorded. */
export function setupRun<M extends AnyModel>(strategy: StrategyName | PolicyFactory, model: M): { model: M; real: Real } {
  const scheduler = new VirtualTimeScheduler();
  const cache = policyCache(strategy, model.capacity, scheduler);
  const evicted: Real['evicted'] = [];
  cache.on('evict').subscribe((e) => evicted.push({ key: e.key, value: e.value }));
  return { model, real: { cache, scheduler, evicted } };
}

/**
 * A policy rule checked on every eviction: called before a `set` that must evict, it
 * looks at the model as it is then and returns a check of the key the cache evicted.
 */
export type EvictionRule<M> = (model: M, incoming: string) => (victim: string) => void;

/**
 * One command of a model-based run, for policy-specific commands passed to
 * {@link policyCommands}: `apply` acts on both sides; the contents are compared after.
 */
export function modelStep<M extends AnyModel>(
  label: string,
  apply: (model: M, real: Real) => void,
): fc.Command<M, Real> {
  return new Step(label, apply);
}

/** One command of a model-based run: `apply` acts on both sides and compares. */
class Step<M extends AnyModel> implements fc.Command<M, Real> {
  constructor(
    readonly label: string,
    readonly apply: (model: M, real: Real) => void,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: M, real: Real): void {
    this.apply(model, real);
    expect(real.evicted).toEqual([]);
    expect(real.cache.size).toBe(model.size);
    expect(real.cache.size).toBeLessThanOrEqual(model.capacity);
    expect(new Set(real.cache.keys())).toEqual(new Set(model.keys()));
  }
  toString(): string {
    return this.label;
  }
}

/**
 * The commands of a model-based run over `keys`: set (with and without a TTL), get,
 * peek, has, update, delete, time passing, clear, and any `extra` ones. Every `set`
 * that evicts must evict exactly the model's victim, with its value, and pass `rule`.
 */
export function policyCommands<M extends AnyModel>(
  keys: readonly string[],
  rule?: EvictionRule<M>,
  extra: fc.WeightedArbitrary<fc.Command<M, Real>>[] = [],
): fc.Arbitrary<fc.Command<M, Real>>[] {
  const key = fc.constantFrom(...keys);
  const value = fc.integer({ min: 0, max: 99 });
  const ttl = fc.constantFrom(5, 10, 20);
  const write = (k: string, v: number, t: number | undefined) => (model: M, real: Real) => {
    const check = model.mustEvictFor(k) ? rule?.(model, k) : undefined;
    const expected = model.set(k, v, t);
    real.cache.set(k, v, t === undefined ? undefined : { ttl: t });
    const evicted = real.evicted.splice(0);
    expect(evicted).toEqual(expected === undefined ? [] : [expected]);
    if (check !== undefined && evicted[0] !== undefined) check(evicted[0].key);
  };
  const step = (label: string, apply: (model: M, real: Real) => void) => new Step<M>(label, apply);
  const set = fc.tuple(key, value).map(([k, v]) => step(`set(${k}, ${v})`, write(k, v, undefined)));
  const setWithTtl = fc
    .tuple(key, value, ttl)
    .map(([k, v, t]) => step(`set(${k}, ${v}, { ttl: ${t} })`, write(k, v, t)));
  const get = key.map((k) => step(`get(${k})`, (model, real) => expect(real.cache.get(k)).toBe(model.get(k))));
  const peek = key.map((k) => step(`peek(${k})`, (model, real) => expect(real.cache.peek(k)).toBe(model.peek(k))));
  const has = key.map((k) => step(`has(${k})`, (model, real) => expect(real.cache.has(k)).toBe(model.has(k))));
  const update = key.map((k) =>
    step(`update(${k}, +1)`, (model, real) =>
      expect(real.cache.update(k, (v) => v + 1)).toBe(model.update(k, (v) => v + 1)),
    ),
  );
  const remove = key.map((k) =>
    step(`delete(${k})`, (model, real) => expect(real.cache.delete(k)).toBe(model.delete(k))),
  );
  const wait = fc.integer({ min: 1, max: 15 }).map((ms) =>
    step(`advance(${ms})`, (model, real) => {
      model.advance(ms);
      advance(real.scheduler, ms);
    }),
  );
  const clear = fc.constant(
    step('clear()', (model, real) => {
      model.clear();
      real.cache.clear();
    }),
  );
  // Weighted towards writes and hits, which drive the policies; clear is rare, since it
  // resets everything a run has built up.
  return [
    fc.oneof(
      { weight: 6, arbitrary: set },
      { weight: 1, arbitrary: setWithTtl },
      { weight: 5, arbitrary: get },
      { weight: 1, arbitrary: peek },
      { weight: 1, arbitrary: has },
      { weight: 1, arbitrary: update },
      { weight: 2, arbitrary: remove },
      { weight: 1, arbitrary: wait },
      { weight: 1, arbitrary: clear },
      ...extra,
    ),
  ];
}

/**
 * Runs `commands` on a fresh model and cache, then checks the cache-wide invariants
 * (metrics agree with the contents, snapshot consistent), that the recorded command
 * log replays to the same snapshot (the policy is deterministic), and disposes of the
 * caches.
 */
export function runModel<M extends AnyModel>(
  strategy: StrategyName | PolicyFactory,
  makeModel: () => M,
  commands: Iterable<fc.Command<M, Real>>,
): void {
  let real: Real | undefined;
  const log: Command<string, number>[] = [];
  fc.modelRun(() => {
    const run = setupRun(strategy, makeModel());
    run.real.cache.commands$.subscribe((command) => log.push(command));
    real = run.real;
    return run;
  }, commands);
  if (real === undefined) return;
  assertInvariants(real.cache);
  const snapshot = real.cache.snapshot();
  const replayed = Cache.replay<string, number>(log, {
    maxCacheSize: real.cache.options.maxCacheSize,
    strategy,
    ttl: 0,
    scheduler: new VirtualTimeScheduler(),
  });
  expect(replayed.snapshot()).toEqual(snapshot);
  replayed.dispose();
  real.cache.dispose();
}
