import fc from 'fast-check';
import { config } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CacheEvent, CacheEventType } from 'macho';
import { Cache, EVENT_TYPES, shardOf } from 'macho';
import type { Driven, Key, Value } from '../fixtures/ops.js';
import { KEYS, opsArb, optionsArb } from '../fixtures/ops.js';
import { virtualClock } from '../fixtures/virtualTime.js';

/**
 * Within a describe: a collector stands in for RxJS's `config.onUnhandledError` hook
 * around each test (`setUp` runs after it is installed, `tearDown` before it goes).
 */
function collectReports(setUp: () => void, tearDown: () => void): { readonly reported: unknown[] } {
  const collected = { reported: [] as unknown[] };
  let previous: typeof config.onUnhandledError;
  beforeEach(() => {
    collected.reported = [];
    previous = config.onUnhandledError;
    config.onUnhandledError = (error) => collected.reported.push(error);
    setUp();
  });
  afterEach(() => {
    tearDown();
    config.onUnhandledError = previous;
  });
  return collected;
}

describe('streams: a subscriber that throws', () => {
  // RxJS reports an error thrown by a subscriber through `config.onUnhandledError`, on
  // a later `setTimeout` tick: a collector stands in for the hook, and that tick runs
  // on vitest's fake timers, so no real time passes.
  const reports = collectReports(
    () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }),
    () => vi.useRealTimers(),
  );

  it('breaks neither the cache nor the other subscribers', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 0, scheduler });
    const boom = new Error('subscriber failed');
    const before: string[] = [];
    const after: string[] = [];
    const commands: string[] = [];
    const evicted: string[] = [];
    cache.events$.subscribe((event) => before.push(`${event.type}:${String(event.key)}`));
    cache.events$.subscribe(() => {
      throw boom;
    });
    cache.on('evict').subscribe(() => {
      throw boom;
    });
    cache.commands$.subscribe(() => {
      throw boom;
    });
    cache.watch('a').subscribe(() => {
      throw boom;
    });
    cache.events$.subscribe((event) => after.push(`${event.type}:${String(event.key)}`));
    cache.commands$.subscribe((command) => commands.push(command.type));
    cache.on('evict').subscribe((event) => evicted.push(event.key));

    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(cache.get('b')).toBe(2);
    expect(cache.delete('c')).toBe(true);

    const expected = ['set:a', 'set:b', 'evict:a', 'set:c', 'hit:b', 'delete:c'];
    expect(before).toEqual(expected);
    expect(after).toEqual(expected);
    expect(commands).toEqual(['set', 'set', 'set', 'get', 'delete']);
    expect(evicted).toEqual(['a']);
    expect([...cache.entries()]).toEqual([['b', 2]]);
    expect(cache.metrics()).toMatchObject({ sets: 3, hits: 1, evictions: 1, deletes: 1, size: 1 });

    vi.runAllTimers();
    // events$ ×6, evict ×1, commands$ ×5, watch ×3 (initial, set, evict)
    expect(reports.reported).toHaveLength(15);
    expect(reports.reported.every((error) => error === boom)).toBe(true);
  });

  it('does not stop its own subscription or the snapshot and metrics streams', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 0, scheduler });
    let calls = 0;
    cache.on('set').subscribe(() => {
      calls++;
      throw new Error('again');
    });
    const snapshots: number[] = [];
    cache.snapshots$.subscribe((snapshot) => snapshots.push(snapshot.size));
    cache.set('a', 1);
    scheduler.flush();
    cache.set('b', 2);
    scheduler.flush();
    expect(calls).toBe(2);
    expect(snapshots).toEqual([0, 1, 2]);
    vi.runAllTimers();
    expect(reports.reported).toHaveLength(2);
  });
});

