import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheOptions, Command, MetricsSnapshot } from 'macho';
import { Cache, InvalidCommandError, shardOf } from 'macho';
import type { Driven, Key, Value } from '../fixtures/ops.js';
import { opsArb, optionsArb } from '../fixtures/ops.js';
import { advance, pendingActions, virtualClock } from '../fixtures/virtualTime.js';

/** Everything in `metrics()` that follows from the log (latency is wall-clock time). */
function replayable(metrics: MetricsSnapshot): Omit<MetricsSnapshot, 'latency'> {
  const { latency: _latency, ...rest } = metrics;
  return rest;
}

/** Runs `ops` on a fresh cache while recording its command log. */
function record(options: Omit<CacheOptions, 'scheduler'>, ops: Iterable<fc.Command<Record<string, never>, Driven>>) {
  const scheduler = virtualClock();
  const cache = new Cache<Key, Value>({ ...options, scheduler });
  const log: Command<Key, Value>[] = [];
  cache.commands$.subscribe((command) => log.push(command));
  fc.modelRun(() => ({ model: {}, real: { cache, scheduler } }), ops);
  return { cache, scheduler, log };
}

describe('Cache.replay: property', () => {
  it('a replayed log rebuilds the same snapshot and the same metrics', () => {
    fc.assert(
      fc.property(optionsArb, opsArb(), (options, ops) => {
        const { cache, log } = record(options, ops);
        // Asking for the snapshot may clean up expired entries: a logged command too.
        const snapshot = cache.snapshot();
        const metrics = cache.metrics();
        expect(snapshot.version).toBe(log.length);

        const replayScheduler = virtualClock();
        const replayed = Cache.replay(log, { ...options, scheduler: replayScheduler });
        expect(replayed.snapshot()).toEqual(snapshot);
        expect(replayable(replayed.metrics())).toEqual(replayable(metrics));

        // A log that went through JSON (string and number keys, plain values) too.
        const parsed = JSON.parse(JSON.stringify(log)) as Command<Key, Value>[];
        const revived = Cache.replay(parsed, { ...options, scheduler: virtualClock() });
        expect(revived.snapshot()).toEqual(snapshot);
        expect(replayable(revived.metrics())).toEqual(replayable(metrics));

        cache.dispose();
        replayed.dispose();
        revived.dispose();
        expect(pendingActions(replayScheduler)).toBe(0);
      }),
      { numRuns: 250 },
    );
  });

  it('the replayed cache goes on like the original: the same later operations give the same state', () => {
    fc.assert(
      fc.property(optionsArb, opsArb({ maxCommands: 30 }), opsArb({ maxCommands: 30 }), (options, first, second) => {
        const original = record(options, first);
        const replayScheduler = virtualClock();
        advance(replayScheduler, original.scheduler.now());
        const replayed = Cache.replay(original.log, { ...options, scheduler: replayScheduler });
        const log2: Command<Key, Value>[] = [];
        replayed.commands$.subscribe((command) => log2.push(command));
        // Now both run the same second half, each on its own clock.
        const secondOps = [...second];
        fc.modelRun(() => ({ model: {}, real: { cache: original.cache, scheduler: original.scheduler } }), secondOps);
        fc.modelRun(() => ({ model: {}, real: { cache: replayed, scheduler: replayScheduler } }), secondOps);
        expect(replayed.snapshot().entries).toEqual(original.cache.snapshot().entries);
        expect(replayed.snapshot().at).toEqual(original.cache.snapshot().at);
        expect(replayable(replayed.metrics())).toEqual(replayable(original.cache.metrics()));
        original.cache.dispose();
        replayed.dispose();
      }),
      { numRuns: 100 },
    );
  });
});

