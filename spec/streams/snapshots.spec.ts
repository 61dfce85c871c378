import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheSnapshot, MetricsSnapshot } from 'macho';
import { Cache } from 'macho';
import type { Driven, Key, Value } from '../fixtures/ops.js';
import { opsArb, optionsArb } from '../fixtures/ops.js';
import { advance, tick, virtualClock } from '../fixtures/virtualTime.js';
import { canGc, collect } from '../../bench/gc.js';

function expectDeeplyFrozen(snapshot: CacheSnapshot): void {
  expect(Object.isFrozen(snapshot)).toBe(true);
  expect(Object.isFrozen(snapshot.entries)).toBe(true);
  for (const entry of snapshot.entries) expect(Object.isFrozen(entry)).toBe(true);
}

describe('streams: snapshot()', () => {
  it('is frozen, never changes afterwards, and is the same object while nothing changes', () => {
    fc.assert(
      fc.property(optionsArb, opsArb({ maxCommands: 40 }), (options, ops) => {
        const scheduler = virtualClock();
        const cache = new Cache<Key, Value>({ ...options, scheduler });
        // Every snapshot taken along the way, with a deep copy made when it was taken.
        const taken: Array<[CacheSnapshot<Key, Value>, unknown]> = [];
        const driven: Driven = {
          cache,
          scheduler,
          afterEach() {
            const snapshot = cache.snapshot();
            expectDeeplyFrozen(snapshot);
            expect(cache.snapshot()).toBe(snapshot); // memoised: nothing changed in between
            cache.peek('a');
            cache.has('b');
            expect(cache.snapshot()).toBe(snapshot); // peek and has are not commands
            expect(snapshot.size).toBe(snapshot.entries.length);
            taken.push([snapshot, structuredClone(snapshot)]);
          },
        };
        fc.modelRun(() => ({ model: {}, real: driven }), ops);
        for (const [snapshot, copy] of taken) expect(snapshot).toEqual(copy);
        // Versions only go up, and a new version is a new object.
        for (let i = 1; i < taken.length; i++) {
          const [previous] = taken[i - 1]!;
          const [current] = taken[i]!;
          expect(current.version).toBeGreaterThanOrEqual(previous.version);
          if (current.version !== previous.version) expect(current).not.toBe(previous);
          else expect(current).toBe(previous);
        }
        cache.dispose();
      }),
      { numRuns: 100 },
    );
  });

  it('counts commands in version and keeps the time of the last one in at', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 0, scheduler });
    expect(cache.snapshot()).toEqual({ version: 0, at: 0, size: 0, entries: [] });
    advance(scheduler, 5);
    cache.set('a', 1);
    advance(scheduler, 5);
    cache.get('a');
    const snapshot = cache.snapshot();
    expect(snapshot).toEqual({ version: 2, at: 10, size: 1, entries: [{ key: 'a', value: 1, shard: 0 }] });
    // A no-op update is not a write: the same snapshot.
    cache.update('a', () => {});
    expect(cache.snapshot()).toBe(snapshot);
  });

  it.each(['clear', 'eviction', 'delete'])(
    'a snapshot nobody holds any more does not keep what left the cache alive (%s)',
    async (how) => {
      expect(canGc).toBe(true);
      const cache = new Cache<string, object>({ maxCacheSize: 1, ttl: 0 });
      const gone = new WeakRef(store(cache));
      cache.snapshot(); // taken and dropped at once, e.g. by a debug endpoint
      if (how === 'clear') cache.clear();
      else if (how === 'eviction') cache.set('b', {});
      else cache.delete('a');
      // A WeakRef's target lives at least until the current job ends.
      await new Promise((resolve) => setImmediate(resolve));
      collect();
      expect(gone.deref()).toBeUndefined();
      cache.dispose();
    },
  );
});

