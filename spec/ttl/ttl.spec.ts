import fc from 'fast-check';
import type { SchedulerLike, VirtualTimeScheduler } from 'rxjs';
import { queueScheduler, config as rxConfig, Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { CacheEvent, StrategyName } from 'macho';
import { BUILTIN_POLICIES, Cache, shardOf } from 'macho';
import { advance, lateTimers, pendingActions, virtualClock } from '../fixtures/virtualTime.js';

// A small pool of keys, so that sets, reads and deletes collide all the time.
type Key = string | number;
const KEYS: readonly Key[] = ['a', 'b', 'c', 1, 2];

interface TtlConfig {
  shardCount: number;
  /** Capacity of each shard; below `KEYS.length` the policy has to evict. */
  perShard: number;
  ttl: number;
  /** How late the cache's timers fire (0: on time). */
  lag: number;
  strategy: StrategyName;
  seed: number;
}

/** What the model knows of an entry: held by the cache until an event says it left. */
interface Tracked {
  value: number;
  /** Infinity: never. */
  expiresAt: number;
  shard: number;
}

/**
 * The cache under test with its model. `entries` is every entry the cache still holds
 * by the model's reckoning: written by `set`, and gone only when an event (`expire`,
 * `evict`, `delete`) says so. An entry is live while `now < expiresAt`.
 */
class World {
  readonly scheduler: VirtualTimeScheduler = virtualClock();
  readonly cache: Cache<Key, number>;
  readonly entries = new Map<Key, Tracked>();
  readonly #events: CacheEvent<Key, number>[] = [];
  expireEvents = 0;
  evictEvents = 0;
  #nextValue = 0;

  constructor(readonly config: TtlConfig) {
    this.cache = new Cache<Key, number>({
      maxCacheSize: config.shardCount * config.perShard,
      shardCount: config.shardCount,
      ttl: config.ttl,
      strategy: config.strategy,
      seed: config.seed,
      scheduler: config.lag === 0 ? this.scheduler : lateTimers(this.scheduler, config.lag),
    });
    this.cache.events$.subscribe((event) => this.#events.push(event));
  }

  get now(): number {
    return this.scheduler.now();
  }

  nextValue(): number {
    return this.#nextValue++;
  }

  shardOf(key: Key): number {
    return shardOf(key, this.config.shardCount);
  }

  /** The entry for `key` if it is live now. */
  live(key: Key): Tracked | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && this.now < entry.expiresAt ? entry : undefined;
  }

  liveEntries(): [Key, Tracked][] {
    return [...this.entries].filter(([, entry]) => this.now < entry.expiresAt);
  }

  liveInShard(shard: number): number {
    return this.liveEntries().filter(([, entry]) => entry.shard === shard).length;
  }

  /** Events since the last call. */
  takeEvents(): CacheEvent<Key, number>[] {
    return this.#events.splice(0);
  }

  /** An `expire` event: for an entry the cache held, once, at or after its expiry. */
  applyExpire(event: CacheEvent<Key, number>): void {
    if (event.type !== 'expire') throw new Error(`expected an expire event, got ${event.type}`);
    const entry = this.entries.get(event.key);
    expect(entry, `expire event for ${String(event.key)}, which the cache does not hold`).toBeDefined();
    expect(event.expiredAt).toBe(entry!.expiresAt);
    expect(event.expiredAt).toBeLessThanOrEqual(event.at);
    // Removed by the command being run (at its time), or by the timer since the last one.
    expect(event.at).toBeLessThanOrEqual(this.now);
    expect(event.at).toBeLessThanOrEqual(entry!.expiresAt + this.config.lag);
    expect(event.value).toBe(entry!.value);
    expect(event.shard).toBe(entry!.shard);
    this.entries.delete(event.key);
    this.expireEvents++;
  }

  /**
   * What must hold after every command, checked without touching the cache (no read
   * that could trigger a clean-up): the timer has removed whatever expired longer ago
   * than its lag; a shard just touched holds nothing expired; the counts agree; and
   * there is never more than one pending timer.
   */
  checkInvariants(touchedShards: readonly number[]): void {
    const now = this.now;
    // First what the timer and the command did, before anything else touches the cache.
    for (const [key, entry] of this.entries) {
      expect(
        entry.expiresAt + this.config.lag > now,
        `${String(key)} expired at ${entry.expiresAt} is still held at ${now} (timer lag ${this.config.lag})`,
      ).toBe(true);
      if (touchedShards.includes(entry.shard))
        expect(entry.expiresAt > now, `${String(key)} expired at ${entry.expiresAt} survived a touch at ${now}`).toBe(true);
    }
    // metrics() is a read: it expires what is due first, in every shard.
    const metrics = this.cache.metrics();
    for (const event of this.takeEvents()) this.applyExpire(event);
    for (const [key, entry] of this.entries)
      expect(entry.expiresAt > now, `${String(key)} expired at ${entry.expiresAt} is counted by metrics() at ${now}`).toBe(true);
    expect(metrics.size).toBe(this.entries.size);
    expect(metrics.expirations).toBe(this.expireEvents);
    expect(metrics.evictions).toBe(this.evictEvents);
    // One expiry timer exactly while some entry, in any shard, can still expire; none
    // once none can (an idle timer would hold an undisposed cache in memory).
    const timed = [...this.entries.values()].some((entry) => entry.expiresAt !== Infinity);
    expect(pendingActions(this.scheduler), timed ? 'an entry can expire: a timer' : 'nothing can expire: no timer').toBe(
      timed ? 1 : 0,
    );
  }

  allShards(): number[] {
    return Array.from({ length: this.config.shardCount }, (_, i) => i);
  }
}

type Model = Record<string, never>;
type TtlCommand = fc.Command<Model, World>;

const keyText = (key: Key): string => (typeof key === 'string' ? JSON.stringify(key) : String(key));

/** Reads that must not see expired entries; `kind` picks the method. */
class ReadCommand implements TtlCommand {
  constructor(
    readonly kind: 'get' | 'peek' | 'has',
    readonly key: Key,
  ) {}
  check = (): boolean => true;
  run(_: Model, world: World): void {
    const shard = world.shardOf(this.key);
    const expected = world.live(this.key);
    const result =
      this.kind === 'get'
        ? world.cache.get(this.key)
        : this.kind === 'peek'
          ? world.cache.peek(this.key)
          : world.cache.has(this.key);
    expect(result).toBe(this.kind === 'has' ? expected !== undefined : expected?.value);
    const reads: CacheEvent<Key, number>[] = [];
    for (const event of world.takeEvents()) {
      if (event.type === 'expire') {
        expect(event.shard).toBe(shard);
        world.applyExpire(event);
      } else reads.push(event);
    }
    if (this.kind === 'get') {
      expect(reads).toHaveLength(1);
      expect(reads[0]).toMatchObject(
        expected === undefined ? { type: 'miss', key: this.key, shard } : { type: 'hit', key: this.key, value: expected.value, shard },
      );
    } else expect(reads).toEqual([]);
    world.checkInvariants([shard]);
  }
  toString = (): string => `${this.kind}(${keyText(this.key)})`;
}

class SetCommand implements TtlCommand {
  constructor(
    readonly key: Key,
    readonly ttl: number | undefined,
  ) {}
  check = (): boolean => true;
  run(_: Model, world: World): void {
    const { key, ttl } = this;
    const value = world.nextValue();
    const shard = world.shardOf(key);
    const before = world.live(key);
    const full = world.liveInShard(shard) === world.config.perShard;
    world.cache.set(key, value, ttl === undefined ? undefined : { ttl });
    let sets = 0;
    let evictions = 0;
    for (const event of world.takeEvents()) {
      expect(event.shard).toBe(shard);
      if (event.type === 'expire') world.applyExpire(event);
      else if (event.type === 'evict') {
        // Only for capacity: a new key in a full shard, and the victim was live.
        evictions++;
        expect(before, `overwriting live ${keyText(key)} evicted ${keyText(event.key)}`).toBeUndefined();
        expect(full, `evicted ${keyText(event.key)} from a shard that was not full`).toBe(true);
        const victim = world.live(event.key);
        expect(victim, `evicted ${keyText(event.key)}, which was not live`).toBeDefined();
        expect(event.value).toBe(victim!.value);
        world.entries.delete(event.key);
        world.evictEvents++;
      } else if (event.type === 'set') {
        sets++;
        expect(event).toMatchObject({ key, value, replaced: before !== undefined, at: world.now });
      } else throw new Error(`unexpected ${event.type} event from set`);
    }
    expect(sets).toBe(1);
    expect(evictions).toBe(before === undefined && full ? 1 : 0);
    const effective = ttl ?? world.config.ttl;
    const expiresAt = effective === 0 || effective === Infinity ? Infinity : world.now + effective;
    world.entries.set(key, { value, expiresAt, shard });
    world.checkInvariants([shard]);
  }
  toString = (): string => `set(${keyText(this.key)}${this.ttl === undefined ? '' : `, { ttl: ${this.ttl} }`})`;
}

class DeleteCommand implements TtlCommand {
  constructor(readonly key: Key) {}
  check = (): boolean => true;
  run(_: Model, world: World): void {
    const shard = world.shardOf(this.key);
    const expected = world.live(this.key);
    expect(world.cache.delete(this.key)).toBe(expected !== undefined);
    const deletes: CacheEvent<Key, number>[] = [];
    for (const event of world.takeEvents()) {
      if (event.type === 'expire') world.applyExpire(event);
      else deletes.push(event);
    }
    expect(deletes).toEqual(
      expected === undefined ? [] : [expect.objectContaining({ type: 'delete', key: this.key, value: expected.value, shard })],
    );
    world.entries.delete(this.key);
    world.checkInvariants([shard]);
  }
  toString = (): string => `delete(${keyText(this.key)})`;
}

/** Moves virtual time; the cache's timer runs, nothing else touches the cache. */
class AdvanceCommand implements TtlCommand {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  run(_: Model, world: World): void {
    advance(world.scheduler, this.ms);
    for (const event of world.takeEvents()) world.applyExpire(event);
    world.checkInvariants([]);
  }
  toString = (): string => `advance(${this.ms})`;
}

/** Every whole-cache view: size, keys, values, entries, iteration, snapshot. */
class ListCommand implements TtlCommand {
  check = (): boolean => true;
  run(_: Model, world: World): void {
    const byKey = (a: [Key, unknown], b: [Key, unknown]): number => keyText(a[0]).localeCompare(keyText(b[0]));
    const live = world.liveEntries().sort(byKey);
    const expected = live.map(([key, entry]): [Key, number] => [key, entry.value]);
    expect(world.cache.size).toBe(live.length);
    expect([...world.cache.entries()].sort(byKey)).toEqual(expected);
    expect([...world.cache].sort(byKey)).toEqual(expected);
    expect([...world.cache.keys()].map(keyText).sort()).toEqual(expected.map(([key]) => keyText(key)));
    expect([...world.cache.values()].sort((a, b) => a - b)).toEqual(expected.map(([, v]) => v).sort((a, b) => a - b));
    const snapshot = world.cache.snapshot();
    expect(snapshot.size).toBe(live.length);
    expect(snapshot.at).toBeLessThanOrEqual(world.now);
    expect(
      snapshot.entries.map((e): [Key, unknown] => [e.key, e]).sort(byKey).map(([, e]) => e),
    ).toEqual(
      live.map(([key, entry]) =>
        entry.expiresAt === Infinity
          ? { key, value: entry.value, shard: entry.shard }
          : { key, value: entry.value, shard: entry.shard, expiresAt: entry.expiresAt },
      ),
    );
    for (const event of world.takeEvents()) world.applyExpire(event);
    world.checkInvariants(world.allShards());
  }
  toString = (): string => 'list()';
}

const keyArb = fc.constantFrom(...KEYS);
const ttlArb = fc.oneof(fc.constant(0), fc.constant(Infinity), fc.integer({ min: 1, max: 60 }));
const commandsArb = fc.commands(
  [
    fc.tuple(keyArb, fc.option(ttlArb, { nil: undefined })).map(([key, ttl]) => new SetCommand(key, ttl)),
    fc.tuple(keyArb, fc.option(ttlArb, { nil: undefined })).map(([key, ttl]) => new SetCommand(key, ttl)),
    fc.tuple(fc.constantFrom<'get' | 'peek' | 'has'>('get', 'peek', 'has'), keyArb).map(([kind, key]) => new ReadCommand(kind, key)),
    keyArb.map((key) => new DeleteCommand(key)),
    fc.integer({ min: 1, max: 40 }).map((ms) => new AdvanceCommand(ms)),
    fc.integer({ min: 1, max: 40 }).map((ms) => new AdvanceCommand(ms)),
    fc.constant(new ListCommand()),
  ],
  { maxCommands: 60 },
);

const configArb: fc.Arbitrary<TtlConfig> = fc.record({
  shardCount: fc.integer({ min: 1, max: 3 }),
  perShard: fc.oneof(fc.constant(KEYS.length), fc.integer({ min: 1, max: KEYS.length })),
  ttl: ttlArb,
  lag: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 15 })),
  strategy: fc.constantFrom(...(Object.keys(BUILTIN_POLICIES) as StrategyName[])),
  seed: fc.integer(),
});

