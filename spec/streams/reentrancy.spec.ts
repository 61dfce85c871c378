import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheEventType, Command } from 'macho';
import { Cache } from 'macho';
import type { Driven, Key, Value } from '../fixtures/ops.js';
import { KEYS, opsArb, optionsArb } from '../fixtures/ops.js';
import type { Tally } from '../fixtures/tally.js';
import { count, countsOf, padded } from '../fixtures/tally.js';
import { advance, pendingActions, tick, virtualClock } from '../fixtures/virtualTime.js';

/** What a re-entrant subscriber does when it sees an event (or a command) of type `on`. */
interface Reaction {
  on: CacheEventType | 'command';
  action: 'set' | 'delete' | 'get' | 'peek' | 'has' | 'size' | 'keys' | 'snapshot' | 'update' | 'clear';
  /** Which key, relative to the event's key in the pool. */
  offset: number;
}

const reactionArb: fc.Arbitrary<Reaction> = fc.record({
  on: fc.constantFrom<Reaction['on']>('set', 'hit', 'miss', 'delete', 'evict', 'expire', 'clear', 'command'),
  action: fc.constantFrom<Reaction['action']>(
    'set',
    'set',
    'delete',
    'get',
    'peek',
    'has',
    'size',
    'keys',
    'snapshot',
    'update',
    'clear',
  ),
  offset: fc.nat(KEYS.length - 1),
});

/** Re-entrant calls allowed per top-level operation: reactions may trigger reactions. */
const BUDGET = 6;

describe('streams: re-entrant subscribers', () => {
  it('keep every invariant: capacity, size = live entries, metrics = events, log = application order', () => {
    fc.assert(
      fc.property(
        optionsArb,
        fc.array(reactionArb, { minLength: 1, maxLength: 4 }),
        opsArb({ maxCommands: 40 }),
        (options, reactions, ops) => {
          const scheduler = virtualClock();
          const cache = new Cache<Key, Value>({ ...options, scheduler });
          const shardCount = options.shardCount ?? 1;
          const capacity = cache.metrics().maxSize;
          const failures: string[] = [];
          let budget = BUDGET;

          const react = (type: Reaction['on'], key: Key | undefined): void => {
            for (const reaction of reactions) {
              if (reaction.on !== type || budget <= 0) continue;
              budget--;
              const index = key === undefined ? 0 : Math.max(0, KEYS.indexOf(key));
              const target = KEYS[(index + reaction.offset) % KEYS.length]!;
              switch (reaction.action) {
                case 'set':
                  cache.set(target, { n: 10_000 + budget });
                  break;
                case 'delete':
                  cache.delete(target);
                  break;
                case 'get':
                case 'peek':
                case 'has':
                  cache[reaction.action](target);
                  break;
                case 'size':
                  void cache.size;
                  break;
                case 'keys':
                  void [...cache.keys()];
                  break;
                case 'snapshot':
                  cache.snapshot();
                  break;
                case 'update':
                  cache.update(target, (draft) => {
                    draft.n += 1;
                  });
                  break;
                case 'clear':
                  cache.clear();
                  break;
              }
              // Whatever the handler did, the cache it sees is consistent.
              const size = cache.size;
              const live = [...cache.keys()].length;
              if (size > capacity) failures.push(`size ${size} > capacity ${capacity} inside a ${type} handler`);
              if (size !== live) failures.push(`size ${size} but ${live} live keys inside a ${type} handler`);
            }
          };

          // The re-entrant subscriber first, the observers after it.
          cache.events$.subscribe((event) => react(event.type, event.key));
          cache.commands$.subscribe((command) => react('command', 'key' in command ? command.key : undefined));
          const tallies: Tally[] = [];
          cache.events$.subscribe((event) => count(tallies, event));
          const log: Command<Key, Value>[] = [];
          cache.commands$.subscribe((command) => log.push(command));

          const driven: Driven = {
            cache,
            scheduler,
            afterEach() {
              budget = BUDGET;
              expect(failures).toEqual([]);
              const keys = [...cache.keys()];
              budget = BUDGET;
              const metrics = cache.metrics();
              expect(cache.size).toBe(keys.length);
              expect(metrics.size).toBe(keys.length);
              expect(cache.snapshot().size).toBe(keys.length);
              expect(metrics.size).toBeLessThanOrEqual(capacity);
              for (const shard of metrics.shards) expect(shard.size).toBeLessThanOrEqual(shard.maxSize);
              expect(countsOf(metrics)).toEqual(padded(tallies, shardCount));
            },
          };
          fc.modelRun(() => ({ model: {}, real: driven }), ops);

          // The log is in application order: replaying it rebuilds the same cache.
          const snapshot = cache.snapshot();
          const replayed = Cache.replay(log, { ...options, scheduler: virtualClock() });
          expect(replayed.snapshot()).toEqual(snapshot);
          expect(countsOf(replayed.metrics())).toEqual(countsOf(cache.metrics()));
          cache.dispose();
          replayed.dispose();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('streams: events come after the state change', () => {
  it('inside an evict handler the new entry is in and the size is within capacity', () => {
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 0, scheduler: virtualClock() });
    const seen: Array<{ size: number; hasNew: boolean; hasVictim: boolean; value: number | undefined }> = [];
    cache.on('evict').subscribe((event) => {
      seen.push({ size: cache.size, hasNew: cache.has('c'), hasVictim: cache.has(event.key), value: cache.peek('c') });
    });
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(seen).toEqual([{ size: 2, hasNew: true, hasVictim: false, value: 3 }]);
  });

  it('a re-entrant set from an evict handler cannot overflow the capacity', () => {
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 0, scheduler: virtualClock() });
    const sizes: number[] = [];
    let rounds = 0;
    cache.on('evict').subscribe((event) => {
      sizes.push(cache.size);
      if (rounds++ < 3) cache.set(`${event.key}'`, event.value);
      sizes.push(cache.size);
    });
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
    expect(cache.size).toBe(2);
    expect(cache.metrics()).toMatchObject({ evictions: 4, size: 2 });
  });

  it('set, delete and expire handlers see the state after the command', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 10, scheduler });
    const seen: string[] = [];
    cache.events$.subscribe((event) => {
      if (event.type === 'clear') seen.push(`clear size=${cache.size}`);
      else seen.push(`${event.type} ${event.key} has=${String(cache.has(event.key))} peek=${String(cache.peek(event.key))}`);
    });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.delete('a');
    advance(scheduler, 10);
    cache.set('c', 3);
    cache.clear();
    expect(seen).toEqual([
      'set a has=true peek=1',
      'set b has=true peek=2',
      'delete a has=false peek=undefined',
      'expire b has=false peek=undefined',
      'set c has=true peek=3',
      'clear size=0',
    ]);
  });

  it('events of a re-entrant command come after those of the command that caused them, in order', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtualClock() });
    const order: string[] = [];
    cache.commands$.subscribe((command) => order.push(`command ${command.type} ${'key' in command ? command.key : ''}`));
    cache.events$.subscribe((event) => {
      order.push(`event ${event.type} ${event.key ?? ''}`);
      if (event.type === 'set' && event.key === 'a') cache.set('b', 2);
    });
    cache.set('a', 1);
    expect(order).toEqual(['command set a', 'event set a', 'command set b', 'event set b']);
  });
});