describe('Cache.replay: examples', () => {
  it("replays a sharded cache whose 'expire' handler takes time and touches another shard", () => {
    // The command that ran the expiry keeps its own time: run later, it would see
    // entries due by then on its shard that nothing expired, which a replay cannot.
    const keysOn = (shard: number, prefix: string): string[] =>
      Array.from({ length: 50 }, (_, i) => `${prefix}${i}`).filter((key) => shardOf(key, 2) === shard);
    const [x, z] = keysOn(0, 'a') as [string, string];
    const [w] = keysOn(1, 'b') as [string];
    const scheduler = virtualClock();
    const options = { shardCount: 2, ttl: 0 } as const;
    const cache = new Cache<string, number>({ ...options, scheduler });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((command) => log.push(command));
    cache.set(w, 0).set(x, 1, { ttl: 10 }).set(z, 2, { ttl: 15 });
    cache.on('expire').subscribe(({ key }) => {
      if (key !== x) return;
      scheduler.frame += 20; // a slow handler, on a clock that moves
      cache.get(w);
    });
    scheduler.frame = 10; // x is due; its timer has not run
    cache.get(z);
    cache.delete(z);
    cache.clear();
    const replayed = Cache.replay(log, { ...options, scheduler: virtualClock() });
    expect(replayed.snapshot()).toEqual(cache.snapshot());
    const { latency: _l, lifespan: _s, ...counts } = cache.metrics();
    const { latency: _rl, lifespan: _rs, ...replayedCounts } = replayed.metrics();
    expect(replayedCounts).toEqual(counts);
  });

  it('replays sets, per-entry TTLs, expiry and evictions into a cache on another clock', () => {
    const scheduler = virtualClock();
    const options = { maxCacheSize: 2, ttl: 100, strategy: 'random', seed: 7 } as const;
    const cache = new Cache<string, number>({ ...options, scheduler });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((command) => log.push(command));
    cache.set('a', 1);
    advance(scheduler, 10);
    cache.set('b', 2, { ttl: 5 });
    advance(scheduler, 10); // 'b' expires by the timer: an 'expire' command in the log
    cache.set('c', 3).set('d', 4); // the random policy evicts one
    expect(log.map((command) => command.type)).toEqual(['set', 'set', 'expire', 'set', 'set']);

    const replayed = Cache.replay(log, { ...options, scheduler: virtualClock() });
    expect(replayed.snapshot()).toEqual(cache.snapshot());
    expect(replayed.snapshot().entries).toHaveLength(2);
  });

  it('a log replayed into a fresh cache is itself logged, command for command', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ scheduler });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((command) => log.push(command));
    cache.set('a', 1).get('a');
    cache.delete('a');
    const copy = new Cache<string, number>({ scheduler: virtualClock() });
    const relogged: Command<string, number>[] = [];
    copy.commands$.subscribe((command) => relogged.push(command));
    for (const command of log) copy.execute(command);
    expect(relogged).toEqual(log);
  });

  it('logs plain, frozen, JSON-safe commands (Infinity TTLs included)', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 50, scheduler });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((command) => log.push(command));
    cache.set('a', 1, { ttl: Infinity });
    cache.set('b', 2, { ttl: 10 });
    cache.set('c', 3);
    cache.execute({ type: 'set', key: 'd', value: 4, ttl: Infinity, at: 0 }); // logged as set() logs it
    for (const command of log) expect(Object.isFrozen(command)).toBe(true);
    expect(log[3]).toEqual({ type: 'set', key: 'd', value: 4, ttl: 0, at: 0 });
    const parsed = JSON.parse(JSON.stringify(log)) as Command<string, number>[];
    advance(scheduler, 1_000);
    const copy = Cache.replay(parsed, { ttl: 50, scheduler: virtualClock() });
    // 'a' never expires in the copy either, although the copy's clock is at 0.
    advance(scheduler, 0);
    expect(copy.snapshot().entries).toEqual([
      { key: 'a', value: 1, shard: 0 },
      { key: 'b', value: 2, shard: 0, expiresAt: 10 },
      { key: 'c', value: 3, shard: 0, expiresAt: 50 },
      { key: 'd', value: 4, shard: 0 },
    ]);
  });
});