describe('TTL: model-based', () => {
  it('never returns an expired entry, expires each entry exactly once, evicts only for capacity', () => {
    fc.assert(
      fc.property(configArb, commandsArb, (config, commands) => {
        const world = new World(config);
        fc.modelRun(() => ({ model: {}, real: world }), commands);
        // Long after every finite expiry, with no touch: the timer alone has removed
        // every entry that can expire, each with its one event.
        advance(world.scheduler, 1_000);
        for (const event of world.takeEvents()) world.applyExpire(event);
        world.checkInvariants([]);
        for (const [key, entry] of world.entries) expect(entry.expiresAt, keyText(key)).toBe(Infinity);
        if (world.entries.size === 0) expect(pendingActions(world.scheduler)).toBe(0);
        world.cache.dispose();
      }),
      { numRuns: 200 },
    );
  });
});

describe('TTL: examples', () => {
  it.each(['snapshot', 'dispose'] as const)(
    "%s ends when a slow 'expire' handler stores its key again with a TTL shorter than it takes",
    (read) => {
      const virtual = virtualClock();
      const cache = new Cache<string, number>({ shardCount: 2, ttl: 0, scheduler: lateTimers(virtual, 1_000) });
      let expiries = 0;
      cache.on('expire').subscribe(({ key, value }) => {
        if (++expiries > 1_000) return; // ends a regression's endless loop (the count then fails)
        cache.set(key, value + 1, { ttl: 1 }); // refresh-on-expire...
        virtual.frame += 2; // ...that takes longer than the TTL it gave
      });
      cache.set('a', 0, { ttl: 1 });
      virtual.frame = 5; // the timer has not run
      if (read === 'snapshot') expect(cache.snapshot().size).toBe(1);
      else cache.dispose();
      expect(expiries).toBeLessThanOrEqual(4); // the first pass, then at most one more per shard, plus one
      cache.dispose();
    },
  );

  it('a read ends on a clock that runs back and forth', () => {
    let reads = 0;
    const clock = {
      // (after 10,000 readings it settles, so that a regression fails instead of hanging)
      now: () => (++reads > 10_000 || reads % 2 === 0 ? 99 : 100),
      schedule: () => new Subscription(),
    } satisfies SchedulerLike;
    const cache = new Cache<string, number>({ shardCount: 2, ttl: 0, scheduler: clock });
    cache.set('a', 0, { ttl: 1 }); // due at 100 or 101, whichever reading it gets
    cache.set('b', 0, { ttl: 1 });
    expect(cache.snapshot().size).toBeLessThanOrEqual(2);
    expect(reads).toBeLessThan(100);
    cache.dispose();
  });

  it.each(['snapshot', 'size', 'metrics', 'dispose'] as const)(
    "%s counts no entry that came due while a later shard's 'expire' handler took its time",
    (read) => {
      const keyOn = (shard: number): string => Array.from({ length: 60 }, (_, i) => `k${i}`).find((key) => shardOf(key, 3) === shard)!;
      const [early, other, late] = [keyOn(0), keyOn(1), keyOn(2)];
      const virtual = virtualClock();
      const cache = new Cache<string, number>({ shardCount: 3, ttl: 0, scheduler: lateTimers(virtual, 1_000) });
      cache.on('expire').subscribe(({ key }) => {
        if (key !== late) return;
        virtual.frame += 10; // a slow handler, on a clock that moves; then a command
        cache.get(other); // on shard 1: shard 0 is not looked at again by it
      });
      cache.set(early, 0, { ttl: 20 }); // shard 0, due at 20
      cache.set(late, 0, { ttl: 10 }); // shard 2, due at 10
      virtual.frame = 10; // the timers have not run
      const size =
        read === 'snapshot' ? cache.snapshot().size : read === 'size' ? cache.size : read === 'metrics' ? cache.metrics().size : (cache.dispose(), cache.snapshot().size);
      expect(size).toBe(0);
      expect(cache.snapshot().entries).toEqual([]);
      expect(cache.metrics().expirations).toBe(2);
      cache.dispose();
    },
  );

  it('an entry set at t with ttl d is returned before t + d and by nothing at t + d', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 100, scheduler });
    advance(scheduler, 7);
    cache.set('a', 1);
    cache.set('b', 2, { ttl: 30 });
    advance(scheduler, 29);
    expect(cache.peek('b')).toBe(2);
    expect(cache.has('b')).toBe(true);
    expect(cache.snapshot().entries).toContainEqual({ key: 'b', value: 2, shard: 0, expiresAt: 37 });
    advance(scheduler, 1); // t + d = 37
    expect(cache.get('b')).toBeUndefined();
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.has('b')).toBe(false);
    expect([...cache.keys()]).toEqual(['a']);
    expect([...cache.entries()]).toEqual([['a', 1]]);
    expect(cache.snapshot().entries).toEqual([{ key: 'a', value: 1, shard: 0, expiresAt: 107 }]);
    cache.dispose();
  });

  it('cleans up on its own: after the expiry, with no touch, the event is out and the size dropped', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 50, scheduler });
    const expired: CacheEvent[] = [];
    cache.on('expire').subscribe((event) => expired.push(event));
    cache.set('a', 1);
    cache.set('b', 2, { ttl: 20 });
    advance(scheduler, 20);
    expect(expired).toEqual([{ type: 'expire', key: 'b', value: 2, expiredAt: 20, shard: 0, at: 20 }]);
    expect(cache.metrics()).toMatchObject({ size: 1, expirations: 1, evictions: 0 });
    advance(scheduler, 30);
    expect(expired.map((event) => event.key)).toEqual(['b', 'a']);
    expect(cache.metrics()).toMatchObject({ size: 0, expirations: 2, evictions: 0 });
    expect(pendingActions(scheduler)).toBe(0);
  });

  it('expires on first touch when the timer is late, and the timer does not expire it again', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 10, scheduler: lateTimers(scheduler, 1_000) });
    const events: CacheEvent[] = [];
    cache.events$.subscribe((event) => events.push(event));
    cache.set('a', 1);
    cache.set('b', 2);
    advance(scheduler, 10);
    expect(events.filter((e) => e.type === 'expire')).toEqual([]);
    expect(cache.get('a')).toBeUndefined();
    // The touch cleans the whole shard: both are due.
    expect(events.filter((e) => e.type === 'expire').map((e) => e.key)).toEqual(['a', 'b']);
    expect(events.at(-1)).toMatchObject({ type: 'miss', key: 'a' });
    advance(scheduler, 5_000);
    expect(events.filter((e) => e.type === 'expire')).toHaveLength(2);
    expect(cache.metrics()).toMatchObject({ expirations: 2, size: 0, misses: 1 });
  });

  it.each(['clear()', 'execute(clear)'])(
    '%s expires what is due first, and counts only live entries as cleared',
    (how) => {
      const scheduler = virtualClock();
      const cache = new Cache<string, number>({ ttl: 100, shardCount: 2, scheduler: lateTimers(scheduler, 1_000) });
      const events: CacheEvent[] = [];
      cache.events$.subscribe((event) => events.push(event));
      cache.set('a', 1, { ttl: 10 }).set('b', 2, { ttl: 10 }).set('c', 3);
      advance(scheduler, 10);
      if (how === 'clear()') cache.clear();
      else cache.execute({ type: 'clear', at: scheduler.now() });
      const after = events.slice(3);
      expect(after.filter((e) => e.type === 'expire').map((e) => e.key).sort()).toEqual(['a', 'b']);
      const cleared = after.filter((e) => e.type === 'clear');
      expect(after.findIndex((e) => e.type === 'clear')).toBeGreaterThan(after.findLastIndex((e) => e.type === 'expire'));
      expect(cleared.reduce((sum, e) => sum + (e.type === 'clear' ? e.count : 0), 0)).toBe(1);
      expect(cache.metrics()).toMatchObject({ expirations: 2, size: 0 });
    },
  );

  it('with a scheduler that runs due work at once (queueScheduler), an expiry never cuts into a command', () => {
    const cache = new Cache<string, number>({ ttl: 100, scheduler: queueScheduler });
    const events: string[] = [];
    cache.events$.subscribe((event) => events.push(`${event.type} ${event.type === 'clear' ? '' : String(event.key)}`));
    const watched: (number | undefined)[] = [];
    cache.watch('x').subscribe((value) => watched.push(value));
    // A logged set replayed long after it was made: its expiry is already due.
    cache.execute({ type: 'set', key: 'x', value: 1, at: Date.now() - 10_000 });
    expect(events).toEqual(['set x']);
    expect(cache.get('x')).toBeUndefined();
    expect(events).toEqual(['set x', 'expire x', 'miss x']);
    expect(watched).toEqual([undefined, 1, undefined]);
    cache.dispose();
  });

  it('re-setting an expired key is a new entry: one expire, then a set that replaced nothing', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 10, scheduler: lateTimers(scheduler, 1_000) });
    const events: CacheEvent[] = [];
    cache.events$.subscribe((event) => events.push(event));
    cache.set('a', 1);
    advance(scheduler, 10);
    cache.set('a', 2);
    expect(events.map((e) => [e.type, e.type === 'set' ? e.replaced : undefined])).toEqual([
      ['set', false],
      ['expire', undefined],
      ['set', false],
    ]);
  });

  it('keeps one pending timer, however many entries and expiry times', () => {
    const scheduler = virtualClock();
    const cache = new Cache<number, number>({ maxCacheSize: 1_000, ttl: 0, scheduler });
    const ttls = fc.sample(fc.integer({ min: 1, max: 10_000 }), { numRuns: 1_000, seed: 42 });
    ttls.forEach((ttl, i) => {
      cache.set(i, i, { ttl });
      expect(pendingActions(scheduler)).toBe(1);
    });
    // Deleting the next entry to expire leaves at most the one timer.
    const soonest = ttls.indexOf(Math.min(...ttls));
    cache.delete(soonest);
    expect(pendingActions(scheduler)).toBe(1);
    let expired = 0;
    cache.on('expire').subscribe(() => expired++);
    for (let t = 0; t < 10_000; t += 250) {
      advance(scheduler, 250);
      expect(pendingActions(scheduler)).toBeLessThanOrEqual(1);
    }
    expect(expired).toBe(999);
    expect(cache.metrics().size).toBe(0);
    expect(pendingActions(scheduler)).toBe(0);
  });

  it('a far TTL on a virtual clock is one timer, not hops of 2^31 ms (which real timers need)', () => {
    const scheduler = virtualClock();
    let scheduled = 0;
    const schedule = scheduler.schedule.bind(scheduler);
    scheduler.schedule = ((...args: Parameters<typeof schedule>) => {
      // Hops would never end (past 2^84 ms a hop no longer moves the clock): fail, not hang.
      if (++scheduled > 100) throw new Error('the expiry timer hops towards a far TTL on a virtual clock');
      return schedule(...args);
    }) as typeof scheduler.schedule;
    const cache = new Cache<string, number>({ scheduler, ttl: 0 });
    cache.set('far', 1, { ttl: 1e15 }); // ~465,000 hops of 2^31 - 1 ms
    cache.set('farther', 2, { ttl: 1e300 }); // never reached in hops
    advance(scheduler, 1e15 - 1);
    expect(cache.peek('far')).toBe(1);
    advance(scheduler, 1);
    expect(cache.has('far')).toBe(false);
    scheduler.flush();
    expect(cache.has('farther')).toBe(false);
    expect(scheduled).toBeLessThanOrEqual(6); // advance()'s own markers included
    cache.dispose();
  });

  it('0 and Infinity never expire, and arm no timer', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: Infinity, scheduler });
    cache.set('a', 1);
    cache.set('b', 2, { ttl: 0 });
    cache.set('c', 3, { ttl: Infinity });
    expect(pendingActions(scheduler)).toBe(0);
    advance(scheduler, 2 ** 45);
    expect([...cache.keys()]).toEqual(['a', 'b', 'c']);
    expect(cache.metrics().expirations).toBe(0);
    expect(cache.snapshot().entries.every((entry) => !('expiresAt' in entry))).toBe(true);

    const zero = new Cache<string, number>({ ttl: 0, scheduler });
    zero.set('a', 1);
    advance(scheduler, 2 ** 45);
    expect(zero.get('a')).toBe(1);
  });

  it('a per-entry ttl of 0 or Infinity makes a finite entry permanent', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 10, scheduler });
    cache.set('a', 1);
    cache.set('a', 2, { ttl: Infinity });
    advance(scheduler, 1_000);
    expect(cache.get('a')).toBe(2);
    expect(cache.metrics().expirations).toBe(0);
  });

  it('far expiries (beyond 2^31 ms) work, with one timer at a time', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 2 ** 40, scheduler });
    const expired: string[] = [];
    cache.on('expire').subscribe((event) => expired.push(event.key));
    cache.set('near', 0, { ttl: 2 ** 31 + 10 });
    cache.set('far', 1, { ttl: 2 ** 33 });
    cache.set('default', 2);
    expect(pendingActions(scheduler)).toBe(1);
    advance(scheduler, 2 ** 31 + 9);
    expect(expired).toEqual([]);
    expect(cache.peek('near')).toBe(0);
    expect(pendingActions(scheduler)).toBe(1);
    advance(scheduler, 1);
    expect(expired).toEqual(['near']); // by the timer, not by a read
    expect(cache.metrics().size).toBe(2);
    advance(scheduler, 2 ** 33 - (2 ** 31 + 10) - 1);
    expect(cache.peek('far')).toBe(1);
    advance(scheduler, 1);
    expect(expired).toEqual(['near', 'far']);
    expect(pendingActions(scheduler)).toBe(1);
    advance(scheduler, 2 ** 40);
    expect(expired).toEqual(['near', 'far', 'default']);
    expect(cache.metrics().size).toBe(0);
    expect(pendingActions(scheduler)).toBe(0);
  });

  it('refuses a negative or NaN per-entry ttl, naming it, and changes nothing', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 10, scheduler });
    cache.set('a', 1);
    const before = cache.snapshot();
    expect(() => cache.set('a', 2, { ttl: -1 })).toThrow(RangeError);
    expect(() => cache.set('a', 2, { ttl: Number.NaN })).toThrow(/ttl/);
    expect(cache.snapshot()).toBe(before);
    expect(cache.get('a')).toBe(1);
  });

  it('evictions count capacity removals only; an expired entry is expired, never evicted', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 10, scheduler: lateTimers(scheduler, 1_000) });
    const events: CacheEvent[] = [];
    cache.events$.subscribe((event) => events.push(event));
    cache.set('a', 1);
    cache.set('b', 2, { ttl: 0 });
    advance(scheduler, 10); // 'a' is stale, the timer has not run
    cache.set('c', 3); // room is made by the expiry, not by the policy
    expect(events.filter((e) => e.type === 'evict')).toEqual([]);
    cache.set('d', 4); // now the shard is really full
    expect(events.filter((e) => e.type === 'evict').map((e) => e.key)).toEqual(['b']);
    expect(cache.metrics()).toMatchObject({ evictions: 1, expirations: 1, size: 2 });
  });
});

