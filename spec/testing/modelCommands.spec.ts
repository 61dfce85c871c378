import type { RunDetails } from 'fast-check';
import fc from 'fast-check';
import { immerable } from 'immer';
import { describe, expect, it } from 'vitest';
import type { CacheOptions, PolicyFactory, StrategyName, UpdateRecipe } from 'macho';
import { BUILTIN_POLICIES, fifoPolicy } from 'macho';
import type { CacheCommandsOptions, CacheModelCommand, VirtualCache } from 'macho/testing';
import {
  applyOperation,
  CacheModel,
  cacheCommands,
  cacheOperations,
  createCacheModel,
  createVirtualCache,
  runCacheCommands,
} from 'macho/testing';
import { delegatingPolicy } from '../support/delegatingPolicy.js';

const KEYS = ['a', 'b', 'c', 'd', 'e'];

describe('cacheCommands + runCacheCommands', () => {
  const configs: CacheOptions[] = [
    { maxCacheSize: 2, ttl: 50 },
    { maxCacheSize: 3, ttl: 0, strategy: 'fifo' },
    { maxCacheSize: 4, shardCount: 2, ttl: 100, strategy: 'random', bloom: true },
    { maxCacheSize: 5, shardCount: 5, ttl: 30, strategy: 'lru', bloom: true },
  ];

  it.each(configs)('finds the cache consistent with the model for %o', (config) => {
    fc.assert(
      fc.property(fc.commands(cacheCommands(KEYS, fc.nat(4), { maxAdvance: 40 }), { maxCommands: 60 }), (commands) => {
        runCacheCommands(commands, config);
      }),
      { numRuns: 150 },
    );
  });

  it('checks only the answers and the capacity with invariants: false', () => {
    fc.assert(
      fc.property(fc.commands(cacheCommands(KEYS, fc.nat(4), { invariants: false })), (commands) => {
        runCacheCommands(commands, { maxCacheSize: 2, ttl: 20 });
      }),
      { numRuns: 100 },
    );
  });

  it('describes each command as code', () => {
    const [arbitrary] = cacheCommands(['k'], [7], { weights: { set: 1, get: 0, peek: 0, has: 0, delete: 0, update: 0, clear: 0, advance: 0 }, ttl: fc.constant(5) });
    const [command] = fc.sample(arbitrary!, 1);
    expect(command!.toString()).toBe('set("k", 7, { ttl: 5 })');
    expect(command!.operation).toEqual({ type: 'set', key: 'k', value: 7, ttl: 5 });
    expect(command!.check(new CacheModel({ ttl: 0, capacity: 1 }))).toBe(true);
  });
});

// Runs generated commands against a virtual cache broken by `breakIt`.
function findBug(breakIt: (virtual: VirtualCache<string, number>) => void, options: CacheCommandsOptions = {}) {
  return fc.check(
    fc.property(fc.commands(cacheCommands(KEYS.slice(0, 3), fc.nat(4), { maxAdvance: 40, ...options })), (commands) => {
      const real = createVirtualCache<string, number>({ maxCacheSize: 2, ttl: 50 });
      breakIt(real);
      try {
        fc.modelRun(() => ({ model: createCacheModel<string, number>(real.cache), real }), commands);
      } finally {
        real.dispose();
      }
    }),
    { numRuns: 500, seed: 1 },
  );
}

function failure<T>(result: RunDetails<T>): string {
  return result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
}