describe('streams: subscribing from inside a handler', () => {
  // A subscriber that joins while earlier commands' events are still being handed out
  // starts from the cache as it is: it must not be given those events again.
  it('starts from the cache as it is: metrics$ = metrics(), a late tally adds up, watch ends on peek', () => {
    fc.assert(
      fc.property(
        optionsArb,
        fc.constantFrom<CacheEventType>('set', 'evict', 'delete', 'clear', 'expire', 'hit'),
        fc.nat(5),
        fc.constantFrom(...KEYS),
        opsArb({ maxCommands: 30 }),
        (options, joinOn, skip, watched, ops) => {
          const scheduler = virtualClock();
          const cache = new Cache<Key, Value>({ ...options, scheduler });
          const shardCount = options.shardCount ?? 1;
          // Writes from a handler, so that deliveries hold several commands' events.
          let budget = 2;
          cache.on('set').subscribe((event) => {
            if (budget-- > 0) cache.set(KEYS[(KEYS.indexOf(event.key) + 1) % KEYS.length]!, { n: budget });
          });
          let seen = 0;
          let latest: Tally[] | undefined;
          let base: Tally[] | undefined;
          const tallies: Tally[] = [];
          const watchedValues: (Value | undefined)[] = [];
          cache.on(joinOn).subscribe(() => {
            if (seen++ !== skip) return;
            cache.metrics$.subscribe((metrics) => (latest = countsOf(metrics)));
            base = countsOf(cache.metrics());
            cache.events$.subscribe((event) => count(tallies, event));
            cache.watch(watched).subscribe((value) => watchedValues.push(value));
          });
          const driven: Driven = {
            cache,
            scheduler,
            afterEach() {
              budget = 2;
              tick(scheduler);
              if (base === undefined) return;
              const now = countsOf(cache.metrics());
              expect(latest).toEqual(now);
              const late = padded(tallies, shardCount);
              expect(now.map((shard, i) => sum(base![i]!, late[i]!))).toEqual(now);
              expect(watchedValues.at(-1)).toBe(cache.peek(watched));
            },
          };
          fc.modelRun(() => ({ model: {}, real: driven }), ops);
          cache.dispose();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('metrics$ joined from an evict handler counts the eviction once', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 0, scheduler });
    let latest: number[] = [];
    cache.on('evict').subscribe(() => {
      cache.metrics$.subscribe((m) => (latest = [m.sets, m.evictions, m.size]));
    });
    cache.set('a', 1).set('b', 2).set('c', 3);
    tick(scheduler);
    expect(latest).toEqual([3, 1, 2]);
    cache.set('d', 4);
    tick(scheduler);
    expect(latest).toEqual([4, 2, 2]);
  });

  it('watch joined from a handler gets the current value, then only later changes', () => {
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 0, scheduler: virtualClock() });
    const seen: (number | undefined)[] = [];
    cache.events$.subscribe(() => {}); // queues the events of every command
    cache.on('evict').subscribe(() => {
      cache.set('c', 99);
      cache.watch('c').subscribe((value) => seen.push(value));
    });
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(seen).toEqual([99]);
    cache.set('c', 100);
    expect(seen).toEqual([99, 100]);
  });

  it('dispose() from a handler leaves no timer, and metrics$ completes at once with the final figures', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 0, scheduler });
    cache.events$.subscribe(() => cache.dispose());
    let last: number | undefined;
    let completed = false;
    cache.metrics$.subscribe({ next: (m) => (last = m.sets), complete: () => (completed = true) });
    cache.set('a', 1);
    expect({ last, completed }).toEqual({ last: 1, completed: true });
    expect(pendingActions(scheduler)).toBe(0);
  });
});

function sum(a: Tally, b: Tally): Tally {
  return {
    hits: a.hits + b.hits,
    misses: a.misses + b.misses,
    sets: a.sets + b.sets,
    deletes: a.deletes + b.deletes,
    evictions: a.evictions + b.evictions,
    expirations: a.expirations + b.expirations,
    size: a.size + b.size,
  };
}
