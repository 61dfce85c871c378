import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheEvent } from 'macho';
import { Cache, CacheDisposedError, updateCommand } from 'macho';
import { advance, virtualClock } from '../fixtures/virtualTime.js';

/** A promise settled by hand: the test decides when a load finishes. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A loader that counts its calls and hands out a fresh deferred result for each. */
function manualLoader<T>() {
  const calls: Array<{ key: string; result: ReturnType<typeof deferred<T>> }> = [];
  const load = (key: string): Promise<T> => {
    const result = deferred<T>();
    calls.push({ key, result });
    return result.promise;
  };
  return { load, calls };
}

const fresh = () => new Cache<string, string>({ scheduler: virtualClock() });

describe('lifecycle: getOrLoad', () => {
  it('a loader resolving undefined stores nothing and the next call loads again; null is a value', async () => {
    const cache = new Cache<string, string | null>({ scheduler: virtualClock() });
    let calls = 0;
    const notFound = () => {
      calls++;
      return Promise.resolve(undefined as unknown as string | null);
    };
    expect(await cache.getOrLoad('a', notFound)).toBeUndefined();
    expect(cache.has('a')).toBe(false);
    expect(await cache.getOrLoad('a', notFound)).toBeUndefined();
    expect(calls).toBe(2);
    expect(await cache.getOrLoad('b', () => Promise.resolve(null))).toBeNull();
    expect(await cache.getOrLoad('b', notFound)).toBeNull(); // cached: the loader is not called
    expect(calls).toBe(2);
  });

  it('concurrent callers share one loader call, and the value is stored once', async () => {
    const cache = fresh();
    const sets: CacheEvent[] = [];
    cache.on('set').subscribe((event) => sets.push(event));
    const loader = manualLoader<string>();
    const callers = [cache.getOrLoad('a', loader.load), cache.getOrLoad('a', loader.load), cache.getOrLoad('a', loader.load)];
    const other = cache.getOrLoad('b', loader.load);
    expect(loader.calls.map((c) => c.key)).toEqual(['a', 'b']);
    loader.calls[0]!.result.resolve('A');
    expect(await Promise.all(callers)).toEqual(['A', 'A', 'A']);
    expect(cache.peek('a')).toBe('A');
    expect(sets).toHaveLength(1);
    loader.calls[1]!.result.resolve('B');
    expect(await other).toBe('B');
    // A hit does not call the loader.
    expect(await cache.getOrLoad('a', loader.load)).toBe('A');
    expect(loader.calls).toHaveLength(2);
  });

  it('does not call the loader on a hit', async () => {
    const cache = fresh();
    cache.set('a', 'cached');
    let calls = 0;
    expect(
      await cache.getOrLoad('a', () => {
        calls++;
        return 'loaded';
      }),
    ).toBe('cached');
    expect(calls).toBe(0);
    expect(cache.metrics()).toMatchObject({ hits: 1, misses: 0 });
  });

  it('a rejected load stores nothing, rejects every caller, and a later call retries', async () => {
    const cache = fresh();
    const loader = manualLoader<string>();
    const failure = new Error('backend down');
    const callers = [cache.getOrLoad('a', loader.load), cache.getOrLoad('a', loader.load)];
    loader.calls[0]!.result.reject(failure);
    for (const caller of callers) await expect(caller).rejects.toBe(failure);
    expect(cache.has('a')).toBe(false);
    expect(cache.metrics().sets).toBe(0);

    const retry = cache.getOrLoad('a', loader.load);
    expect(loader.calls).toHaveLength(2);
    loader.calls[1]!.result.resolve('A');
    expect(await retry).toBe('A');
    expect(cache.peek('a')).toBe('A');
  });

  it('a loader that throws synchronously rejects (it does not throw), and a later call retries', async () => {
    const cache = fresh();
    const failure = new Error('sync');
    let result: Promise<string> | undefined;
    expect(() => {
      result = cache.getOrLoad('a', () => {
        throw failure;
      });
    }).not.toThrow();
    await expect(result).rejects.toBe(failure);
    expect(cache.has('a')).toBe(false);
    expect(await cache.getOrLoad('a', () => 'A')).toBe('A');
    expect(cache.peek('a')).toBe('A');
  });

  it('a set during the load wins over the loaded value, which still answers the caller', async () => {
    const cache = fresh();
    const loader = manualLoader<string>();
    const pending = cache.getOrLoad('a', loader.load);
    cache.set('a', 'newer');
    loader.calls[0]!.result.resolve('loaded');
    expect(await pending).toBe('loaded');
    expect(cache.peek('a')).toBe('newer');
  });

  it('a delete or a clear during the load wins too', async () => {
    const cache = fresh();
    const loader = manualLoader<string>();
    const deleted = cache.getOrLoad('a', loader.load);
    cache.delete('a');
    loader.calls[0]!.result.resolve('loaded');
    expect(await deleted).toBe('loaded');
    expect(cache.has('a')).toBe(false);

    const cleared = cache.getOrLoad('b', loader.load);
    cache.clear();
    loader.calls[1]!.result.resolve('loaded');
    expect(await cleared).toBe('loaded');
    expect(cache.has('b')).toBe(false);
    expect(cache.metrics().sets).toBe(0);
  });

  it('a caller arriving after a superseding write reads that write, not the old load', async () => {
    const cache = fresh();
    const loader = manualLoader<string>();
    const first = cache.getOrLoad('a', loader.load);
    cache.set('a', 'newer');
    expect(await cache.getOrLoad('a', loader.load)).toBe('newer');
    expect(loader.calls).toHaveLength(1);
    loader.calls[0]!.result.resolve('old');
    expect(await first).toBe('old');
    expect(cache.peek('a')).toBe('newer');
  });

  it('a write the loader makes before its first await wins too (an async loader runs that far inside the call)', async () => {
    const cache = fresh();
    const pending = cache.getOrLoad('a', async (key) => {
      cache.set(key, 'newer');
      return 'stale';
    });
    expect(await pending).toBe('stale');
    expect(cache.peek('a')).toBe('newer');

    const loader = manualLoader<string>();
    const later = cache.getOrLoad('b', (key) => {
      cache.set(key, 'newer');
      return loader.load(key);
    });
    loader.calls[0]!.result.resolve('stale');
    expect(await later).toBe('stale');
    expect(cache.peek('b')).toBe('newer');
    expect(cache.metrics().sets).toBe(2);
  });

  it('a delete or a clear the loader makes before its first await wins too', async () => {
    const cache = fresh();
    expect(
      await cache.getOrLoad('a', async (key) => {
        cache.delete(key);
        return 'loaded';
      }),
    ).toBe('loaded');
    expect(cache.has('a')).toBe(false);
    cache.set('other', 'x');
    expect(
      await cache.getOrLoad('b', async () => {
        cache.clear();
        return 'loaded';
      }),
    ).toBe('loaded');
    expect(cache.has('b')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('a loader that calls getOrLoad for its own key at once joins its own load: one loader call, one value', async () => {
    const cache = fresh();
    const loader = manualLoader<string>();
    let inner: Promise<string> | undefined;
    let innerCalls = 0;
    const outer = cache.getOrLoad('a', (key) => {
      inner = cache.getOrLoad(key, () => {
        innerCalls++;
        return 'second load';
      });
      return loader.load(key);
    });
    expect(inner).toBeDefined();
    loader.calls[0]!.result.resolve('A');
    expect(await outer).toBe('A');
    expect(await inner).toBe('A'); // joined, and settled: no deadlock
    expect(innerCalls).toBe(0);
    expect(loader.calls).toHaveLength(1);
    expect(cache.peek('a')).toBe('A');
    expect(cache.metrics()).toMatchObject({ misses: 2, sets: 1 });
  });

  it('a caller that joined a load from inside a synchronously throwing loader is rejected with it', async () => {
    const cache = fresh();
    const failure = new Error('sync');
    let inner: Promise<string> | undefined;
    const outer = cache.getOrLoad('a', (key) => {
      inner = cache.getOrLoad(key, () => 'other');
      throw failure;
    });
    await expect(outer).rejects.toBe(failure);
    await expect(inner).rejects.toBe(failure);
    expect(await cache.getOrLoad('a', () => 'A')).toBe('A'); // nothing left in flight
  });

  it('property: whatever is done to its key (by the loader before or after its first await, or by an expiry handler as the load stores), the newer write stays', async () => {
    type Step = { type: 'set'; value: string } | { type: 'delete' } | { type: 'clear' } | { type: 'join' };
    const step = fc.oneof(
      fc.record({ type: fc.constant('set' as const), value: fc.constantFrom('x', 'y', 'z') }),
      fc.constant({ type: 'delete' as const }),
      fc.constant({ type: 'clear' as const }),
      fc.constant({ type: 'join' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 5 }), fc.array(step, { maxLength: 5 }), fc.array(step, { maxLength: 5 }), async (before, after, asItStores) => {
        const scheduler = virtualClock();
        const cache = new Cache<string, string>({ scheduler });
        let loaderCalls = 0;
        const joined: Array<Promise<string>> = [];
        // What the key holds, by a model: the load's result unless a later write or delete came.
        let model: string | undefined = 'loaded';
        let written = false;
        const run = (steps: Step[]): void => {
          for (const s of steps) {
            if (s.type === 'join') {
              // Joins the load while it is in flight; after a write or delete it reads or
              // starts anew (a second load, which the model does not follow: skip those).
              if (!written) joined.push(cache.getOrLoad('k', () => 'never called'));
              continue;
            }
            written = true;
            if (s.type === 'set') {
              cache.set('k', s.value);
              model = s.value;
            } else {
              if (s.type === 'delete') cache.delete('k');
              else cache.clear();
              model = undefined;
            }
          }
        };
        // The store expires what is due first: here an entry whose timer has not run yet
        // (a busy event loop), whose 'expire' handler does the third list of steps.
        // A superseded load stores nothing, so expires nothing: the entry then expires on
        // a later read, after the load, and its handler has nothing to do.
        let storing = false;
        let handlerRan = false;
        cache.on('expire').subscribe(() => {
          if (!storing) return;
          handlerRan = true;
          run(asItStores);
        });
        const value = await cache.getOrLoad('k', async () => {
          loaderCalls++;
          run(before);
          await Promise.resolve();
          run(after);
          cache.set('due', 'soon', { ttl: 1 });
          scheduler.frame += 5;
          storing = !written;
          return 'loaded';
        });
        const stored = storing;
        storing = false;
        expect(handlerRan).toBe(stored);
        expect(value).toBe('loaded');
        expect(loaderCalls).toBe(1);
        for (const other of await Promise.all(joined)) expect(other).toBe('loaded');
        expect(cache.peek('k')).toBe(model);
        cache.dispose();
      }),
      { numRuns: 300 },
    );
  });

  it('stores a synchronous result, with the ttl given', async () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 0, scheduler });
    expect(await cache.getOrLoad('a', () => 1, { ttl: 10 })).toBe(1);
    expect(cache.snapshot().entries).toEqual([{ key: 'a', value: 1, shard: 0, expiresAt: 10 }]);
    advance(scheduler, 10);
    expect(cache.has('a')).toBe(false);
  });

  it('rejects a bad ttl, unknown or malformed options, or a missing loader without calling anything', async () => {
    const cache = fresh();
    let calls = 0;
    await expect(cache.getOrLoad('a', () => String(++calls), { ttl: -1 })).rejects.toThrow(/ttl/);
    // A misspelt guard must not silently mean "no guard" (the origin unprotected).
    await expect(cache.getOrLoad('a', () => String(++calls), { gaurd: () => false } as never)).rejects.toThrow(
      /unknown option "gaurd"; known options are ttl, guard/,
    );
    await expect(cache.getOrLoad('a', () => String(++calls), 5_000 as never)).rejects.toThrow(/options must be an object; got 5000/);
    await expect(cache.getOrLoad('a', undefined as unknown as () => string)).rejects.toBeInstanceOf(TypeError);
    await expect(cache.getOrLoad('a', { ttl: 5 } as never)).rejects.toThrow(/needs a loader function; got an object/);
    expect(calls).toBe(0);
    expect(cache.metrics().misses).toBe(0);
  });

  it('reads its options at the call: changing the object while the load runs changes nothing', async () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, string>({ ttl: 0, scheduler });
    const { load, calls } = manualLoader<string>();
    const options = { ttl: 10 };
    const loaded = cache.getOrLoad('a', load, options);
    options.ttl = -1; // would be refused, had the store read it
    calls[0]!.result.resolve('A');
    expect(await loaded).toBe('A');
    expect(cache.snapshot().entries).toEqual([{ key: 'a', value: 'A', shard: 0, expiresAt: 10 }]);
  });

  it('a loader resolving undefined writes nothing: no delete in the log, none of a newer write', async () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, string>({ scheduler });
    const log: string[] = [];
    cache.commands$.subscribe((c) => log.push(c.type));
    cache.set('due', 'x', { ttl: 1 });
    // Stored by an 'expire' handler that runs as the load finishes (its timer late).
    cache.on('expire').subscribe(() => cache.set('k', 'newer'));
    const loaded = cache.getOrLoad('k', async () => {
      await Promise.resolve();
      scheduler.frame = 5;
      return undefined as unknown as string;
    });
    expect(await loaded).toBeUndefined();
    expect(cache.peek('k')).toBe('newer');
    expect(log).toEqual(['set', 'get', 'expire', 'set']);
  });

  it("an 'expire' handler that calls getOrLoad as the load stores joins it: one loader call, one value", async () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, string>({ scheduler });
    const { load, calls } = manualLoader<string>();
    let joined: Promise<string> | undefined;
    cache.on('expire').subscribe(() => {
      joined = cache.getOrLoad('k', load);
    });
    cache.set('due', 'x', { ttl: 1 });
    const first = cache.getOrLoad('k', load);
    scheduler.frame = 5; // 'due' is due; its timer has not run (a busy event loop)
    calls[0]!.result.resolve('loaded');
    expect(await first).toBe('loaded');
    expect(await joined).toBe('loaded');
    expect(calls).toHaveLength(1);
    expect(cache.peek('k')).toBe('loaded');
  });

  it('an update command for the key while it loads changes nothing, as update() does: the load still stores', async () => {
    const cache = fresh();
    const { load, calls } = manualLoader<string>();
    const loaded = cache.getOrLoad('k', load);
    expect(cache.update('k', () => 'never')).toBeUndefined();
    expect(cache.execute(updateCommand('k', 'never', 0))).toBe(false);
    calls[0]!.result.resolve('loaded');
    expect(await loaded).toBe('loaded');
    expect(cache.peek('k')).toBe('loaded');
    expect(await cache.getOrLoad('k', load)).toBe('loaded');
    expect(calls).toHaveLength(1);
  });

  it('answers with what a subscriber of its own miss stored (a second tier warming this one), without a load', async () => {
    const cache = new Cache<string, number>({ scheduler: virtualClock() });
    const secondTier = new Map([['a', 42]]);
    cache.on('miss').subscribe(({ key }) => {
      const warm = secondTier.get(key);
      if (warm !== undefined) cache.set(key, warm);
    });
    let calls = 0;
    await expect(cache.getOrLoad('a', () => ++calls)).resolves.toBe(42);
    await expect(cache.getOrLoad('b', () => ++calls)).resolves.toBe(1);
    expect(calls).toBe(1);
    expect(cache.peek('a')).toBe(42);
    expect(cache.metrics()).toMatchObject({ hits: 0, misses: 2, sets: 2 });
  });

  it("a 'miss' handler that starts loads, as the README writes it, ends: one load per key, stored", async () => {
    const cache = new Cache<string, number>({ scheduler: virtualClock() });
    let release!: (value: number) => void;
    let loads = 0;
    const loadUser = (): Promise<number> => {
      loads++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const warming = new Set<string>();
    let handled = 0;
    cache.on('miss').subscribe(({ key }) => {
      handled++;
      if (warming.has(key)) return; // this handler's own getOrLoad, or one joining it
      warming.add(key);
      cache.getOrLoad(key, loadUser).finally(() => warming.delete(key)).catch(() => {});
    });
    expect(cache.get('u')).toBeUndefined(); // returns: the handler met its own miss and stopped
    expect(handled).toBe(2);
    expect(cache.get('u')).toBeUndefined(); // a miss while loading: no second load
    expect(loads).toBe(1);
    release(7);
    await Promise.resolve();
    await Promise.resolve();
    expect(cache.get('u')).toBe(7);
    expect(warming.size).toBe(0);
  });

  it('rejects with CacheDisposedError, without calling the loader, when a subscriber of its own miss disposed of the cache', async () => {
    const cache = new Cache<string, number>({ scheduler: virtualClock() });
    cache.on('miss').subscribe(() => cache.dispose());
    let calls = 0;
    await expect(cache.getOrLoad('a', () => ++calls)).rejects.toBeInstanceOf(CacheDisposedError);
    expect(calls).toBe(0);
  });
});