describe('the model catches a broken cache', () => {
  it('a get that returns a deleted value', () => {
    const result = findBug(({ cache }) => {
      const seen = new Map<string, number>();
      const { set, get } = cache;
      cache.set = (key, value, opts) => (seen.set(key, value), set.call(cache, key, value, opts));
      cache.get = (key) => get.call(cache, key) ?? seen.get(key);
    });
    expect(result.failed).toBe(true);
    expect(failure(result)).toMatch(/get\("\w"\) returned \d, but "\w" has no live value/);
  });

  it('a peek that returns an expired value', () => {
    const result = findBug(
      ({ cache, now }) => {
        // Remembers each write with its expiry, and answers with it once expired.
        const written = new Map<string, { value: number; expiresAt: number }>();
        const { set, peek, delete: del, clear } = cache;
        cache.set = (key, value, opts) => {
          const ttl = opts?.ttl ?? 50;
          written.set(key, { value, expiresAt: ttl === 0 ? Infinity : now() + ttl });
          return set.call(cache, key, value, opts);
        };
        cache.peek = (key) => {
          const stale = written.get(key);
          return stale !== undefined && stale.expiresAt <= now() ? stale.value : peek.call(cache, key);
        };
        cache.delete = (key) => (written.delete(key), del.call(cache, key));
        cache.clear = () => (written.clear(), clear.call(cache));
      },
      { maxAdvance: 100 },
    );
    expect(result.failed).toBe(true);
    expect(failure(result)).toMatch(/peek\("\w"\) returned \d, but "\w" has no live value/);
  });

  it('a size above the capacity (checked even with invariants: false)', () => {
    const result = findBug(
      ({ cache }) => {
        Object.defineProperty(cache, 'size', { get: () => 3 });
      },
      { invariants: false },
    );
    expect(result.failed).toBe(true);
    expect(failure(result)).toMatch(/size 3 exceeds maxCacheSize 2/);
  });

  it('a broken invariant (through checkInvariants)', () => {
    const result = findBug(({ cache }) => {
      const metrics = cache.metrics.bind(cache);
      cache.metrics = () => ({ ...metrics(), hitRatio: 2 });
    });
    expect(result.failed).toBe(true);
    expect(failure(result)).toMatch(/hitRatio 2 is outside \[0, 1\]/);
  });

  it('shrinks to a short sequence', () => {
    const result = findBug(({ cache }) => {
      const { get } = cache;
      cache.get = (key) => get.call(cache, key) ?? 99;
    });
    expect(result.failed).toBe(true);
    const [commands] = result.counterexample as [Iterable<CacheModelCommand<string, number>>];
    expect([...commands].map(String)).toEqual(['get("a")']);
  });
});