describe('TTL: a scheduler that fails to schedule', () => {
  it('the command that armed the timer completes (logged, with its event), the failure is reported, expiry goes on', () => {
    const virtual = virtualClock();
    const { flaky, failNext } = flakyScheduler(virtual);
    const cache = new Cache<string, number>({ ttl: 0, scheduler: flaky });
    const log: string[] = [];
    cache.commands$.subscribe((c) => log.push(`${c.type}${'key' in c ? ` ${String(c.key)}` : ''}`));
    const expired: string[] = [];
    cache.on('expire').subscribe((e) => expired.push(e.key));
    const reported: unknown[] = [];
    const previous = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = (error) => reported.push(error);
    try {
      cache.set('late', 1, { ttl: 100 });
      failNext();
      cache.set('early', 2, { ttl: 10 }); // arms the timer earlier: schedule() throws
      expect(reported).toHaveLength(1);
      expect(cache.metrics().sets).toBe(2);
      cache.set('x', 3, { ttl: 150 }); // the next arm tries again
      advance(virtual, 200);
    } finally {
      rxConfig.onUnhandledError = previous;
    }
    expect(log).toEqual(['set late', 'set early', 'set x', 'expire', 'expire', 'expire']);
    expect(expired).toEqual(['early', 'late', 'x']);
  });

  it('reports a failed schedule() after the command that armed the timer: a hook writing to the cache sees it whole', () => {
    const virtual = virtualClock();
    const { flaky, failNext } = flakyScheduler(virtual);
    const cache = new Cache<string, string>({ ttl: 0, scheduler: flaky });
    const sets: string[] = [];
    cache.on('set').subscribe((event) => sets.push(event.value));
    const previous = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = () => cache.set('a', 'from the hook');
    try {
      failNext();
      cache.set('a', 'outer', { ttl: 10 }); // arms the timer in the middle of the set: schedule() throws
    } finally {
      rxConfig.onUnhandledError = previous;
    }
    // Events in the order the writes took effect: the last one is what the cache holds.
    expect(sets).toEqual(['outer', 'from the hook']);
    expect(cache.peek('a')).toBe('from the hook');
  });
});

