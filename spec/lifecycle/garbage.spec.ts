import { describe, expect, it } from 'vitest';
import { VirtualTimeScheduler } from 'rxjs';
import { Cache } from 'macho';
import { createVirtualCache } from 'macho/testing';
import { canGc, collect } from '../../bench/gc.js';

// In a function of its own, so that no local of the test holds the cache.
function dropped(ttl: number, dispose: boolean): WeakRef<Cache<string, number[]>> {
  const cache = new Cache<string, number[]>({ maxCacheSize: 100, ttl }); // the real clock
  for (let i = 0; i < 100; i++) cache.set(`k${i}`, new Array<number>(100).fill(i));
  if (dispose) cache.dispose();
  return new WeakRef(cache);
}

// A cache left in one of the states below, dropped: a WeakRef to it.
function droppedAfter(leave: (cache: Cache<string, number[]>) => void, scheduler?: VirtualTimeScheduler): WeakRef<Cache<string, number[]>> {
  const cache = new Cache<string, number[]>({ maxCacheSize: 100, ttl: 600_000, ...(scheduler ? { scheduler } : {}) });
  for (let i = 0; i < 100; i++) cache.set(`k${i}`, new Array<number>(100).fill(i));
  leave(cache);
  return new WeakRef(cache);
}

async function collectedSoon(ref: WeakRef<object>): Promise<boolean> {
  // A WeakRef's target lives at least until the current job ends.
  await new Promise((resolve) => setImmediate(resolve));
  collect();
  return ref.deref() === undefined;
}

describe('lifecycle: a cache nobody references', () => {
  // A pending expiry keeps its cache (its subscribers still expect the event); with none
  // pending, or once disposed, nothing else does.
  it.each([
    ['no TTL, not disposed', 0, false],
    ['entries due in ten minutes, disposed', 600_000, true],
  ] as const)('is collected: %s', async (_, ttl, dispose) => {
    expect(canGc).toBe(true);
    const ref = dropped(ttl, dispose);
    // A WeakRef's target lives at least until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    expect(ref.deref()).toBeUndefined();
  });

  it('is collected once disposed, though a loader of its getOrLoad never settles (the loader still holds its promise)', async () => {
    expect(canGc).toBe(true);
    const hung: ((value: number[]) => void)[] = []; // an HTTP client's table of requests in flight
    const ref = droppedAfter((cache) => {
      void cache.getOrLoad('slow', () => new Promise<number[]>((resolve) => hung.push(resolve))).catch(() => {});
      cache.dispose();
    });
    expect(await collectedSoon(ref)).toBe(true);
    expect(hung).toHaveLength(1);
  });

  it('is collected, not disposed, once clear() or deletes leave nothing to expire (no timer waits for nothing)', async () => {
    expect(canGc).toBe(true);
    const cleared = droppedAfter((cache) => cache.clear());
    const emptied = droppedAfter((cache) => {
      for (let i = 0; i < 100; i++) cache.delete(`k${i}`);
    });
    expect(await collectedSoon(cleared)).toBe(true);
    expect(await collectedSoon(emptied)).toBe(true);
  });

  it('is collected, not disposed, once its last entry with a TTL is overwritten without one, or evicted', async () => {
    expect(canGc).toBe(true);
    const withOneTtl = (leave: (cache: Cache<string, number>) => void): WeakRef<Cache<string, number>> => {
      const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 0 });
      cache.set('timed', 1, { ttl: 600_000 });
      leave(cache);
      return new WeakRef(cache);
    };
    const overwritten = withOneTtl((cache) => cache.set('timed', 2));
    const evicted = withOneTtl((cache) => cache.set('a', 1).set('b', 2));
    expect(await collectedSoon(overwritten)).toBe(true);
    expect(await collectedSoon(evicted)).toBe(true);
  });

  it('is collected, not disposed, after its virtual scheduler dropped the expiry timer (a flush that met a throwing action)', async () => {
    expect(canGc).toBe(true);
    const ref = droppedAfter((cache) => {
      const scheduler = (cache.options.scheduler as VirtualTimeScheduler);
      scheduler.schedule(() => {
        throw new Error('a failed assertion in a scheduled action');
      }, 10);
      expect(() => scheduler.flush()).toThrow('a failed assertion');
    }, new VirtualTimeScheduler());
    expect(await collectedSoon(ref)).toBe(true);
  });

  it('many caches made and disposed in one synchronous run are collectable before it ends', () => {
    expect(canGc).toBe(true);
    let finalised = 0;
    const registry = new FinalizationRegistry(() => void finalised++);
    for (let i = 0; i < 200; i++) {
      const cache = new Cache<number, number>({ maxCacheSize: 10, ttl: 1_000 });
      cache.set(1, 1);
      cache.dispose();
      registry.register(cache, i);
    }
    collect(); // inside the job: nothing may pin them until it ends
    return new Promise<void>((resolve) =>
      setImmediate(() =>
        setImmediate(() => {
          expect(finalised).toBeGreaterThanOrEqual(190);
          resolve();
        }),
      ),
    );
  });

  it('so are virtual caches (macho/testing), one scheduler each or one shared, made and disposed in one run', async () => {
    expect(canGc).toBe(true);
    let finalised = 0;
    const registry = new FinalizationRegistry(() => void finalised++);
    const shared = new VirtualTimeScheduler();
    for (let i = 0; i < 200; i++) {
      const virtual = createVirtualCache<number, number>({ maxCacheSize: 10, ttl: 1_000, ...(i % 2 === 0 ? { scheduler: shared } : {}) });
      virtual.cache.set(1, 1);
      if (i % 4 < 2) virtual.dispose();
      else virtual.cache.dispose(); // the cache's own dispose, not the VirtualCache's
      registry.register(virtual.cache, i);
    }
    collect();
    // Finalisers run as tasks of their own, after the collection.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(finalised).toBeGreaterThanOrEqual(190);
    expect(shared.now()).toBe(0); // the shared scheduler is still held here
  });
});