describe("streams: a subscriber that throws, under RxJS's deprecated synchronous error handling", () => {
  // In that mode RxJS captures a subscriber's error only inside its own error context
  // (Subject.next, subscribe) and rethrows it at the end; outside one it is dropped.
  const reports = collectReports(
    () => (config.useDeprecatedSynchronousErrorHandling = true),
    () => (config.useDeprecatedSynchronousErrorHandling = false),
  );

  it('reports what an events$, on() or commands$ subscriber throws; the others get every event', () => {
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 0, scheduler: virtualClock() });
    const boom = new Error('subscriber failed');
    const events: string[] = [];
    const sets: string[] = [];
    const commands: string[] = [];
    cache.on('set').subscribe(() => {
      throw boom;
    });
    cache.events$.subscribe((event) => {
      if (event.type === 'evict') throw boom;
    });
    cache.commands$.subscribe((command) => {
      if (command.type === 'get') throw boom;
    });
    cache.events$.subscribe((event) => events.push(`${event.type}:${String(event.key)}`));
    cache.on('set').subscribe((event) => sets.push(event.key));
    cache.commands$.subscribe((command) => commands.push(command.type));
    expect(() => cache.set('a', 1).set('b', 2).set('c', 3).get('c')).not.toThrow();
    expect(events).toEqual(['set:a', 'set:b', 'evict:a', 'set:c', 'hit:c']);
    expect(sets).toEqual(['a', 'b', 'c']);
    expect(commands).toEqual(['set', 'set', 'set', 'get']);
    expect(reports.reported).toEqual([boom, boom, boom, boom, boom]); // 3 sets, 1 evict, 1 get
  });

  it('a snapshots$ or metrics$ subscriber that throws on the figures dispose() hands out is reported; dispose() still completes', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    const boom = new Error('subscriber failed');
    const completed: string[] = [];
    let snapshots = 0;
    cache.snapshots$.subscribe({
      next: () => {
        if (snapshots++ > 0) throw boom; // not on the first, delivered during subscribe()
      },
      complete: () => completed.push('snapshots$'),
    });
    cache.events$.subscribe({ complete: () => completed.push('events$') });
    cache.set('a', 1); // a change: the next snapshot waits for the tick, or for dispose
    expect(() => cache.dispose()).not.toThrow();
    expect(completed.sort()).toEqual(['events$', 'snapshots$']);
    expect(reports.reported).toEqual([boom]);
  });

  it('a complete handler that throws is reported, and dispose() still completes every other stream', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    const boom = new Error('complete failed');
    const completed: string[] = [];
    cache.on('hit').subscribe({
      complete: () => {
        throw boom;
      },
    });
    cache.events$.subscribe({ complete: () => completed.push('events$') });
    cache.commands$.subscribe({ complete: () => completed.push('commands$') });
    cache.on('set').subscribe({ complete: () => completed.push('set') });
    expect(() => cache.dispose()).not.toThrow();
    expect(completed.sort()).toEqual(['commands$', 'events$', 'set']);
    expect(reports.reported).toEqual([boom]);
    expect(cache.disposed).toBe(true);
  });
});

describe('streams: on(type)', () => {
  it('delivers exactly the events of that type, in the order of events$', () => {
    fc.assert(
      fc.property(optionsArb, opsArb({ maxCommands: 40 }), (options, ops) => {
        const scheduler = virtualClock();
        const cache = new Cache<Key, Value>({ ...options, scheduler });
        const all: CacheEvent<Key, Value>[] = [];
        cache.events$.subscribe((event) => all.push(event));
        const byType = new Map<CacheEventType, CacheEvent<Key, Value>[]>();
        for (const type of EVENT_TYPES) {
          const seen: CacheEvent<Key, Value>[] = [];
          byType.set(type, seen);
          cache.on(type).subscribe((event) => seen.push(event));
        }
        const driven: Driven = { cache, scheduler };
        fc.modelRun(() => ({ model: {}, real: driven }), ops);
        for (const type of EVENT_TYPES) {
          const seen = byType.get(type)!;
          expect(seen.every((event) => event.type === type)).toBe(true);
          expect(seen).toEqual(all.filter((event) => event.type === type));
        }
        // DESIGN.md: every event carries key, shard and at (a clear's key is undefined).
        for (const event of all) expect(Object.keys(event)).toEqual(expect.arrayContaining(['type', 'key', 'shard', 'at']));
        cache.dispose();
      }),
      { numRuns: 100 },
    );
  });
});