describe('streams paced by a scheduler that fails to schedule', () => {
  it('metrics$ and snapshots$ go on: the failure is reported and that tick ends at once', () => {
    const virtual = virtualClock();
    const { flaky, failNext } = flakyScheduler(virtual);
    const cache = new Cache<string, number>({ ttl: 0, scheduler: flaky });
    const sets: number[] = [];
    const sizes: number[] = [];
    const errors: unknown[] = [];
    cache.metrics$.subscribe({ next: (m) => sets.push(m.sets), error: (e) => errors.push(e) });
    cache.snapshots$.subscribe({ next: (s) => sizes.push(s.size), error: (e) => errors.push(e) });
    const reported: unknown[] = [];
    const previous = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = (error) => reported.push(error);
    try {
      failNext(); // the metrics$ tick of this set cannot be scheduled
      cache.set('a', 1);
      failNext(); // nor the snapshots$ tick of this one
      cache.set('b', 2);
      cache.set('c', 3);
      advance(virtual, 1);
    } finally {
      rxConfig.onUnhandledError = previous;
    }
    expect(errors).toEqual([]);
    expect(reported).toHaveLength(2);
    expect(sets.at(-1)).toBe(3);
    expect(sizes.at(-1)).toBe(3);
    cache.dispose();
  });
});

// A scheduler over `virtual` whose next schedule() throws, once, after failNext().
function flakyScheduler(virtual: VirtualTimeScheduler): { flaky: SchedulerLike; failNext: () => void } {
  let fail = false;
  const flaky: SchedulerLike = {
    now: () => virtual.now(),
    schedule: (...args: Parameters<SchedulerLike['schedule']>) => {
      if (fail) {
        fail = false;
        throw new Error('cannot schedule now');
      }
      return virtual.schedule(...(args as Parameters<VirtualTimeScheduler['schedule']>));
    },
  };
  return { flaky, failNext: () => void (fail = true) };
}
