import vm from 'node:vm';
import fc from 'fast-check';
import { config as rxConfig, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Command, PolicyContext, PolicyFactory } from 'macho';
import { Cache, PolicyContractError, clockPro, shardOf } from 'macho';
import type { PolicyHook } from '../support/delegatingPolicy.js';
import { delegatingPolicy } from '../support/delegatingPolicy.js';
import { UnorderedModel } from '../support/models.js';

/** Evicts the most recently inserted entry: a stack of slots (the example in the docs). */
const lifo: PolicyFactory = () => {
  const stack: number[] = [];
  return {
    name: 'lifo',
    onInsert: (slot) => void stack.push(slot),
    onAccess: () => {},
    onUpdate: () => {},
    onRemove: (slot) => void stack.splice(stack.lastIndexOf(slot), 1),
    victim: () => stack[stack.length - 1]!,
    onClear: () => void (stack.length = 0),
  };
};

/** Evicts the entry with the largest (numeric) value, looked up through the context. */
const largestValue: PolicyFactory = ({ valueOf }) => {
  const live = new Set<number>();
  return {
    name: 'largest-value',
    onInsert: (slot) => void live.add(slot),
    onAccess: () => {},
    onUpdate: () => {},
    onRemove: (slot) => void live.delete(slot),
    victim: () => {
      let best = -1;
      for (const slot of live) if (best < 0 || (valueOf(slot) as number) > (valueOf(best) as number)) best = slot;
      return best;
    },
    onClear: () => live.clear(),
  };
};

/** A policy that keeps no books and names `pick(capacity)` as its victim. */
function broken(pick: (capacity: number) => number): PolicyFactory {
  return ({ capacity }) => ({
    name: 'broken',
    onInsert: () => {},
    onAccess: () => {},
    onUpdate: () => {},
    onRemove: () => {},
    victim: () => pick(capacity),
    onClear: () => {},
  });
}

function cacheWith<V>(strategy: PolicyFactory, maxCacheSize: number, shardCount = 1): Cache<string, V> {
  return new Cache<string, V>({ maxCacheSize, shardCount, strategy, ttl: 0, scheduler: new VirtualTimeScheduler() });
}

function evictions<V>(cache: Cache<string, V>): string[] {
  const evicted: string[] = [];
  cache.on('evict').subscribe((e) => evicted.push(e.key));
  return evicted;
}