describe('the model, fed the events, bounds the cache from below too', () => {
  it('catches a cache that loses entries (an absent answer no event explains)', () => {
    const result = findBug(({ cache }) => {
      cache.peek = () => undefined;
    });
    expect(result.failed).toBe(true);
    expect(failure(result)).toMatch(
      /peek\("\w"\) returned undefined, but "\w" holds \d (until \d+|with no expiry) \(now \d+\), and no event removed it/,
    );
    const [commands] = result.counterexample as [Iterable<CacheModelCommand<string, number>>];
    const shrunk = [...commands].map(String);
    expect(shrunk).toHaveLength(2);
    expect(shrunk[0]).toMatch(/^set\("\w", \d/);
    expect(shrunk[1]).toMatch(/^peek\("\w"\)$/);
  });

  it('catches a cache that expires entries 1 ms early (the model knows set time + TTL)', () => {
    const result = findBug(
      ({ cache }) => {
        const { set } = cache;
        cache.set = (key, value, opts) => set.call(cache, key, value, { ttl: Math.max(1, (opts?.ttl ?? 50) - 1) });
      },
      { invariants: false, ttl: fc.constant(undefined) },
    );
    expect(result.failed).toBe(true);
    expect(failure(result)).toMatch(/"\w" expired at (\d+), but it was written to expire at|returned (undefined|false), but "\w" holds/);
  });

  it('catches a cache of 2 that makes room too early, with a delete', () => {
    // Makes room one entry early by deleting the oldest: a 'delete' during a set.
    const deleting = findBug(({ cache }) => {
      const { set } = cache;
      cache.set = (key, value, opts) => {
        if (!cache.has(key) && cache.size === 1) cache.delete([...cache.keys()][0]!);
        return set.call(cache, key, value, opts);
      };
    });
    expect(deleting.failed).toBe(true);
    expect(failure(deleting)).toMatch(/set\("\w", \d.*\): a 'delete' event for "\w"; only delete\("\w"\) deletes it/);
  });

  it('catches a cache that updates a value immer cannot draft (it must refuse)', () => {
    const result = fc.check(
      fc.property(fc.commands(cacheCommands(['a', 'b'], fc.date({ noInvalidDate: true }))), (commands) => {
        const real = createVirtualCache<string, Date>({ maxCacheSize: 3 });
        const { update, peek, set } = real.cache;
        // A cache that "updates" a Date by overwriting it.
        real.cache.update = (key, recipe) => {
          const current = peek.call(real.cache, key);
          if (!(current instanceof Date)) return update.call(real.cache, key, recipe as UpdateRecipe<Date>);
          const next = (recipe as UpdateRecipe<Date>)(current) as Date;
          set.call(real.cache, key, next);
          return next;
        };
        try {
          fc.modelRun(() => ({ model: createCacheModel<string, Date>(real.cache), real }), commands);
        } finally {
          real.dispose();
        }
      }),
      { numRuns: 300, seed: 3 },
    );
    expect(result.failed).toBe(true);
    expect(failure(result)).toMatch(/update\("\w", \(\) => new Date\(".*"\)\) returned new Date\(".*"\), but the current value new Date\(".*"\) cannot be drafted by immer/);
  });
});

class Money {
  constructor(readonly cents: number) {}
}

class Draftable {
  [immerable] = true;
  constructor(readonly n: number) {}
}

describe('values of any type (update follows the cache: no update of what immer cannot draft)', () => {
  const anyValue = fc.oneof(
    fc.date({ noInvalidDate: false }),
    fc.nat(5).map((n) => new Money(n)),
    fc.nat(5).map((n) => new Draftable(n)),
    fc.nat(5).map((n) => ({ n })),
    fc.constantFrom(new Map([['k', 1]]), new Set([1]), /re/, [1, 2]),
    fc.string({ maxLength: 2 }),
    fc.double(),
    fc.constant(undefined),
  );

  it('runCacheCommands holds with Dates (the audit\'s seed), class instances, plain objects and more', () => {
    fc.assert(
      fc.property(fc.commands(cacheCommands(['a', 'b'], fc.date())), (commands) => {
        runCacheCommands(commands, { maxCacheSize: 3 });
      }),
      { numRuns: 200, seed: 892545437 },
    );
    fc.assert(
      fc.property(fc.commands(cacheCommands(['a', 'b', 'c'], anyValue, { maxAdvance: 50 })), (commands) => {
        runCacheCommands(commands, { maxCacheSize: 2, ttl: 100 });
      }),
      { numRuns: 300 },
    );
  });

  it('applyOperation takes the refusal: the value stays, and is returned', () => {
    const virtual = createVirtualCache<string, Money>();
    const money = new Money(5);
    applyOperation(virtual, { type: 'set', key: 'a', value: money });
    expect(() => virtual.cache.update('a', () => new Money(6))).toThrow(/macho: update\(\) cannot draft the value of "a", an instance of Money/);
    expect(applyOperation(virtual, { type: 'update', key: 'a', value: new Money(6) })).toBe(money);
    expect(virtual.cache.peek('a')).toBe(money);
    fc.assert(
      fc.property(cacheOperations(['a'], fc.nat(5).map((n) => new Money(n))), (ops) => {
        const v = createVirtualCache<string, Money>();
        for (const op of ops) applyOperation(v, op);
        v.dispose();
      }),
      { numRuns: 200 },
    );
    virtual.dispose();
  });

  it('applyOperation still throws a refusal of a value immer can draft (that would be a cache bug)', () => {
    const virtual = createVirtualCache<string, { n: number }>();
    virtual.cache.set('a', { n: 1 });
    virtual.cache.update = () => {
      throw new TypeError('macho: update() cannot draft the value of "a", a plain object');
    };
    expect(() => applyOperation(virtual, { type: 'update', key: 'a', value: { n: 2 } })).toThrow(TypeError);
    virtual.dispose();
  });
});

describe('no false failures: every built-in policy, shards, filters, TTL, a custom policy', () => {
  // A custom policy (checked by the cache, unlike the built-in ones): FIFO, delegated.
  const custom: PolicyFactory = delegatingPolicy('customFifo', fifoPolicy);

  const strategies: Array<StrategyName | PolicyFactory> = [...(Object.keys(BUILTIN_POLICIES) as StrategyName[]), custom];
  const shapes: CacheOptions[] = [
    { maxCacheSize: 3, ttl: 60 },
    { maxCacheSize: 6, shardCount: 3, ttl: 40, bloom: true },
    { maxCacheSize: 4, shardCount: 2, ttl: 0, bloom: true, filter: 'cuckoo' },
  ];

  it.each(strategies.map((strategy) => [typeof strategy === 'string' ? strategy : 'custom', strategy] as const))(
    '%s',
    (_, strategy) => {
      for (const shape of shapes) {
        fc.assert(
          fc.property(fc.commands(cacheCommands(['a', 'b', 'c', 'd', 'e'], fc.nat(3), { maxAdvance: 50 }), { maxCommands: 60 }), (commands) => {
            runCacheCommands(commands, { ...shape, strategy });
          }),
          { numRuns: 60 },
        );
      }
    },
  );
});

describe('CacheModel', () => {
  it('refuses an init it cannot model, naming the field', () => {
    expect(() => new CacheModel(null as never)).toThrow(/CacheModel takes \{ ttl, capacity, now\? \}/);
    expect(() => new CacheModel({ ttl: -1, capacity: 2 })).toThrow(RangeError);
    expect(() => new CacheModel({ ttl: NaN, capacity: 2 })).toThrow(/ttl must be ≥ 0/);
    expect(() => new CacheModel({ ttl: 0, capacity: 0 })).toThrow(/capacity must be an integer ≥ 1; got 0/);
    expect(() => new CacheModel({ ttl: 0, capacity: '2' as never })).toThrow(/capacity must be a number/);
    expect(() => new CacheModel({ ttl: 0, capacity: 2, now: null as never })).toThrow(/now must be a number; got null/);
    expect(() => new CacheModel({ ttl: 0, capacity: 2, now: Infinity })).toThrow(/now must be a finite number/);
    expect(new CacheModel({ ttl: Infinity, capacity: 2, now: 5 })).toMatchObject({ ttl: 0, capacity: 2, now: 5 });
  });

  it('with events: an absent answer must be explained by an event', () => {
    const model = new CacheModel<string, number>({ ttl: 100, capacity: 2 });
    expect(model.observe({ type: 'set', key: 'a', value: 1 }, undefined, [])).toEqual([]);
    expect(model.observe({ type: 'get', key: 'a' }, undefined, [])).toEqual([
      `get("a") returned undefined, but "a" holds 1 until 100 (now 0), and no event removed it ('evict', 'expire', 'delete' or 'clear')`,
    ]);
    model.observe({ type: 'set', key: 'a', value: 1 }, undefined, []);
    const evicted = { type: 'evict', key: 'a', value: 1, shard: 0, at: 0 } as const;
    expect(model.observe({ type: 'set', key: 'b', value: 2 }, undefined, [evicted])).toEqual([]);
    expect(model.observe({ type: 'has', key: 'a' }, false, [])).toEqual([]);
    expect(model.observe({ type: 'has', key: 'b' }, false, [])).toHaveLength(1);
    expect(model.observe({ type: 'delete', key: 'c' }, false, [{ type: 'delete', key: 'z', value: 0, shard: 0, at: 0 }])).toEqual([
      `delete("c"): a 'delete' event for "z"; only delete("z") deletes it`,
    ]);
  });

  it('with events: an expiry must come at or after set time + TTL', () => {
    const model = new CacheModel<string, number>({ ttl: 100, capacity: 2 });
    model.observe({ type: 'set', key: 'a', value: 1 }, undefined, []);
    const early = { type: 'expire', key: 'a', value: 1, expiredAt: 99, shard: 0, at: 99 } as const;
    expect(model.observe({ type: 'advance', ms: 99 }, undefined, [early])).toEqual([
      'advance(99): "a" expired at 99, but it was written to expire at 100',
    ]);
    model.observe({ type: 'set', key: 'b', value: 2, ttl: 0 }, undefined, []);
    const never = { type: 'expire', key: 'b', value: 2, expiredAt: 150, shard: 0, at: 150 } as const;
    expect(model.observe({ type: 'advance', ms: 51 }, undefined, [never])).toEqual([
      'advance(51): "b" expired at 150, but it was written to expire at no time (no TTL)',
    ]);
  });

  it('expects update to refuse a value immer cannot draft, and keep it', () => {
    const model = new CacheModel<string, unknown>({ ttl: 0, capacity: 2 });
    const date = new Date(0);
    model.observe({ type: 'set', key: 'a', value: date }, undefined, []);
    expect(model.observe({ type: 'update', key: 'a', value: 5 }, date, [])).toEqual([]);
    expect(model.entries.get('a')?.value).toBe(date);
    expect(model.observe({ type: 'update', key: 'a', value: 5 }, 5, [])).toEqual([
      'update("a", () => 5) returned 5, but the current value new Date("1970-01-01T00:00:00.000Z") cannot be drafted by immer: the cache must refuse the update (TypeError) and keep it',
    ]);
  });


  it('accepts any subset of what may be live, and learns evictions from absent answers', () => {
    const model = new CacheModel<string, number>({ ttl: 100, capacity: 2 });
    expect(model.observe({ type: 'set', key: 'a', value: 1 }, undefined)).toEqual([]);
    expect(model.observe({ type: 'get', key: 'a' }, 1)).toEqual([]);
    expect(model.observe({ type: 'peek', key: 'a' }, undefined)).toEqual([]); // evicted: possible
    expect(model.entries.has('a')).toBe(false);
    expect(model.observe({ type: 'get', key: 'a' }, 1)).toEqual([
      'get("a") returned 1, but "a" has no live value (never written, or deleted, cleared, expired or seen evicted)',
    ]);
  });

  it('expires entries with the cache TTL or their own, and checks update and delete', () => {
    const model = new CacheModel<string, number>({ ttl: 100, capacity: 5, now: 1_000 });
    model.observe({ type: 'set', key: 'a', value: 1 }, undefined);
    model.observe({ type: 'set', key: 'b', value: 2, ttl: 10 }, undefined);
    model.observe({ type: 'set', key: 'c', value: 3, ttl: Infinity }, undefined);
    expect(model.entries.get('a')).toEqual({ value: 1, expiresAt: 1_100 });
    expect(model.entries.get('c')).toEqual({ value: 3, expiresAt: Infinity });
    expect(model.observe({ type: 'advance', ms: 10 }, undefined)).toEqual([]);
    expect(model.observe({ type: 'has', key: 'b' }, true)).toHaveLength(1);
    expect(model.observe({ type: 'update', key: 'a', value: 9 }, 8)).toEqual(['update("a", () => 9) returned 8, expected 9']);
    expect(model.observe({ type: 'update', key: 'a', value: 9 }, 9)).toEqual([]);
    expect(model.entries.get('a')).toEqual({ value: 9, expiresAt: 1_100 }); // update keeps the expiry
    expect(model.observe({ type: 'delete', key: 'b' }, true)).toHaveLength(1);
    expect(model.observe({ type: 'delete', key: 'a' }, 'yes' as never)).toEqual(['delete("a") returned "yes", not a boolean']);
    expect(model.liveCount).toBe(1);
    model.observe({ type: 'clear' }, undefined);
    expect(model.liveCount).toBe(0);
  });

  it('compares a snapshot: entries it does not hold, other values, other expiry', () => {
    const model = new CacheModel<string, number>({ ttl: 0, capacity: 5 });
    model.observe({ type: 'set', key: 'a', value: 1 }, undefined);
    model.observe({ type: 'set', key: 'b', value: 2, ttl: 50 }, undefined);
    const snapshot = (entries: Array<{ key: string; value: number; shard: number; expiresAt?: number }>) => ({
      version: 0,
      at: 0,
      size: entries.length,
      entries,
    });
    expect(model.compareSnapshot(snapshot([{ key: 'b', value: 2, shard: 0, expiresAt: 50 }]))).toEqual([]);
    expect(
      model.compareSnapshot(
        snapshot([
          { key: 'a', value: 5, shard: 0 },
          { key: 'b', value: 2, shard: 0, expiresAt: 60 },
          { key: 'z', value: 0, shard: 0 },
        ]),
      ),
    ).toEqual([
      'snapshot() holds "a" = 5, but the last value written is 1',
      'snapshot() says "b" expires at 60, the model at 50',
      'snapshot() holds "z", but "z" has no live value (never written, or deleted, cleared, expired or seen evicted)',
    ]);
  });

  it('createCacheModel takes the TTL, capacity and time of a cache', () => {
    const virtual = createVirtualCache({ maxCacheSize: 9, ttl: Infinity });
    virtual.advance(40);
    const model = createCacheModel(virtual.cache);
    expect([model.ttl, model.capacity, model.now]).toEqual([0, 9, 40]);
    virtual.dispose();
  });
});
