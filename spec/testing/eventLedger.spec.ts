import fc from 'fast-check';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Cache, CacheEvent, CacheSnapshot, Command, MetricsSnapshot, SnapshotEntry } from 'macho';
import type { CacheOperation, OperationTarget } from 'macho/testing';
import { applyOperation, cacheOperations, checkInvariants, createVirtualCache, recordEvents } from 'macho/testing';
import { EventLedger } from '../../src/testing/eventLedger.js';

// What a cache may get wrong while every upper bound still holds (the audit's two
// injected bugs, as switches of a fake cache).
interface Bugs {
  /** Evicts once it holds this many entries (a healthy cache: its capacity). */
  readonly evictAt?: number;
  /** Removes entries this many ms before they expire. */
  readonly expireEarly?: number;
}

/**
 * A small single-shard FIFO cache with TTL on a virtual clock, shaped like a `Cache`
 * as far as recordEvents, checkInvariants and applyOperation look: healthy unless
 * given bugs. Its events, metrics and snapshots agree with one another whatever the
 * bugs, so only the checks that bound the cache from below can tell.
 */
class FakeCache implements OperationTarget<string, number> {
  readonly events$ = new Subject<CacheEvent<string, number>>();
  readonly commands$ = new Subject<Command<string, number>>();
  readonly disposed = false;
  readonly options: { readonly maxCacheSize: number; readonly shardCount: 1; readonly ttl: number; readonly scheduler: { now(): number } };
  readonly #entries = new Map<string, { value: number; expiresAt: number }>();
  readonly #counts = { hits: 0, misses: 0, sets: 0, deletes: 0, evictions: 0, expirations: 0 };
  readonly #bugs: Bugs;
  #now = 0;
  #version = 0;