describe('a custom policy (strategy: factory)', () => {
  it('LIFO: evicts the most recent insertion', () => {
    const cache = cacheWith<number>(lifo, 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.set('d', 4);
    expect(evicted).toEqual(['c']);
    cache.set('e', 5);
    expect(evicted).toEqual(['c', 'd']);
    cache.delete('b'); // the policy is told, and b's slot is reused
    cache.set('f', 6).set('g', 7);
    expect(evicted).toEqual(['c', 'd', 'f']);
    expect(new Set(cache.keys())).toEqual(new Set(['a', 'e', 'g']));
    expect(cache.metrics().evictions).toBe(3);
  });

  it('evict-largest-value: the victim always holds the largest value present', () => {
    const keys = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
    const write = fc.tuple(keys, fc.integer({ min: 0, max: 1000 }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(write, { maxLength: 60, size: 'large' }), (max, writes) => {
        const cache = cacheWith<number>(largestValue, max);
        const evicted: { key: string; value: number }[] = [];
        cache.on('evict').subscribe((e) => evicted.push({ key: e.key, value: e.value }));
        const model = new UnorderedModel<string, number>(max);
        for (const [k, v] of writes) {
          const largest = Math.max(...model.entries.map((e) => e.value));
          cache.set(k, v);
          const victims = evicted.splice(0);
          model.set(k, v, victims.map((e) => e.key)); // throws on an eviction that was not allowed
          for (const victim of victims) expect(victim.value).toBe(largest);
          expect(new Set(cache.keys())).toEqual(new Set(model.keys()));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gets one instance per shard, told its shard and that shard’s capacity', () => {
    const contexts: { shard: number; capacity: number }[] = [];
    const spy: PolicyFactory = (context: PolicyContext) => {
      contexts.push({ shard: context.shard, capacity: context.capacity });
      return lifo(context);
    };
    cacheWith(spy, 10, 4);
    expect(contexts).toEqual([
      { shard: 0, capacity: 3 },
      { shard: 1, capacity: 3 },
      { shard: 2, capacity: 2 },
      { shard: 3, capacity: 2 },
    ]);
  });

  it.each([
    { what: 'the "no slot" index (capacity)', pick: (capacity: number) => capacity },
    { what: 'a slot past the end', pick: (capacity: number) => capacity + 5 },
    { what: 'a negative slot', pick: () => -1 },
    { what: 'slot -2 (what the key index answers for an absent key)', pick: () => -2 },
    { what: 'a large negative slot', pick: () => -7 },
    { what: 'NaN', pick: () => NaN },
    { what: 'a fractional slot', pick: () => 0.5 },
  ])('naming a slot that holds no entry ($what) throws PolicyContractError and changes nothing', ({ pick }) => {
    const cache = cacheWith<number>(broken(pick), 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3);
    const before = cache.snapshot();
    const metricsBefore = cache.metrics();

    expect(() => cache.set('d', 4)).toThrow(PolicyContractError);

    expect(cache.size).toBe(3);
    expect(cache.has('d')).toBe(false);
    expect(cache.snapshot().entries).toEqual(before.entries);
    expect(evicted).toEqual([]);
    const metricsAfter = cache.metrics();
    expect({ sets: metricsAfter.sets, evictions: metricsAfter.evictions, size: metricsAfter.size }).toEqual({
      sets: metricsBefore.sets,
      evictions: metricsBefore.evictions,
      size: metricsBefore.size,
    });
    // Still usable: overwrites need no victim, and room made by a delete is used.
    cache.set('a', 10);
    expect(cache.get('a')).toBe(10);
    cache.delete('b');
    cache.set('d', 4);
    expect(new Set(cache.keys())).toEqual(new Set(['a', 'c', 'd']));
  });

  it('names the policy in the PolicyContractError message', () => {
    const cache = cacheWith<number>(broken(() => -1), 1);
    cache.set('a', 1);
    expect(() => cache.set('b', 2)).toThrow(/broken/);
  });

  it('keeps a failed command out of the log, so the log still replays', () => {
    const options = { maxCacheSize: 2, strategy: broken(() => -1), ttl: 0 };
    const cache = new Cache<string, number>({ ...options, scheduler: new VirtualTimeScheduler() });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((c) => log.push(c));
    cache.set('a', 1).set('b', 2);
    expect(() => cache.set('c', 3)).toThrow(PolicyContractError);
    cache.get('a');
    expect(log.map((c) => c.type)).toEqual(['set', 'set', 'get']);
    const replayed = Cache.replay(log, { ...options, scheduler: new VirtualTimeScheduler() });
    expect(replayed.snapshot()).toEqual(cache.snapshot());
  });
});

type Hook = PolicyHook;

/** LIFO whose `hook` throws while `armed()` says so. */
function throwing(hook: Hook, armed: () => boolean): PolicyFactory {
  return delegatingPolicy('throwing-lifo', lifo, (called) => {
    if (called === hook && armed()) throw new Error(`boom in ${called}`);
  });
}

/** Counts of a cache's events, to hold against its metrics. */
function tallied(cache: Cache<string, number>): () => Record<string, number> {
  const counts: Record<string, number> = { hits: 0, misses: 0, sets: 0, deletes: 0, evictions: 0, size: 0 };
  cache.events$.subscribe((e) => {
    if (e.type === 'hit') counts.hits!++;
    else if (e.type === 'miss') counts.misses!++;
    else if (e.type === 'set') {
      counts.sets!++;
      if (!e.replaced) counts.size!++;
    } else if (e.type === 'delete') {
      counts.deletes!++;
      counts.size!--;
    } else if (e.type === 'evict') {
      counts.evictions!++;
      counts.size!--;
    } else if (e.type === 'expire') counts.size!--;
    else if (e.type === 'clear') counts.size! -= e.count;
  });
  return () => counts;
}

type Op = { type: 'set'; key: string; value: number } | { type: 'get' | 'delete'; key: string } | { type: 'clear' };

/** Applies `o`; a policy that breaks its contract may make it throw, but only that. */
function applyExpectingContractErrors(cache: Cache<string, number>, o: Op): void {
  try {
    if (o.type === 'set') cache.set(o.key, o.value);
    else if (o.type === 'get') cache.get(o.key);
    else if (o.type === 'delete') cache.delete(o.key);
    else cache.clear();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyContractError);
  }
}

function expectConsistent(cache: Cache<string, number>, counts: Record<string, number>): void {
  const { hits, misses, sets, deletes, evictions, size, maxSize } = cache.metrics();
  expect({ hits, misses, sets, deletes, evictions, size }).toEqual(counts);
  expect(size).toBeLessThanOrEqual(maxSize);
  expect([...cache.keys()].length).toBe(size);
  expect(cache.snapshot().entries.map((e) => e.key).sort()).toEqual([...cache.keys()].sort());
}

describe('a custom policy whose hook throws', () => {
  const cases: Array<[Hook, string, (cache: Cache<string, number>) => unknown]> = [
    ['onInsert', 'set of a new key (after an eviction)', (c) => c.set('d', 4)],
    ['onAccess', 'get of a live key', (c) => c.get('a')],
    ['onUpdate', 'set of a live key', (c) => c.set('a', 10)],
    ['onRemove', 'delete', (c) => c.delete('a')],
    ['onRemove', 'eviction', (c) => c.set('d', 4)],
    ['onMiss', 'get of a missing key', (c) => c.get('zz')],
    ['onClear', 'clear', (c) => c.clear()],
  ];

  it.each(cases)(
    '%s (%s): the command takes effect, events, log and metrics agree, then PolicyContractError with the cause',
    (hook, _, command) => {
      let armed = false;
      const options = { maxCacheSize: 3, strategy: throwing(hook, () => armed), ttl: 0 };
      const cache = new Cache<string, number>({ ...options, scheduler: new VirtualTimeScheduler() });
      const counts = tallied(cache);
      const log: Command<string, number>[] = [];
      cache.commands$.subscribe((c) => log.push(c));
      cache.set('a', 1).set('b', 2).set('c', 3);
      const before = log.length;
      armed = true;
      let thrown: unknown;
      try {
        command(cache);
      } catch (error) {
        thrown = error;
      }
      armed = false;
      expect(thrown).toBeInstanceOf(PolicyContractError);
      expect((thrown as Error).message).toMatch(new RegExp(`"throwing-lifo" threw from ${hook}\\(\\): boom in ${hook}`));
      expect(((thrown as Error).cause as Error).message).toBe(`boom in ${hook}`);
      expect(log.length).toBe(before + 1); // the command is in the log: it took effect
      expectConsistent(cache, counts());
      // The log replays to the same entries (with the policy no longer throwing).
      expect(Cache.replay(log, { ...options, strategy: lifo, scheduler: new VirtualTimeScheduler() }).snapshot().entries).toEqual(
        cache.snapshot().entries,
      );
      // And the cache goes on.
      cache.set('e', 5);
      expect(cache.get('e')).toBe(5);
      expectConsistent(cache, counts());
    },
  );

  it('victim() throwing: PolicyContractError with the cause, and nothing changes', () => {
    let armed = false;
    const cache = cacheWith<number>(throwing('victim', () => armed), 2);
    const counts = tallied(cache);
    cache.set('a', 1).set('b', 2);
    armed = true;
    expect(() => cache.set('c', 3)).toThrow(/threw from victim\(\): boom in victim/);
    armed = false;
    expect(new Set(cache.keys())).toEqual(new Set(['a', 'b']));
    expectConsistent(cache, counts());
  });

  it('a hook that throws during a timer-driven expiry is reported, and expiry goes on', () => {
    const scheduler = new VirtualTimeScheduler();
    let armed = false;
    const cache = new Cache<string, number>({ maxCacheSize: 4, strategy: throwing('onRemove', () => armed), ttl: 10, scheduler });
    const reported: unknown[] = [];
    const previous = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = (error) => reported.push(error);
    try {
      cache.set('a', 1).set('b', 2);
      armed = true;
      scheduler.flush();
    } finally {
      rxConfig.onUnhandledError = previous;
    }
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(PolicyContractError);
    expect(cache.size).toBe(0);
    expect(cache.metrics().expirations).toBe(2);
  });

  it('a hook failing in the expiry a command makes first is reported, and the command still runs', () => {
    const scheduler = new VirtualTimeScheduler();
    let armed = false;
    // Timers late, so that the due entry is expired by the next command, not by the timer.
    const late = { now: () => scheduler.now(), schedule: () => ({ unsubscribe() {} }) } as unknown as VirtualTimeScheduler;
    const cache = new Cache<string, number>({ maxCacheSize: 4, strategy: throwing('onRemove', () => armed), ttl: 0, scheduler: late });
    const reported: unknown[] = [];
    const previous = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = (error) => reported.push(error);
    try {
      cache.set('short', 1, { ttl: 10 }).set('long', 2);
      scheduler.schedule(() => {}, 20);
      scheduler.flush();
      armed = true;
      cache.set('user', 42); // 'short' expires first, and onRemove throws there
      armed = false;
      expect(cache.get('user')).toBe(42);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeInstanceOf(PolicyContractError);
      cache.set('short', 1, { ttl: 10 });
      scheduler.schedule(() => {}, 20);
      scheduler.flush();
      armed = true;
      cache.clear();
      armed = false;
      expect(cache.size).toBe(0);
      expect(reported).toHaveLength(2);
    } finally {
      rxConfig.onUnhandledError = previous;
    }
  });

  it('a nested command whose hook throws throws to its own caller, not to the outer one', () => {
    let armed = false;
    const cache = cacheWith<number>(throwing('onUpdate', () => armed), 4);
    const nested: unknown[] = [];
    cache.on('set').subscribe((event) => {
      if (event.key !== 'user') return;
      armed = true;
      try {
        cache.set('a', 2); // an update: onUpdate throws
      } catch (error) {
        nested.push(error);
      } finally {
        armed = false;
      }
    });
    cache.set('a', 1);
    expect(() => cache.set('user', 42)).not.toThrow();
    expect(nested).toHaveLength(1);
    expect(nested[0]).toBeInstanceOf(PolicyContractError);
    expect(cache.get('a')).toBe(2);
  });

  it('each nesting level gets its own failure; a healthy command run from a handler keeps its events and log entry', () => {
    let failures = 1;
    const options = { maxCacheSize: 8, strategy: throwing('onInsert', () => failures-- > 0), ttl: 0 };
    const cache = new Cache<string, number>({ ...options, scheduler: new VirtualTimeScheduler() });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((command) => log.push(command));
    const counts = tallied(cache);
    const nested: unknown[] = [];
    cache.on('set').subscribe((event) => {
      if (event.key !== 'bad') return;
      try {
        cache.execute({ type: 'set', key: 'y', value: 7, at: event.at }); // healthy
        cache.get('y');
      } catch (error) {
        nested.push(error);
      }
    });
    expect(() => cache.set('bad', 1)).toThrow(/threw from onInsert\(\)/);
    expect(nested).toEqual([]);
    expect(log.map((c) => c.type)).toEqual(['set', 'set', 'get']);
    expectConsistent(cache, counts());
    const replayed = Cache.replay(log, { ...options, strategy: lifo, scheduler: new VirtualTimeScheduler() });
    expect(replayed.snapshot().entries).toEqual(cache.snapshot().entries);
  });

  it('whatever hooks throw and when, the cache stays consistent (property)', () => {
    const hooks: Hook[] = ['onInsert', 'onAccess', 'onUpdate', 'onRemove', 'onMiss', 'onClear', 'victim'];
    const op = fc.oneof(
      fc.record({ type: fc.constant('set' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e'), value: fc.nat(9) }),
      fc.record({ type: fc.constantFrom('get' as const, 'delete' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
      fc.record({ type: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...hooks), fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), fc.array(op, { maxLength: 40 }), (hook, throws, ops) => {
        let call = 0;
        const cache = cacheWith<number>(throwing(hook, () => throws[call++ % throws.length]!), 3);
        const counts = tallied(cache);
        for (const o of ops) {
          applyExpectingContractErrors(cache, o);
          expectConsistent(cache, counts());
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('a custom policy that calls back into its cache from a hook', () => {
  /** LIFO whose `hook` calls `call(cache)` (the cache is set once built). */
  function calling(hook: Hook, call: (cache: Cache<string, number>) => unknown) {
    const box: { cache?: Cache<string, number> } = {};
    const strategy = delegatingPolicy('calling-lifo', lifo, (called) => {
      if (called === hook && box.cache !== undefined) call(box.cache);
    });
    return { strategy, box };
  }

  it('is refused with a PolicyContractError, and the cache stays consistent (the call is not made)', () => {
    const { strategy, box } = calling('onInsert', (c) => c.delete('tmp'));
    const scheduler = new VirtualTimeScheduler();
    const cache = (box.cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 10, strategy, scheduler }));
    const counts = tallied(cache);
    expect(() => cache.set('a', 1, { ttl: 0 })).toThrow(PolicyContractError); // told of 'a' too
    expect(cache.peek('a')).toBe(1);
    // The set itself took effect (the hook is told after the change); its caller learns
    // that the policy broke its contract, and what it tried.
    expect(() => cache.set('tmp', 2)).toThrow(/policy "calling-lifo" tried to delete on the cache from its onInsert\(\) hook/);
    expect(cache.peek('tmp')).toBe(2);
    scheduler.frame = 10;
    scheduler.flush(); // 'tmp' expires: one entry, once
    for (const key of ['c', 'd', 'e']) expect(() => cache.set(key, 0)).toThrow(PolicyContractError);
    expectConsistent(cache, counts());
    expect(cache.size).toBe(2);
  });

  it('from victim(): the command is refused and changes nothing', () => {
    const { strategy, box } = calling('victim', (c) => c.get('a'));
    const cache = (box.cache = cacheWith<number>(strategy, 2));
    cache.set('a', 1).set('b', 2);
    expect(() => cache.set('c', 3)).toThrow(/tried to get on the cache from its victim\(\) hook/);
    expect([...cache.keys()]).toEqual(['a', 'b']);
  });

  it.each([
    ['metrics()', (c: Cache<string, number>) => c.metrics(), 'read metrics'],
    ['snapshot()', (c: Cache<string, number>) => c.snapshot(), 'take a snapshot'],
    ['dispose()', (c: Cache<string, number>) => c.dispose(), 'dispose of the cache'],
    ['peek()', (c: Cache<string, number>) => c.peek('a'), 'peek'],
  ])('%s too (each can expire entries, and so change the shard)', (_, call, operation) => {
    const { strategy, box } = calling('onAccess', call);
    const cache = (box.cache = cacheWith<number>(strategy, 2));
    cache.set('a', 1);
    expect(() => cache.get('a')).toThrow(`tried to ${operation} on the cache from its onAccess() hook`);
    expect(cache.disposed).toBe(false);
    expect(cache.peek('a')).toBe(1);
  });

  it('watch() too: the watch errors with the refusal', () => {
    const errors: unknown[] = [];
    const { strategy, box } = calling('onAccess', (c) => c.watch('a').subscribe({ error: (e: unknown) => errors.push(e) }));
    const cache = (box.cache = cacheWith<number>(strategy, 2));
    cache.set('a', 1);
    expect(cache.get('a')).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PolicyContractError);
    expect(String(errors[0])).toContain('tried to watch on the cache from its onAccess() hook');
  });

  it('an iterator made before, stepped from a hook, is refused too (a step expires what is due)', () => {
    // Two shards of one slot: 'a' on shard 1, 'b' and 'c' on shard 0.
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const a = keys.find((k) => shardOf(k, 2) === 1)!;
    const [b, c] = keys.filter((k) => shardOf(k, 2) === 0);
    const stepping: { iterator?: Iterator<string> } = {};
    const { strategy, box } = calling('victim', () => stepping.iterator?.next());
    const scheduler = new VirtualTimeScheduler();
    const options = { maxCacheSize: 2, shardCount: 2, ttl: 0 };
    const cache = (box.cache = new Cache<string, number>({ ...options, strategy, scheduler }));
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((command) => log.push(command));
    cache.set(a, 0, { ttl: 10 }).set(b!, 1);
    const iterator = (stepping.iterator = cache.keys());
    expect(iterator.next().value).toBe(b); // shard 0 first; 'a' is next
    scheduler.frame = 20; // 'a' is due; its timer has not run
    expect(() => cache.set(c!, 2)).toThrow('tried to iterate on the cache from its victim() hook');
    expect(log.map((command) => command.type)).toEqual(['set', 'set']);
    expect(Cache.replay(log, { ...options, strategy: lifo }).snapshot().entries).toEqual(cache.snapshot().entries);
  });

  it('a refused iterator step moves nothing: outside the hook, the iteration goes on from there', () => {
    const stepping: { iterator?: Iterator<string>; refused?: unknown } = {};
    const { strategy, box } = calling('onAccess', () => {
      try {
        stepping.iterator?.next();
      } catch (error) {
        stepping.refused = error; // a policy that catches the refusal and goes on
      }
    });
    const cache = (box.cache = cacheWith<number>(strategy, 3));
    cache.set('x', 1).set('y', 2).set('z', 3);
    const iterator = (stepping.iterator = cache.keys());
    expect(iterator.next().value).toBe('x');
    expect(cache.get('x')).toBe(1);
    expect(stepping.refused).toBeInstanceOf(PolicyContractError);
    stepping.iterator = undefined;
    expect([...{ [Symbol.iterator]: () => iterator }]).toEqual(['y', 'z']);
  });

  it('a PolicyContractError a hook gets from another cache is its own failure: wrapped, naming this policy', () => {
    const other = cacheWith<number>(throwing('onInsert', () => true), 2);
    const { strategy, box } = calling('onInsert', () => other.set('x', 1));
    const cache = (box.cache = cacheWith<number>(strategy, 2));
    expect(() => cache.set('k', 1)).toThrow(/^macho: policy "calling-lifo" threw from onInsert\(\): macho: policy "throwing-lifo"/);
  });

  it('another cache is not its own: calls to it are fine', () => {
    const other = cacheWith<number>(lifo, 2);
    const { strategy, box } = calling('onInsert', () => other.set('seen', other.size));
    const cache = (box.cache = cacheWith<number>(strategy, 2));
    cache.set('a', 1);
    expect(other.peek('seen')).toBe(0);
  });

  it('whatever it calls from whichever hook, the cache stays consistent and its log replays (property)', () => {
    const hooks: Hook[] = ['onInsert', 'onAccess', 'onUpdate', 'onRemove', 'onMiss', 'onClear', 'victim'];
    const calls: ((c: Cache<string, number>) => unknown)[] = [
      (c) => c.delete('a'),
      (c) => c.set('b', 9),
      (c) => c.get('c'),
      (c) => c.clear(),
      (c) => c.metrics(),
      (c) => c.size,
    ];
    const op = fc.oneof(
      fc.record({ type: fc.constant('set' as const), key: fc.constantFrom('a', 'b', 'c', 'd'), value: fc.nat(9) }),
      fc.record({ type: fc.constantFrom('get' as const, 'delete' as const), key: fc.constantFrom('a', 'b', 'c', 'd') }),
      fc.record({ type: fc.constant('clear' as const) }),
      fc.record({ type: fc.constant('tick' as const) }),
    );
    // Refusals during timer-driven expiries are reported (as a throwing subscriber's error is), not thrown.
    const previous = rxConfig.onUnhandledError;
    const reported: unknown[] = [];
    rxConfig.onUnhandledError = (error) => reported.push(error);
    try {
      fc.assert(
        fc.property(fc.constantFrom(...hooks), fc.nat(calls.length - 1), fc.array(op, { maxLength: 40 }), (hook, which, ops) => {
          const { strategy, box } = calling(hook, calls[which]!);
          const scheduler = new VirtualTimeScheduler();
          const options = { maxCacheSize: 3, ttl: 5, strategy };
          const cache = (box.cache = new Cache<string, number>({ ...options, scheduler }));
          const log: Command<string, number>[] = [];
          cache.commands$.subscribe((c) => log.push(c));
          const counts = tallied(cache);
          for (const o of ops) {
            if (o.type === 'tick') {
              scheduler.frame += 3;
              scheduler.flush();
            } else applyExpectingContractErrors(cache, o);
            expectConsistent(cache, counts());
          }
          const replayed = Cache.replay(log, { ...options, strategy: lifo, scheduler: new VirtualTimeScheduler() });
          expect(replayed.snapshot().entries).toEqual(cache.snapshot().entries);
        }),
        { numRuns: 300 },
      );
    } finally {
      rxConfig.onUnhandledError = previous;
    }
    for (const error of reported) expect(error).toBeInstanceOf(PolicyContractError);
  });
});

describe('a custom policy that breaks its contract otherwise', () => {
  it('a set refused by victim() leaves a load under way for its key to store its value', async () => {
    let fail = false;
    const strategy = delegatingPolicy('flaky-lifo', lifo, (hook) => {
      if (hook === 'victim' && fail) throw new Error('no victim');
    });
    const cache = cacheWith<string>(strategy, 2);
    cache.set('a', 'A').set('b', 'B');
    let release!: (value: string) => void;
    const loading = cache.getOrLoad('c', () => new Promise<string>((resolve) => (release = resolve)));
    fail = true;
    expect(() => cache.set('c', 'direct')).toThrow(PolicyContractError);
    fail = false;
    release('loaded');
    expect(await loading).toBe('loaded');
    expect(cache.peek('c')).toBe('loaded');
  });

  it('a log recorded while a hook threw replays: the commands took effect there too', () => {
    const strategy = delegatingPolicy('picky-lifo', lifo, (hook) => {
      if (hook === 'onAccess') throw new Error('no reads today');
    });
    const options = { maxCacheSize: 2, ttl: 0, strategy };
    const cache = new Cache<string, number>({ ...options, scheduler: new VirtualTimeScheduler() });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((c) => log.push(c));
    cache.set('bad', 1);
    expect(() => cache.get('bad')).toThrow(PolicyContractError);
    cache.set('x', 2);
    const replayed = Cache.replay(log, { ...options, scheduler: new VirtualTimeScheduler() });
    expect(replayed.snapshot().entries).toEqual(cache.snapshot().entries);
    expect(replayed.metrics().hits).toBe(1);
  });

  it('a factory that returns no policy, or one missing methods, is refused when the cache is built, naming the option', () => {
    const build = (strategy: unknown) => () => new Cache({ maxCacheSize: 2, strategy: strategy as PolicyFactory });
    expect(build(() => undefined)).toThrow(TypeError);
    expect(build(() => undefined)).toThrow('macho: option "strategy": the policy factory returned undefined, not a policy object');
    expect(build(() => ({}))).toThrow(
      'option "strategy": the policy (it has no string name) has no onInsert, onAccess, onUpdate, onRemove, victim, onClear method',
    );
    const { onClear: _, ...partial } = lifo({} as PolicyContext);
    expect(build(() => partial)).toThrow('option "strategy": policy "lifo" has no onClear method');
  });

  it('an optional hook or flag of the wrong type is refused at construction, not on every call', () => {
    const build = (extra: object) => () =>
      new Cache({ maxCacheSize: 2, strategy: (context) => ({ ...lifo(context), ...extra }) });
    // An onMiss that is not a function failed every miss, and with it every load.
    expect(build({ onMiss: 5 })).toThrow(TypeError);
    expect(build({ onMiss: 5 })).toThrow('option "strategy": policy "lifo" has an onMiss that is not a function (5)');
    expect(build({ victimsReturn: 'yes' })).toThrow('option "strategy": policy "lifo" has a victimsReturn that is not a boolean ("yes")');
    expect(() => build({ onMiss: undefined, victimsReturn: true })().dispose()).not.toThrow();
    expect(() => build({ onMiss: null, victimsReturn: null })().dispose()).not.toThrow(); // left out, as ever
  });

  it('a policy object whose reading throws (a getter, a Proxy) is refused at construction naming the option', () => {
    const build = (policy: () => unknown) => () => new Cache({ maxCacheSize: 2, strategy: policy as PolicyFactory });
    const proxy = () => new Proxy({}, { get: () => { throw new Error('proxy get'); } });
    expect(build(proxy)).toThrow(TypeError);
    expect(build(proxy)).toThrow('macho: option "strategy": reading the policy object threw: proxy get');
    const badName = (context: PolicyContext) => Object.defineProperty({ ...lifo(context) }, 'name', { get: () => { throw new Error('no name'); } });
    expect(build(() => badName({} as PolicyContext))).toThrow('reading the policy object threw: no name');
  });

  it('a factory that throws, or a class passed as the factory, is refused at construction naming the option', () => {
    const build = (strategy: unknown) => () => new Cache({ maxCacheSize: 2, strategy: strategy as PolicyFactory });
    class LifoPolicy {
      readonly name = 'lifo-class';
      onInsert(): void {}
      onAccess(): void {}
      onUpdate(): void {}
      onRemove(): void {}
      victim(): number {
        return 0;
      }
      onClear(): void {}
    }
    expect(build(LifoPolicy)).toThrow(TypeError);
    expect(build(LifoPolicy)).toThrow(
      'macho: option "strategy": the policy factory threw: Class constructor LifoPolicy cannot be invoked without \'new\'; ' +
        'got a class (LifoPolicy): pass a factory, (context) => new LifoPolicy(context)',
    );
    // The factory's own error is kept as the cause; a RangeError stays a RangeError.
    const tooSmall = new RangeError('needs at least 4 slots');
    let thrown: unknown;
    try {
      build(() => {
        throw tooSmall;
      })();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RangeError);
    expect((thrown as Error).message).toBe('macho: option "strategy": the policy factory threw: needs at least 4 slots');
    expect((thrown as Error).cause).toBe(tooSmall);
    expect(build(() => {
      throw 'nope';
    })).toThrow(new TypeError('macho: option "strategy": the policy factory threw: "nope"'));
    // A class wrapped in a factory is fine.
    expect(build(() => new LifoPolicy())).not.toThrow();
    // Duck-typed: a plain { message } object, and a RangeError from another realm.
    expect(build(() => {
      throw { message: 'plain object' };
    })).toThrow(new TypeError('macho: option "strategy": the policy factory threw: plain object'));
    // What cannot even be read (a throwing getter, a Proxy) still gives the option's error.
    expect(build(() => {
      throw {
        get message(): string {
          throw new Error('getter');
        },
      };
    })).toThrow(new TypeError('macho: option "strategy": the policy factory threw: a value that could not be read'));
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('proxy');
        },
      },
    );
    expect(build(() => {
      throw hostile;
    })).toThrow(new TypeError('macho: option "strategy": the policy factory threw: a value that could not be read'));
    const foreign = vm.runInNewContext('new RangeError("from a vm context")') as unknown;
    expect(build(() => {
      throw foreign;
    })).toThrow(new RangeError('macho: option "strategy": the policy factory threw: from a vm context'));
  });

  it("a configured built-in's own errors pass through unchanged", () => {
    expect(() => new Cache({ maxCacheSize: 10, strategy: clockPro({ nonResidentMultiplier: 1e12 }) })).toThrow(
      new RangeError(
        'macho/clockpro: option "nonResidentMultiplier" (1000000000000) asks for 10000000000000 ghost keys at capacity 10; at most 1073741824 are kept (the capacity is a shard\'s share of "maxCacheSize": a lower multiplier fits, or more shards for a large one)',
      ),
    );
  });

  it.each([
    ['1n', 1n, 'named 1n as victim, which is not a slot number'],
    ['a symbol', Symbol('s'), 'named Symbol(s) as victim, which is not a slot number'],
    ['"0"', '0', 'named "0" as victim, which is not a slot number'],
    ['1.5', 1.5, 'named 1.5 as victim, which is not a slot number'],
    ['NaN', NaN, 'named NaN as victim, which is not a slot number'],
  ])('a victim of %s is a PolicyContractError naming it, and changes nothing', (_, victim, message) => {
    const cache = cacheWith<number>(broken(() => victim as number), 2);
    cache.set('a', 1).set('b', 2);
    expect(() => cache.set('c', 3)).toThrow(PolicyContractError);
    expect(() => cache.set('c', 3)).toThrow(message);
    expect([...cache.keys()]).toEqual(['a', 'b']);
  });
});