describe('streams: watch(key)', () => {
  it('emits the current value, then the value after each change of that key', () => {
    fc.assert(
      fc.property(optionsArb, opsArb({ maxCommands: 40 }), fc.subarray([...KEYS]), (options, ops, watched) => {
        const scheduler = virtualClock();
        const cache = new Cache<Key, Value>({ ...options, scheduler });
        const shardCount = options.shardCount ?? 1;
        const expected = new Map<Key, Array<Value | undefined>>();
        const received = new Map<Key, Array<Value | undefined>>();
        // The expectation, from the change events of each watched key: a removal is a
        // change only if the key had a value.
        const removed = (values: Array<Value | undefined>) => {
          if (values[values.length - 1] !== undefined) values.push(undefined);
        };
        cache.events$.subscribe((event) => {
          for (const [key, values] of expected) {
            if (event.type === 'clear') {
              if (shardOf(key, shardCount) === event.shard) removed(values);
            } else if (event.key === key) {
              if (event.type === 'set') values.push(event.value);
              else if (event.type !== 'hit' && event.type !== 'miss') removed(values);
            }
          }
        });
        const completed = new Set<Key>();
        const driven: Driven = { cache, scheduler };
        // Watch from the middle of the run, after whatever the first ops did.
        const list = [...ops];
        const half = Math.floor(list.length / 2);
        fc.modelRun(() => ({ model: {}, real: driven }), list.slice(0, half));
        for (const key of watched) {
          expected.set(key, [cache.peek(key)]);
          received.set(key, []);
          cache.watch(key).subscribe({
            next: (value) => received.get(key)!.push(value),
            complete: () => completed.add(key),
          });
        }
        fc.modelRun(() => ({ model: {}, real: driven }), list.slice(half));
        for (const key of watched) expect(received.get(key)).toEqual(expected.get(key));
        expect(completed.size).toBe(0);
        cache.dispose();
        expect([...completed]).toEqual(watched);
      }),
      { numRuns: 100 },
    );
  });

  it('maps set to the value and delete, evict, expire and clear to undefined', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 0, scheduler });
    cache.set('a', 0);
    const values: Array<number | undefined> = [];
    let complete = false;
    const subscription = cache.watch('a').subscribe({ next: (v) => values.push(v), complete: () => (complete = true) });
    cache.set('a', 1); // set
    cache.update('a', (n) => n + 1); // update (a set)
    cache.get('a'); // a read is no change
    cache.delete('a'); // delete
    cache.set('a', 3);
    cache.set('b', 4).get('b');
    cache.set('c', 5); // evicts 'a', the least recently used
    cache.set('a', 6, { ttl: 10 });
    scheduler.flush(); // expires
    cache.set('a', 7);
    cache.clear(); // clear
    expect(values).toEqual([0, 1, 2, undefined, 3, undefined, 6, undefined, 7, undefined]);
    expect(complete).toBe(false);
    subscription.unsubscribe();
    cache.set('a', 8);
    expect(values).toHaveLength(10);
  });

  it('does not repeat undefined for a key that is already absent', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    const values: Array<number | undefined> = [];
    cache.watch('x').subscribe((v) => values.push(v));
    cache.set('y', 1);
    cache.clear(); // 'x' was absent: no change
    cache.set('x', 2);
    cache.clear();
    cache.clear();
    expect(values).toEqual([undefined, 2, undefined]);
  });

  it('emits undefined at once for a missing key, and completes on dispose', () => {
    const cache = new Cache<string, number>({ scheduler: virtualClock() });
    const values: Array<number | undefined> = [];
    let complete = false;
    cache.watch('x').subscribe({ next: (v) => values.push(v), complete: () => (complete = true) });
    expect(values).toEqual([undefined]);
    cache.dispose();
    expect(complete).toBe(true);
  });

  it('several watchers of one key and of other keys each get their own changes', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    const a1: Array<number | undefined> = [];
    const a2: Array<number | undefined> = [];
    const b: Array<number | undefined> = [];
    cache.watch('a').subscribe((v) => a1.push(v));
    const second = cache.watch('a').subscribe((v) => a2.push(v));
    cache.watch('b').subscribe((v) => b.push(v));
    cache.set('a', 1);
    second.unsubscribe();
    cache.set('a', 2).set('b', 3);
    expect(a1).toEqual([undefined, 1, 2]);
    expect(a2).toEqual([undefined, 1]);
    expect(b).toEqual([undefined, 3]);
  });
});
