import type { RunDetails } from 'fast-check';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheOptions } from 'macho';
import type { CacheCommandsOptions, CacheModelCommand, VirtualCache } from 'macho/testing';
import {
  CacheModel,
  cacheCommands,
  createCacheModel,
  createVirtualCache,
  runCacheCommands,
} from 'macho/testing';

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

describe('CacheModel', () => {
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