describe('Cache.replay: corrupt logs', () => {
  const valid: Command<string, number>[] = [
    { type: 'set', key: 'a', value: 1, ttl: 100, at: 0 },
    { type: 'set', key: 'b', value: 2, at: 1 },
    { type: 'get', key: 'a', at: 2 },
  ];
  const corrupt: Array<[string, unknown, RegExp]> = [
    ['an unknown type', { type: 'sett', key: 'a', value: 1, at: 3 }, /unknown type "sett"/],
    ['a missing at', { type: 'get', key: 'a' }, /"at"/],
    ['a non-finite at', { type: 'get', key: 'a', at: Number.NaN }, /"at"/],
    ['a shard index out of range', { type: 'expire', shard: 2, at: 3 }, /"shard".*was the log recorded with another shardCount\?/],
    ['a negative shard index', { type: 'expire', shard: -1, at: 3 }, /"shard"/],
    ['a fractional shard index', { type: 'expire', shard: 0.5, at: 3 }, /"shard"/],
    ['a negative ttl', { type: 'set', key: 'c', value: 3, ttl: -5, at: 3 }, /"ttl"/],
    ['a set without a key', { type: 'set', value: 3, at: 3 }, /"key"/],
    ['an update without a value', { type: 'update', key: 'a', at: 3 }, /"value"/],
    ['a set without a value', { type: 'set', key: 'a', at: 3 }, /"value"/],
    ['not an object', null, /expected an object/],
    [
      'a command whose fields cannot be read',
      new Proxy({}, { ownKeys: () => { throw new Error('revoked'); } }),
      /its fields could not be read: revoked/,
    ],
  ];

  it.each(corrupt)('refuses %s, naming the position, and leaks no timer', (_, bad, message) => {
    const scheduler = virtualClock();
    const log = [...valid, bad, { type: 'set', key: 'z', value: 26, at: 4 }] as Command<string, number>[];
    let error: unknown;
    try {
      Cache.replay(log, { shardCount: 2, ttl: 1_000, scheduler });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidCommandError);
    expect((error as Error).message).toMatch(/command #3/);
    expect((error as Error).message).toMatch(message);
    expect((error as InvalidCommandError).command).toBe(bad);
    // The half-built cache armed an expiry timer for 'a'; it must not outlive the failure.
    expect(pendingActions(scheduler)).toBe(0);
  });

  it('refuses a log that is not iterable with a TypeError naming Cache.replay, building no cache', () => {
    for (const bad of [null, 42, { 0: { type: 'clear', at: 0 }, length: 1 }, 'clear']) {
      expect(() => Cache.replay(bad as never)).toThrow(TypeError);
      expect(() => Cache.replay(bad as never)).toThrow(/^macho: Cache\.replay\(\) takes an iterable of commands/);
    }
  });

  it('refuses a corrupt first command too', () => {
    const scheduler = virtualClock();
    expect(() => Cache.replay([{ type: 'clear' } as unknown as Command], { scheduler })).toThrow(/command #0/);
    expect(pendingActions(scheduler)).toBe(0);
  });

  it('execute refuses a malformed command and applies nothing', () => {
    const cache = new Cache<string, number>({ scheduler: virtualClock() });
    cache.set('a', 1);
    const before = cache.snapshot();
    expect(() => cache.execute({ type: 'set', key: 'a', value: 2, ttl: -1, at: 0 })).toThrow(InvalidCommandError);
    expect(cache.snapshot()).toBe(before);
    expect(cache.peek('a')).toBe(1);
  });

  it('a command reads its own fields only: one built on a prototype is refused (its log entry would be {})', () => {
    const cache = new Cache<string, number>({ scheduler: virtualClock() });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((c) => log.push(c));
    const inherited = Object.create({ type: 'set', key: 'a', value: 1, at: 0 }) as Command<string, number>;
    expect(() => cache.execute(inherited)).toThrow(/^macho: invalid command: unknown type undefined/);
    expect(cache.peek('a')).toBeUndefined();
    expect(log).toEqual([]);
    const partly = Object.assign(Object.create({ value: 1 }) as object, { type: 'set', key: 'a', at: 0 });
    expect(() => cache.execute(partly as Command<string, number>)).toThrow('a set needs a "value"');
    cache.execute({ ...Object.create(null), type: 'set', key: 'b', value: 2, at: 0 }); // a null-prototype object is fine
    expect(cache.peek('b')).toBe(2);
  });

  it('a command applies exactly what it logs: no inherited field, no non-enumerable one left out, no extras', () => {
    const cache = new Cache<string, number>({ scheduler: virtualClock() });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((c) => log.push(c));
    const inheritedTtl = Object.assign(Object.create({ ttl: 5 }) as object, { type: 'set', key: 'a', value: 1, at: 0 });
    cache.execute(inheritedTtl as Command<string, number>);
    const hiddenTtl = Object.defineProperty({ type: 'set', key: 'b', value: 2, at: 0 }, 'ttl', { value: 5, enumerable: false });
    cache.execute(hiddenTtl as Command<string, number>);
    cache.execute({ type: 'get', key: 'a', at: 0, note: 'extra', ttl: 5 } as Command<string, number>); // a get has no ttl
    expect(log).toEqual([
      { type: 'set', key: 'a', value: 1, at: 0 },
      { type: 'set', key: 'b', value: 2, at: 0, ttl: 5 },
      { type: 'get', key: 'a', at: 0 },
    ]);
    for (const command of log) expect(Object.isFrozen(command)).toBe(true);
    const replayed = Cache.replay(JSON.parse(JSON.stringify(log)) as Command<string, number>[], { scheduler: virtualClock() });
    expect(replayed.snapshot().entries).toEqual(cache.snapshot().entries);
  });
});
