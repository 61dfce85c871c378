import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheSnapshot, MetricsSnapshot } from 'macho';
import { Cache } from 'macho';
import type { Driven, Key, Value } from '../fixtures/ops.js';
import { KEYS, opsArb, optionsArb } from '../fixtures/ops.js';
import { advance, pendingActions, tick, virtualClock } from '../fixtures/virtualTime.js';

// watch(key), metrics$ and snapshots$ each give a first value at once. A subscriber
// that calls back into the cache on that value (seed a missing key, reset a
// dashboard) must see what its call changed, as it would from any later value.

/** What a subscriber may do to the cache from its handler. */
type Action = 'set' | 'setWatched' | 'delete' | 'deleteWatched' | 'get' | 'clear' | 'update';

interface Act {
  action: Action;
  key: Key;
  n: number;
}

const actionArb: fc.Arbitrary<Act> = fc.record({
  action: fc.constantFrom<Action>('set', 'setWatched', 'delete', 'deleteWatched', 'get', 'clear', 'update'),
  key: fc.constantFrom(...KEYS),
  n: fc.nat(99),
});

function act(cache: Cache<Key, Value>, { action, key, n }: Act, watched: Key): void {
  switch (action) {
    case 'set':
      cache.set(key, { n });
      break;
    case 'setWatched':
      cache.set(watched, { n });
      break;
    case 'delete':
      cache.delete(key);
      break;
    case 'deleteWatched':
      cache.delete(watched);
      break;
    case 'get':
      cache.get(key);
      break;
    case 'clear':
      cache.clear();
      break;
    case 'update':
      cache.update(key, (draft) => void (draft.n += 1));
      break;
  }
}