  constructor(capacity: number, ttl: number, bugs: Bugs = {}) {
    this.options = { maxCacheSize: capacity, shardCount: 1, ttl, scheduler: { now: () => this.#now } };
    this.#bugs = bugs;
  }

  get cache(): Cache<string, number> {
    return this as unknown as Cache<string, number>;
  }

  get size(): number {
    this.#catchUp();
    return this.#entries.size;
  }

  advance(ms: number): number {
    const target = this.#now + ms;
    const early = this.#bugs.expireEarly ?? 0;
    // The timer: each entry at its (possibly early) time, in order.
    for (;;) {
      const due = [...this.#entries.values()].map((e) => e.expiresAt - early).filter((t) => t <= target);
      if (due.length === 0) break;
      this.#now = Math.max(this.#now, Math.min(...due));
      this.#catchUp();
    }
    this.#now = target;
    return target;
  }

  get(key: string): number | undefined {
    this.#catchUp();
    const entry = this.#entries.get(key);
    this.#command();
    if (entry === undefined) {
      this.#counts.misses++;
      this.#emit({ type: 'miss', key, shard: 0, at: this.#now });
      return undefined;
    }
    this.#counts.hits++;
    this.#emit({ type: 'hit', key, value: entry.value, shard: 0, at: this.#now });
    return entry.value;
  }

  peek(key: string): number | undefined {
    this.#catchUp();
    return this.#entries.get(key)?.value;
  }

  has(key: string): boolean {
    this.#catchUp();
    return this.#entries.has(key);
  }

  set(key: string, value: number | undefined, options?: { ttl?: number }): this {
    if (value === undefined) {
      this.delete(key);
      return this;
    }
    this.#catchUp();
    this.#command();
    const ttl = options?.ttl ?? this.options.ttl;
    const expiresAt = ttl === 0 || ttl === Infinity ? Infinity : this.#now + ttl;
    const replaced = this.#entries.has(key);
    if (!replaced && this.#entries.size >= (this.#bugs.evictAt ?? this.options.maxCacheSize)) {
      const [victim, entry] = this.#entries.entries().next().value!;
      this.#entries.delete(victim);
      this.#counts.evictions++;
      this.#emit({ type: 'evict', key: victim, value: entry.value, shard: 0, at: this.#now });
    }
    if (replaced) this.#entries.get(key)!.value = value;
    this.#entries.set(key, { value, expiresAt });
    this.#counts.sets++;
    this.#emit({ type: 'set', key, value, replaced, shard: 0, at: this.#now });
    return this;
  }

  update(key: string, recipe: (value: number) => number | undefined): number | undefined {
    this.#catchUp();
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const next = recipe(entry.value);
    if (next === undefined || Object.is(next, entry.value)) return entry.value;
    this.#command();
    entry.value = next;
    this.#counts.sets++;
    this.#emit({ type: 'set', key, value: next, replaced: true, shard: 0, at: this.#now });
    return next;
  }

  delete(key: string): boolean {
    this.#catchUp();
    this.#command();
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#counts.deletes++;
    this.#emit({ type: 'delete', key, value: entry.value, shard: 0, at: this.#now });
    return true;
  }

  clear(): void {
    this.#catchUp();
    this.#command();
    const count = this.#entries.size;
    this.#entries.clear();
    this.#emit({ type: 'clear', shard: 0, at: this.#now, count });
  }

  keys(): IterableIterator<string> {
    this.#catchUp();
    return [...this.#entries.keys()].values();
  }

  snapshot(): CacheSnapshot<string, number> {
    this.#catchUp();
    const entries = [...this.#entries].map(([key, { value, expiresAt }]): SnapshotEntry<string, number> =>
      Object.freeze(expiresAt === Infinity ? { key, value, shard: 0 } : { key, value, shard: 0, expiresAt }),
    );
    return Object.freeze({ version: this.#version, at: this.#now, size: entries.length, entries: Object.freeze(entries) });
  }

  metrics(): MetricsSnapshot {
    this.#catchUp();
    const { hits, misses } = this.#counts;
    const figures = { ...this.#counts, size: this.#entries.size, hitRatio: hits + misses === 0 ? 0 : hits / (hits + misses) };
    const shard = Object.freeze({ shard: 0, ...figures, maxSize: this.options.maxCacheSize });
    return Object.freeze({ ...figures, maxSize: this.options.maxCacheSize, shards: Object.freeze([shard]) }) as unknown as MetricsSnapshot;
  }

  // What is due now leaves, with its events (a command of its own, as in the cache).
  #catchUp(): void {
    const early = this.#bugs.expireEarly ?? 0;
    const due = [...this.#entries].filter(([, e]) => e.expiresAt - early <= this.#now);
    if (due.length === 0) return;
    this.#command();
    for (const [key, { value, expiresAt }] of due) {
      this.#entries.delete(key);
      this.#counts.expirations++;
      this.#emit({ type: 'expire', key, value, expiredAt: expiresAt, shard: 0, at: this.#now });
    }
  }

  #command(): void {
    this.#version++;
    this.commands$.next({ type: 'clear', at: this.#now });
  }

  #emit(event: CacheEvent<string, number>): void {
    this.events$.next(Object.freeze(event));
  }
}

const KEYS = ['a', 'b', 'c', 'd'];
const OPERATIONS = cacheOperations(KEYS, fc.nat(5), { maxLength: 60, maxAdvance: 120, ttl: fc.constant(undefined) });

// The README recipe, on the fake: every operation, then the invariants with a recorder.
function holdsOver(ops: readonly CacheOperation<string, number>[], bugs?: Bugs): void {
  const fake = new FakeCache(3, 100, bugs);
  const recorder = recordEvents(fake);
  for (const op of ops) {
    applyOperation(fake, op);
    const { violations } = checkInvariants(fake, { recorder });
    if (violations.length > 0) throw new Error(violations.join('\n'));
  }
}

describe('checkInvariants with a recorder: bounds from below, for any policy', () => {
  it('finds nothing wrong with the healthy fake, whatever the operations', () => {
    fc.assert(
      fc.property(OPERATIONS, (ops) => holdsOver(ops)),
      { numRuns: 300 },
    );
  });

  // Each bug passes every upper bound (size ≤ capacity, nothing expired is held, the
  // metrics agree with the events): only the new checks can fail.
  it('catches a cache of 3 that never holds more than 2 (an eviction from a shard that was not full)', () => {
    const result = fc.check(
      fc.property(OPERATIONS, (ops) => holdsOver(ops, { evictAt: 2 })),
      { numRuns: 300, seed: 7 },
    );
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/evict\("\w" = \d, shard 0, at \d+\): shard 0 held 2 of its 3 entries; only a new key in a full shard evicts/);
    // Shrunk to the three writes that make the third a wrongful eviction.
    const [ops] = result.counterexample!;
    expect(ops.map((op) => op.type)).toEqual(['set', 'set', 'set']);
  });

  it('catches a cache that lets entries expire 1 ms early', () => {
    const result = fc.check(
      fc.property(OPERATIONS, (ops) => holdsOver(ops, { expireEarly: 1 })),
      { numRuns: 300, seed: 7 },
    );
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/expire\("\w" = \d, shard 0, at (\d+), expiredAt \d+\): removed at \1, before its expiry time \d+/);
  });

  it('is what catches them: the upper bounds alone (no recorder) do not', () => {
    for (const bugs of [{ evictAt: 2 }, { expireEarly: 1 }]) {
      fc.assert(
        fc.property(OPERATIONS, (ops) => {
          const fake = new FakeCache(3, 100, bugs);
          for (const op of ops) {
            applyOperation(fake, op);
            expect(checkInvariants(fake).violations).toEqual([]);
          }
        }),
        { numRuns: 100 },
      );
    }
  });
});

describe('checkInvariants with a recorder, inside a subscriber', () => {
  it('says the recorder is behind instead of reporting false differences, and agrees once the command is done', () => {
    const { cache, dispose } = createVirtualCache<string, number>({ maxCacheSize: 2, ttl: 0 });
    let inside: readonly string[] | undefined;
    let recorder: ReturnType<typeof recordEvents<string, number>> | undefined;
    cache.on('set').subscribe((event) => {
      if (event.key !== 'a') return;
      recorder = recordEvents(cache); // fine here: it starts from the cache as it is
      cache.get('a'); // its 'hit' is queued behind the event being delivered
      inside = checkInvariants(cache, { recorder }).violations;
    });
    cache.set('a', 1);
    expect(inside).toHaveLength(1);
    expect(inside![0]).toMatch(/^the recorder is behind: 1 command\(s\) .* from inside a subscriber of the cache\?\)/);
    expect(checkInvariants(cache, { recorder: recorder! }).violations).toEqual([]);
    expect(recorder!.counts().hit).toBe(1);
    dispose();
  });
});

describe('checkInvariants with a recorder, from inside a subscriber', () => {
  it('says the recorder is behind while the events of the last command are handed out, whatever the order', () => {
    for (const recorderFirst of [true, false]) {
      const { cache, dispose } = createVirtualCache<string, number>({ maxCacheSize: 2, ttl: 0 });
      let recorder = recorderFirst ? recordEvents(cache) : undefined;
      const inside: (readonly string[])[] = [];
      cache.on('evict').subscribe(() => inside.push(checkInvariants(cache, { recorder: recorder! }).violations));
      recorder ??= recordEvents(cache);
      cache.set('a', 1).set('b', 2).set('c', 3);
      expect(inside).toHaveLength(1);
      expect(inside[0]).toHaveLength(1);
      expect(inside[0]![0]).toMatch(/^the recorder is behind: the events of the command being handed out/);
      expect(checkInvariants(cache, { recorder }).violations).toEqual([]);
      dispose();
    }
  });

  it('finds nothing wrong in the first value of watch, metrics$ or snapshots$ subscribed between commands', () => {
    const { cache, dispose } = createVirtualCache<string, number>({ maxCacheSize: 2, ttl: 0 });
    const recorder = recordEvents(cache);
    cache.set('a', 1);
    const found: (readonly string[])[] = [];
    const check = (): void => void found.push(checkInvariants(cache, { recorder }).violations);
    cache.watch('a').subscribe(check);
    cache.metrics$.subscribe(check);
    cache.snapshots$.subscribe(check);
    expect(found).toEqual([[], [], []]);
    dispose();
  });
});

describe('EventLedger', () => {
  const set = (key: string, value: number, replaced = false, at = 0): CacheEvent<string, number> => ({
    type: 'set',
    key,
    value,
    replaced,
    shard: 0,
    at,
  });
  const evict = (key: string, value: number, at = 0): CacheEvent<string, number> => ({ type: 'evict', key, value, shard: 0, at });

  it('accepts a full shard evicting one entry for one new key', () => {
    const ledger = new EventLedger<string, number>([2], []);
    for (const event of [set('a', 1), set('b', 2), evict('a', 1), set('c', 3), set('c', 4, true)]) ledger.apply(event);
    expect(ledger.problems).toEqual([]);
    expect(ledger.has('a')).toBe(false);
    expect(ledger.has('c')).toBe(true);
  });

  it('reports each broken rule, naming the event', () => {
    const cases: Array<[string, readonly CacheEvent<string, number>[], RegExp]> = [
      ['an eviction from a shard not full', [set('a', 1), evict('a', 1), set('b', 2)], /#2 evict\("a" = 1, .*held 1 of its 2 entries/],
      ['a new key in a full shard with no eviction', [set('a', 1), set('b', 2), set('c', 3)], /#3 set\("c" = 3, .*was full \(2 of 2\), with no 'evict'/],
      ['two evictions for one key', [set('a', 1), set('b', 2), evict('a', 1), evict('b', 2), set('c', 3)], /#4 evict\("b" = 2.*a second eviction/],
      ['an eviction and no new key', [set('a', 1), set('b', 2), evict('a', 1), set('b', 3, true)], /#3 evict\("a" = 1.*no new key of shard 0 followed it/],
      ['an early expiry', [set('a', 1), { type: 'expire', key: 'a', value: 1, expiredAt: 100, shard: 0, at: 99 }], /removed at 99, before its expiry time 100/],
      ['a removal of what is not there', [{ type: 'delete', key: 'z', value: 1, shard: 0, at: 0 }], /#1 delete\("z" = 1.*"z" was not live/],
      ['a hit on what is not there', [{ type: 'hit', key: 'z', value: 1, shard: 0, at: 0 }], /a hit, but "z" was not live/],
      ['a hit on another value', [set('a', 1), { type: 'hit', key: 'a', value: 2, shard: 0, at: 0 }], /a hit on 2, but the last value written is 1/],
      ['a miss on a live key', [set('a', 1), { type: 'miss', key: 'a', shard: 0, at: 0 }], /a miss, but "a" is live/],
      ['a new key that was live', [set('a', 1), set('a', 2)], /says "a" is new, but it was live/],
      ['a replaced key that was not', [set('a', 1, true)], /says it replaced a live entry, but "a" was not live/],
      ['a clear that miscounts', [set('a', 1), { type: 'clear', shard: 0, at: 0, count: 2 }], /clear\(shard 0, at 0, count 2\): the events leave 1 entries/],
      ['a key in two shards', [set('a', 1), { type: 'hit', key: 'a', value: 1, shard: 1, at: 0 }], /"a" lives in shard 0, not 1/],
    ];
    for (const [, events, expected] of cases) {
      const ledger = new EventLedger<string, number>([2, 2], []);
      for (const event of events) ledger.apply(event);
      expect(ledger.problems.join('\n')).toMatch(expected);
    }
  });

  it('compares with a snapshot: missing and extra keys, values, and the expiry it learned', () => {
    const ledger = new EventLedger<string, number>([3], [{ key: 'a', value: 1, shard: 0, expiresAt: 50 }]);
    ledger.apply(set('b', 2));
    const snapshot = (entries: SnapshotEntry<string, number>[]): CacheSnapshot<string, number> => ({
      version: 0,
      at: 0,
      size: entries.length,
      entries,
    });
    expect(ledger.compare(snapshot([{ key: 'a', value: 1, shard: 0, expiresAt: 50 }, { key: 'b', value: 2, shard: 0, expiresAt: 70 }]))).toEqual([]);
    expect(ledger.compare(snapshot([{ key: 'b', value: 9, shard: 0, expiresAt: 60 }, { key: 'z', value: 0, shard: 0 }]))).toEqual([
      'snapshot() holds "b" = 9, but the last value written is 2',
      'snapshot() holds "z", but "z" was not live (no \'set\' event since the recording began, or an event removed it)',
      `"a" is missing from snapshot(), but no event removed it ('evict', 'expire', 'delete' or 'clear'): an entry leaves only with an event that says why`,
    ]);
    expect(ledger.compare(snapshot([{ key: 'a', value: 1, shard: 0, expiresAt: 50 }, { key: 'b', value: 2, shard: 0, expiresAt: 80 }]))).toEqual([
      'snapshot() says "b" expires at 80, but it said 70 before, with no write since',
    ]);
    ledger.apply({ type: 'expire', key: 'a', value: 1, expiredAt: 60, shard: 0, at: 60 });
    expect(ledger.problems).toEqual([
      'event #2 expire("a" = 1, shard 0, at 60, expiredAt 60): says it expired at 60, but snapshot() showed it expiring at 50',
    ]);
  });
});