describe('streams: snapshots while snapshots$ is subscribed reuse unchanged entries', () => {
  // One op: a key from a small pool (NaN included), and what to do with it.
  type Stored = { n: number } | number;
  type ReuseOp =
    | { kind: 'set'; key: number; n: number; ttl?: number }
    | { kind: 'setNumber'; key: number; value: number } // 0 and -0 differ in a snapshot
    | { kind: 'reset'; key: number; ttl?: number } // the very same value object again
    | { kind: 'update' | 'delete'; key: number }
    | { kind: 'advance'; ms: number }
    | { kind: 'clear' };
  const keyArb = fc.constantFrom(1, 2, 3, 4, Number.NaN);
  const ttlArb = fc.option(fc.constantFrom(0, 5, 20), { nil: undefined });
  const opArb: fc.Arbitrary<ReuseOp> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), key: keyArb, n: fc.integer({ min: 0, max: 9 }), ttl: ttlArb }, { requiredKeys: ['kind', 'key', 'n'] }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('reset' as const), key: keyArb, ttl: ttlArb }, { requiredKeys: ['kind', 'key'] }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('setNumber' as const), key: keyArb, value: fc.constantFrom(0, -0, Number.NaN, 1) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('update' as const, 'delete' as const), key: keyArb }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 15 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  );

  function apply(cache: Cache<number, Stored>, op: ReuseOp): void {
    switch (op.kind) {
      case 'set':
        cache.set(op.key, { n: op.n }, op.ttl === undefined ? undefined : { ttl: op.ttl });
        break;
      case 'setNumber':
        cache.set(op.key, op.value);
        break;
      case 'reset': {
        const current = cache.peek(op.key);
        if (current !== undefined) cache.set(op.key, current, op.ttl === undefined ? undefined : { ttl: op.ttl });
        break;
      }
      case 'update':
        if (typeof cache.peek(op.key) === 'object') cache.update(op.key, (draft) => void ((draft as { n: number }).n += 1));
        break;
      case 'delete':
        cache.delete(op.key);
        break;
      case 'clear':
        cache.clear();
        break;
      case 'advance':
        break;
    }
  }

  it('equal, entry for entry, to snapshots built afresh (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(opArb, { maxLength: 60, size: 'max' }), (shardCount, ops) => {
        const make = () => {
          const scheduler = virtualClock();
          return { scheduler, cache: new Cache<number, Stored>({ maxCacheSize: 4, shardCount, ttl: 30, scheduler }) };
        };
        const streamed = make();
        const plain = make();
        let emitted: CacheSnapshot<number, Stored> | undefined;
        const subscription = streamed.cache.snapshots$.subscribe((snapshot) => (emitted = snapshot));
        for (const op of ops) {
          for (const { cache, scheduler } of [streamed, plain]) {
            // The same value objects in both caches would hide nothing: values are compared deeply.
            apply(cache, op);
            if (op.kind === 'advance') advance(scheduler, op.ms);
            else tick(scheduler);
          }
          expect(emitted!.entries).toEqual(plain.cache.snapshot().entries);
          expect(streamed.cache.snapshot().entries).toEqual(plain.cache.snapshot().entries);
          expectDeeplyFrozen(streamed.cache.snapshot());
        }
        subscription.unsubscribe();
        streamed.cache.dispose();
        plain.cache.dispose();
      }),
      { numRuns: 300 },
    );
  });

  it('hands out the same frozen object for an entry that did not change, a new one for one that did', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, { n: number }>({ maxCacheSize: 10, ttl: 0, scheduler });
    const emitted: CacheSnapshot<string, { n: number }>[] = [];
    const subscription = cache.snapshots$.subscribe((snapshot) => emitted.push(snapshot));
    cache.set('a', { n: 1 }).set('b', { n: 2 });
    tick(scheduler);
    const value = cache.peek('b')!;
    cache.set('b', value, { ttl: 50 }); // the same value, now with an expiry
    tick(scheduler);
    const [before, after] = emitted.slice(-2) as [CacheSnapshot<string, { n: number }>, CacheSnapshot<string, { n: number }>];
    expect(after.entries[0]).toBe(before.entries[0]);
    expect(after.entries[1]).not.toBe(before.entries[1]);
    expect(after.entries[1]).toEqual({ key: 'b', value, shard: 0, expiresAt: 50 });
    // Values told apart as a snapshot built afresh tells them: 0 then -0 is a change.
    const numbers = new Cache<string, number>({ maxCacheSize: 2, ttl: 0, scheduler });
    let last: CacheSnapshot<string, number> | undefined;
    const watching = numbers.snapshots$.subscribe((snapshot) => (last = snapshot));
    numbers.set('z', 0);
    tick(scheduler);
    numbers.set('z', -0);
    tick(scheduler);
    expect(Object.is(last!.entries[0]!.value, -0)).toBe(true);
    watching.unsubscribe();
    numbers.dispose();
    subscription.unsubscribe();
    cache.dispose();
  });

  it.each(['while subscribed, after the next tick', 'once unsubscribed'])(
    'keeps nothing alive that left the cache (%s)',
    async (when) => {
      expect(canGc).toBe(true);
      const scheduler = virtualClock();
      const cache = new Cache<string, object>({ maxCacheSize: 2, ttl: 0, scheduler });
      const subscription = cache.snapshots$.subscribe(() => {});
      const gone = new WeakRef(store(cache));
      tick(scheduler); // a snapshot with 'a' in it
      cache.delete('a');
      if (when === 'once unsubscribed') subscription.unsubscribe();
      else tick(scheduler); // the next snapshot no longer holds it
      await new Promise((resolve) => setImmediate(resolve));
      collect();
      expect(gone.deref()).toBeUndefined();
      subscription.unsubscribe();
      cache.dispose();
    },
  );
});

describe('streams: snapshot() memory', () => {
  it('keeps no snapshot of an earlier version alive, even within one synchronous run', async () => {
    expect(canGc).toBe(true);
    const cache = new Cache<number, number[]>({ maxCacheSize: 100, ttl: 0 });
    for (let i = 0; i < 100; i++) cache.set(i, new Array<number>(100).fill(i));
    let finalised = 0;
    const registry = new FinalizationRegistry(() => void finalised++);
    // All in one job: a snapshot held only through a WeakRef would live until the job ends.
    for (let i = 0; i < 50; i++) {
      registry.register(cache.snapshot(), i);
      cache.set(i, [i]); // a change: the next snapshot is a new one
    }
    collect(); // still inside the job
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(finalised).toBeGreaterThanOrEqual(49);
    cache.dispose();
  });
});