describe('streams: watch(key) and its first value', () => {
  it('sees a change its own subscriber makes on receiving the first value', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    const seen: (number | undefined)[] = [];
    cache.watch('k').subscribe((v) => {
      seen.push(v);
      if (v === undefined) cache.set('k', 1);
    });
    cache.set('other', 5);
    expect(cache.peek('k')).toBe(1);
    expect(seen).toEqual([undefined, 1]);
  });

  it('hands the change over after the first value, not in the middle of it', () => {
    // A subscriber that acts before it renders ends on the value the cache holds.
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    const rendered: (number | undefined)[] = [];
    cache.watch('k').subscribe((v) => {
      if (v === undefined) cache.set('k', 1);
      rendered.push(v);
    });
    expect(rendered).toEqual([undefined, 1]);
  });

  it('started from inside an on(set) handler, sees the change its first-value handler makes', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    const seen: (number | undefined)[] = [];
    let started = false;
    cache.on('set').subscribe((event) => {
      if (started || event.key !== 'trigger') return;
      started = true;
      cache.watch('k').subscribe((v) => {
        seen.push(v);
        if (v === undefined) cache.set('k', 1);
      });
    });
    cache.set('trigger', 0);
    expect(cache.peek('k')).toBe(1);
    expect(seen).toEqual([undefined, 1]);
    cache.set('k', 2);
    expect(seen).toEqual([undefined, 1, 2]);
  });

  it('started from a handler, still skips the changes queued before it (the first value holds them)', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    const seen: (number | undefined)[] = [];
    cache.events$.subscribe(() => {}); // queues the events of every command
    cache.on('set').subscribe((event) => {
      if (event.key !== 'trigger') return;
      cache.set('k', 1); // queued behind this delivery: the watch below must not get it again
      cache.watch('k').subscribe((v) => {
        seen.push(v);
        if (v === 1) cache.delete('k');
      });
    });
    cache.set('trigger', 0);
    expect(seen).toEqual([1, undefined]);
    expect(cache.has('k')).toBe(false);
  });

  it('a first-value handler that disposes of the cache: the watch completes, after what was applied', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    const seen: string[] = [];
    cache.watch('k').subscribe({
      next: (v) => {
        seen.push(String(v));
        if (v === undefined) {
          cache.set('k', 1);
          cache.dispose();
        }
      },
      complete: () => seen.push('|'),
    });
    expect(seen).toEqual(['undefined', '1', '|']);
  });

  it('started from a handler, a first-value handler that disposes of the cache: the watch still completes', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 0, scheduler });
    const seen: string[] = [];
    cache.on('set').subscribe((event) => {
      if (event.key !== 'trigger') return;
      cache.watch('k').subscribe({
        next: (v) => {
          seen.push(String(v));
          if (v !== undefined) return;
          cache.set('k', 1);
          cache.dispose();
        },
        complete: () => seen.push('|'),
      });
    });
    cache.set('trigger', 0);
    expect(seen).toEqual(['undefined', '1', '|']);
    expect(cache.disposed).toBe(true);
    expect(pendingActions(scheduler)).toBe(0);
  });

  it('in a random run, a watcher whose handler calls back into the cache always ends on peek(key), never repeating undefined', () => {
    fc.assert(
      fc.property(
        optionsArb,
        opsArb({ maxCommands: 25 }),
        fc.constantFrom(...KEYS),
        fc.array(actionArb, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (options, ops, watched, actions, fromHandler) => {
          const scheduler = virtualClock();
          const cache = new Cache<Key, Value>({ ...options, scheduler });
          const seen: (Value | undefined)[] = [];
          let budget = actions.length;
          const start = () =>
            cache.watch(watched).subscribe((value) => {
              seen.push(value);
              // The first values: what a handler does may cause further values.
              if (budget > 0) act(cache, actions[actions.length - budget--]!, watched);
            });
          if (fromHandler) {
            let started = false;
            cache.events$.subscribe(() => {
              if (!started) {
                started = true;
                start();
              }
            });
          } else {
            start();
          }
          const driven: Driven = {
            cache,
            scheduler,
            afterEach() {
              if (seen.length === 0) return;
              const now = cache.peek(watched); // first: a read may expire the key, which the watcher then gets
              expect(seen.at(-1)).toEqual(now);
              for (let i = 1; i < seen.length; i++) if (seen[i] === undefined) expect(seen[i - 1]).not.toBeUndefined();
            },
          };
          fc.modelRun(() => ({ model: {}, real: driven }), ops);
          cache.dispose();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('streams: metrics$ and snapshots$ and their first value', () => {
  it('metrics$ counts what its subscriber does on the first value', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 0, scheduler });
    cache.set('a', 1).set('b', 2).set('c', 3);
    let last: MetricsSnapshot | undefined;
    let first = true;
    cache.metrics$.subscribe((m) => {
      last = m;
      if (first) {
        first = false;
        cache.clear();
      }
    });
    cache.set('d', 4);
    scheduler.flush();
    expect(cache.metrics()).toMatchObject({ size: 1, sets: 4 });
    expect(last).toEqual(cache.metrics());
  });

  it('snapshots$ shows what its subscriber does on the first value', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 0, scheduler });
    const sizes: number[] = [];
    cache.snapshots$.subscribe((s) => {
      sizes.push(s.size);
      if (s.size === 0) cache.set('seed', 1);
    });
    tick(scheduler);
    expect(cache.size).toBe(1);
    expect(sizes).toEqual([0, 1]);
  });

  it('subscribed from inside a handler, both still count and show their first-value changes once', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 0, scheduler });
    let metrics: MetricsSnapshot | undefined;
    let snapshot: CacheSnapshot<string, number> | undefined;
    cache.on('evict').subscribe(() => {
      cache.metrics$.subscribe((m) => {
        if (metrics === undefined) cache.set('m', 1);
        metrics = m;
      });
      cache.snapshots$.subscribe((s) => {
        if (snapshot === undefined) cache.delete('m');
        snapshot = s;
      });
    });
    cache.set('a', 1).set('b', 2).set('c', 3);
    tick(scheduler);
    expect(metrics).toEqual(cache.metrics());
    expect(snapshot).toBe(cache.snapshot());
  });

  it('a first-value handler that disposes of the cache: both complete with the final figures, no timer left', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 0, scheduler });
    const seen: string[] = [];
    cache.metrics$.subscribe({
      next: (m) => {
        seen.push(`sets=${m.sets}`);
        if (m.sets === 0) {
          cache.set('a', 1);
          cache.dispose();
        }
      },
      complete: () => seen.push('|'),
    });
    expect(seen).toEqual(['sets=0', 'sets=1', '|']);
    expect(pendingActions(scheduler)).toBe(0);
  });

  it('subscribed after dispose, both give the final figures, then complete', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    cache.set('a', 1);
    cache.dispose();
    const seen: unknown[] = [];
    cache.metrics$.subscribe({ next: (m) => seen.push(m.sets), complete: () => seen.push('|') });
    cache.snapshots$.subscribe({ next: (s) => seen.push(s.size), complete: () => seen.push('|') });
    expect(seen).toEqual([1, '|', 1, '|']);
  });

  it('in a random run, subscribers that run commands from their handlers always end agreeing with metrics() and snapshot()', () => {
    fc.assert(
      fc.property(
        optionsArb,
        opsArb({ maxCommands: 25 }),
        fc.array(actionArb, { minLength: 1, maxLength: 4 }),
        fc.array(actionArb, { minLength: 1, maxLength: 4 }),
        fc.nat(3),
        (options, ops, onMetrics, onSnapshots, startAfter) => {
          const scheduler = virtualClock();
          const cache = new Cache<Key, Value>({ ...options, scheduler, latencySampleEvery: 0 });
          let metrics: MetricsSnapshot | undefined;
          let snapshot: CacheSnapshot<Key, Value> | undefined;
          let metricsBudget = onMetrics.length;
          let snapshotsBudget = onSnapshots.length;
          const start = () => {
            cache.metrics$.subscribe((m) => {
              metrics = m;
              if (metricsBudget > 0) act(cache, onMetrics[onMetrics.length - metricsBudget--]!, 'a');
            });
            cache.snapshots$.subscribe((s) => {
              snapshot = s;
              if (snapshotsBudget > 0) act(cache, onSnapshots[onSnapshots.length - snapshotsBudget--]!, 'b');
            });
          };
          let index = 0;
          const driven: Driven = {
            cache,
            scheduler,
            afterEach() {
              if (index++ === startAfter) start();
              tick(scheduler);
              if (metrics === undefined) return;
              expect(metrics).toEqual(cache.metrics());
              // Reads move the version on but are no change: snapshots$ shows changes.
              expect(snapshot!.entries).toEqual(cache.snapshot().entries);
            },
          };
          fc.modelRun(() => ({ model: {}, real: driven }), ops);
          advance(scheduler, 0);
          cache.dispose();
        },
      ),
      { numRuns: 200 },
    );
  });
});
