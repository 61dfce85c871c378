import { describe, expect, it } from 'vitest';
import type { CacheEvent } from 'macho';
import { Cache } from 'macho';
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

  it('stores a synchronous result, with the ttl given', async () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 0, scheduler });
    expect(await cache.getOrLoad('a', () => 1, { ttl: 10 })).toBe(1);
    expect(cache.snapshot().entries).toEqual([{ key: 'a', value: 1, shard: 0, expiresAt: 10 }]);
    advance(scheduler, 10);
    expect(cache.has('a')).toBe(false);
  });

  it('rejects a bad ttl or a missing loader without calling anything', async () => {
    const cache = fresh();
    let calls = 0;
    await expect(cache.getOrLoad('a', () => String(++calls), { ttl: -1 })).rejects.toThrow(/ttl/);
    await expect(cache.getOrLoad('a', undefined as unknown as () => string)).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(0);
    expect(cache.metrics().misses).toBe(0);
  });
});