// In a function of its own, so that no local of the test holds the value.
function store(cache: Cache<string, object>): object {
  const value = { payload: new Array<number>(1_000).fill(1) };
  cache.set('a', value);
  return value;
}

describe('streams: snapshots$ and metrics$ keep to the pace of the scheduler', () => {
  it('snapshots$: the current snapshot at once, then at most one per tick', () => {
    const scheduler = virtualClock();
    const cache = new Cache<number, number>({ maxCacheSize: 1_000, ttl: 50, scheduler });
    cache.set(0, 0);
    const emitted: CacheSnapshot<number, number>[] = [];
    cache.snapshots$.subscribe((snapshot) => emitted.push(snapshot));
    expect(emitted).toEqual([cache.snapshot()]);

    for (let i = 1; i <= 100; i++) cache.set(i, i);
    expect(emitted).toHaveLength(1);
    tick(scheduler);
    expect(emitted).toHaveLength(2);
    expect(emitted[1]).toBe(cache.snapshot());
    expect(emitted[1]!.size).toBe(101);

    // Nothing changed: nothing emitted. Reads are not changes.
    cache.get(1);
    cache.peek(2);
    tick(scheduler);
    expect(emitted).toHaveLength(2);

    // The expiry timer's clean-up is a change like any other: one snapshot for it.
    advance(scheduler, 50);
    expect(emitted).toHaveLength(3);
    expect(emitted[2]!.size).toBe(0);
    expect(emitted[2]!.at).toBe(50);
    cache.dispose();
  });

  it('metrics$: the current metrics at once, then at most one per tick, equal to metrics()', () => {
    const scheduler = virtualClock();
    const cache = new Cache<number, number>({ maxCacheSize: 10, ttl: 0, scheduler, latencySampleEvery: 0 });
    cache.set(0, 0).get(0);
    const emitted: MetricsSnapshot[] = [];
    cache.metrics$.subscribe((metrics) => emitted.push(metrics));
    expect(emitted).toEqual([cache.metrics()]);

    for (let i = 0; i < 50; i++) {
      cache.set(i, i);
      cache.get(i + 1);
    }
    cache.delete(45);
    expect(emitted).toHaveLength(1);
    tick(scheduler);
    expect(emitted).toHaveLength(2);
    expect(emitted[1]).toEqual(cache.metrics());
    expect(Object.isFrozen(emitted[1])).toBe(true);
    expect(emitted[1]).toMatchObject({ sets: 51, hits: 1, misses: 50, evictions: 40, deletes: 1, size: 9 });
    tick(scheduler);
    expect(emitted).toHaveLength(2);
    cache.dispose();
  });

  it('in a random run: no emission but at a tick, at most one per tick, and always the current figures', () => {
    fc.assert(
      fc.property(optionsArb, opsArb({ maxCommands: 40 }), (options, ops) => {
        const scheduler = virtualClock();
        const cache = new Cache<Key, Value>({ ...options, scheduler, latencySampleEvery: 0 });
        const list = [...ops];
        // Where each emission happened: at subscription, during operation i, or in the tick after it.
        let phase = 'subscribe';
        const emissions: Array<{ stream: string; phase: string; at: number }> = [];
        let metrics: MetricsSnapshot | undefined;
        let snapshot: CacheSnapshot<Key, Value> | undefined;
        cache.metrics$.subscribe((m) => {
          metrics = m;
          emissions.push({ stream: 'metrics', phase, at: scheduler.now() });
        });
        cache.snapshots$.subscribe((s) => {
          snapshot = s;
          emissions.push({ stream: 'snapshots', phase, at: scheduler.now() });
        });
        let index = 0;
        phase = 'op 0';
        const driven: Driven = {
          cache,
          scheduler,
          afterEach() {
            phase = `tick ${index}`;
            tick(scheduler);
            expect(metrics).toEqual(cache.metrics());
            expect(snapshot!.entries).toEqual(cache.snapshot().entries);
            phase = `op ${++index}`;
          },
        };
        fc.modelRun(() => ({ model: {}, real: driven }), list);
        for (const stream of ['metrics', 'snapshots']) {
          const mine = emissions.filter((e) => e.stream === stream);
          expect(mine.filter((e) => e.phase === 'subscribe')).toHaveLength(1);
          list.forEach((op, i) => {
            expect(mine.filter((e) => e.phase === `tick ${i}`).length).toBeLessThanOrEqual(1);
            const during = mine.filter((e) => e.phase === `op ${i}`).map((e) => e.at);
            // Only advancing time runs ticks (the expiry timer's): one emission per instant at most.
            if (!String(op).startsWith('advance')) expect(during).toEqual([]);
            else expect(new Set(during).size).toBe(during.length);
          });
        }
        cache.dispose();
      }),
      { numRuns: 100 },
    );
  });
});
