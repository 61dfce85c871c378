import { describe, expect, it } from 'vitest';
import type { Observable } from 'rxjs';
import type { Command } from 'macho';
import { Cache, CacheDisposedError } from 'macho';
import { advance, lateTimers, pendingActions, virtualClock } from '../fixtures/virtualTime.js';

/** Subscribes and records whether the stream completed (or errored). */
function track(stream: Observable<unknown>): { completed: () => boolean; error: () => unknown; values: unknown[] } {
  let completed = false;
  let error: unknown;
  const values: unknown[] = [];
  stream.subscribe({ next: (v) => values.push(v), complete: () => (completed = true), error: (e) => (error = e) });
  return { completed: () => completed, error: () => error, values };
}

describe('lifecycle: dispose()', () => {
  it('completes every stream and cancels the expiry timer', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 100, scheduler });
    const streams = {
      commands: track(cache.commands$),
      events: track(cache.events$),
      evictions: track(cache.on('evict')),
      metrics: track(cache.metrics$),
      snapshots: track(cache.snapshots$),
      watchA: track(cache.watch('a')),
      watchB: track(cache.watch('b')),
    };
    cache.set('a', 1);
    cache.set('b', 2, { ttl: 5_000 });
    advance(scheduler, 0); // the stream ticks, so that only the expiry timer waits
    expect(pendingActions(scheduler)).toBe(1);
    for (const [name, stream] of Object.entries(streams)) expect(stream.completed(), name).toBe(false);

    cache.dispose();
    for (const [name, stream] of Object.entries(streams)) {
      expect(stream.completed(), name).toBe(true);
      expect(stream.error(), name).toBeUndefined();
    }
    expect(pendingActions(scheduler)).toBe(0);
    expect(cache.disposed).toBe(true);
    // Nothing fires later either.
    const events = streams.events.values.length;
    advance(scheduler, 10_000);
    expect(streams.events.values).toHaveLength(events);
  });

  it('completes snapshots$ and metrics$ at once even with a tick pending, leaving no timer behind', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 0, scheduler });
    const metrics = track(cache.metrics$);
    const snapshots = track(cache.snapshots$);
    cache.set('a', 1); // both streams now wait for the next tick
    cache.dispose();
    expect(metrics.completed()).toBe(true);
    expect(snapshots.completed()).toBe(true);
    expect(pendingActions(scheduler)).toBe(0);
    // The last change was not lost: each stream's final value shows it.
    expect(snapshots.values.at(-1)).toMatchObject({ size: 1 });
    expect(metrics.values.at(-1)).toMatchObject({ sets: 1, size: 1 });
  });

  it('makes later operations throw CacheDisposedError; metrics() and snapshot() still answer', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, { n: number }>({ scheduler });
    cache.set('a', { n: 1 });
    const snapshot = cache.snapshot();
    const metrics = cache.metrics();
    cache.dispose();
    const operations: Array<[string, () => unknown]> = [
      ['get', () => cache.get('a')],
      ['set', () => cache.set('a', { n: 2 })],
      ['add', () => cache.add('a', { n: 2 })],
      ['peek', () => cache.peek('a')],
      ['has', () => cache.has('a')],
      ['delete', () => cache.delete('a')],
      ['clear', () => cache.clear()],
      ['update', () => cache.update('a', (draft) => void (draft.n += 1))],
      ['size', () => cache.size],
      ['keys', () => cache.keys()],
      ['values', () => cache.values()],
      ['entries', () => cache.entries()],
      ['iterate', () => [...cache]],
      ['forEach', () => cache.forEach(() => {})],
      ['execute', () => cache.execute({ type: 'get', key: 'a', at: 0 } as Command<string, { n: number }>)],
    ];
    for (const [name, operation] of operations) expect(operation, name).toThrow(CacheDisposedError);
    expect(cache.snapshot()).toEqual(snapshot);
    expect(cache.metrics()).toEqual(metrics);
  });

  it('removes what has expired before it completes, even when the expiry timer is late', () => {
    const virtual = virtualClock();
    const cache = new Cache<string, number>({ scheduler: lateTimers(virtual, 1_000) });
    const events = track(cache.events$);
    const commands = track(cache.commands$);
    cache.set('a', 1, { ttl: 10 }).set('b', 2);
    advance(virtual, 15); // 'a' is due; its timer fires only at 1,010
    cache.dispose();
    expect(cache.snapshot().entries.map((entry) => entry.key)).toEqual(['b']);
    expect(cache.metrics()).toMatchObject({ size: 1, expirations: 1 });
    expect(events.values.map((event) => (event as { type: string }).type)).toEqual(['set', 'set', 'expire']);
    expect(events.completed()).toBe(true);
    // The log ends with the expiry, so a replay ends where the cache did.
    const replayed = Cache.replay(commands.values as Command<string, number>[], { scheduler: virtualClock() });
    expect(replayed.snapshot().entries.map((entry) => entry.key)).toEqual(['b']);
    expect(pendingActions(virtual)).toBe(0);
  });

  it('called from an event handler, still delivers what was already applied, then completes', () => {
    const virtual = virtualClock();
    const cache = new Cache<string, number>({ scheduler: lateTimers(virtual, 1_000), shardCount: 4 });
    const types: string[] = [];
    const commands = track(cache.commands$);
    cache.events$.subscribe({
      next: (event) => {
        types.push(event.type);
        if (event.type === 'set' && event.key === 'z') cache.dispose();
      },
      complete: () => types.push('complete'),
    });
    for (const key of 'abcdefgh') cache.set(key, 1, { ttl: 10 });
    advance(virtual, 15); // all eight are due; their timer fires only at 1,010
    cache.set('z', 2); // its own shard's expiries go first; dispose removes the rest
    expect(cache.snapshot().entries.map((entry) => entry.key)).toEqual(['z']);
    expect(types.filter((type) => type === 'expire')).toHaveLength(cache.metrics().expirations);
    expect(cache.metrics().expirations).toBe(8);
    expect(types.at(-1)).toBe('complete');
    const replayed = Cache.replay(commands.values as Command<string, number>[], { shardCount: 4, scheduler: virtualClock() });
    expect(replayed.snapshot().entries.map((entry) => entry.key)).toEqual(['z']);
  });

  it('called again by a subscriber of its own final expiries, still expires everything due once; that subscriber sees it disposed', () => {
    const virtual = virtualClock();
    const cache = new Cache<string, number>({ scheduler: lateTimers(virtual, 1_000), shardCount: 4 });
    let expired = 0;
    const seen: Array<{ disposed: boolean; set: unknown }> = [];
    cache.on('expire').subscribe(() => {
      expired++;
      cache.dispose();
      // dispose() has returned: the cache is disposed for this caller too.
      let set: unknown;
      try {
        cache.set('written-after-dispose', 1);
      } catch (error) {
        set = error;
      }
      seen.push({ disposed: cache.disposed, set });
    });
    for (const key of 'abcdefgh') cache.set(key, 1, { ttl: 10 });
    advance(virtual, 15);
    cache.dispose();
    expect(seen).toHaveLength(8);
    for (const { disposed, set } of seen) {
      expect(disposed).toBe(true);
      expect(set).toBeInstanceOf(CacheDisposedError);
    }
    expect(cache.disposed).toBe(true);
    expect(expired).toBe(8);
    expect(cache.metrics().expirations).toBe(8);
    expect(cache.snapshot().entries).toHaveLength(0);
  });

  it("metrics$ subscribed by a handler of dispose's final expiries, after it called dispose() itself, ends on the final figures", () => {
    const virtual = virtualClock();
    const cache = new Cache<string, number>({ scheduler: lateTimers(virtual, 1_000), shardCount: 4, ttl: 10 });
    for (const key of 'abcdefgh') cache.set(key, 1);
    cache.set('stays', 1, { ttl: 1_000 });
    advance(virtual, 15);
    const sizes: number[] = [];
    let subscribed = false;
    cache.on('expire').subscribe(() => {
      if (subscribed) return;
      subscribed = true;
      cache.dispose(); // the first call goes on expiring the other shards
      cache.metrics$.subscribe((metrics) => sizes.push(metrics.size));
    });
    cache.dispose();
    expect(cache.metrics().size).toBe(1);
    expect(sizes.at(-1)).toBe(1);
  });

  it('rejects getOrLoad and errors watch after dispose, without calling the loader', async () => {
    const cache = new Cache<string, number>({ scheduler: virtualClock() });
    cache.dispose();
    let calls = 0;
    await expect(cache.getOrLoad('a', () => ++calls)).rejects.toBeInstanceOf(CacheDisposedError);
    await expect(cache.getOrLoad('a', () => ++calls)).rejects.toThrow(/cannot getOrLoad/);
    // Disposal is the error reported, bad arguments or not, as by every other method.
    await expect(cache.getOrLoad('a', 42 as never)).rejects.toBeInstanceOf(CacheDisposedError);
    await expect(cache.getOrLoad('a', () => ++calls, 5 as never)).rejects.toBeInstanceOf(CacheDisposedError);
    expect(calls).toBe(0);
    const watched = track(cache.watch('a'));
    expect(watched.error()).toBeInstanceOf(CacheDisposedError);
    expect((watched.error() as Error).message).toMatch(/cannot watch/);
    // Streams subscribed after dispose complete at once.
    expect(track(cache.events$).completed()).toBe(true);
    expect(track(cache.commands$).completed()).toBe(true);
  });

  it('can be called twice, and from inside an event handler', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, number>({ ttl: 10, scheduler });
    const seen: string[] = [];
    let completed = 0;
    cache.events$.subscribe({
      next: (event) => {
        seen.push(`${event.type}:${String(event.key)}`);
        if (event.key === 'b') cache.dispose();
      },
      complete: () => completed++,
    });
    cache.set('a', 1);
    expect(() => cache.set('b', 2)).not.toThrow();
    expect(cache.disposed).toBe(true);
    expect(() => cache.dispose()).not.toThrow();
    expect(seen).toEqual(['set:a', 'set:b']);
    expect(completed).toBe(1);
    expect(pendingActions(scheduler)).toBe(0);
    expect(() => cache.set('c', 3)).toThrow(CacheDisposedError);
  });

  describe('by an expire handler of the expiries that go first, interrupts the command that ran them', () => {
    // Before a command runs, what is due is expired and its events delivered. A handler
    // that disposes of the cache then leaves the command nothing to run on: the call
    // throws as it would on a cache already disposed, and the cache stays as dispose()
    // left it (no write, no hit or miss, no log entry, no new timer).
    function interrupted(shardCount = 1) {
      const virtual = virtualClock();
      const cache = new Cache<string, { n: number }>({ ttl: 100, shardCount, scheduler: lateTimers(virtual, 1_000) });
      const log: string[] = [];
      cache.commands$.subscribe({ next: (c) => log.push(c.type), complete: () => log.push('|complete') });
      cache.on('expire').subscribe(() => cache.dispose());
      cache.set('a', { n: 1 });
      advance(virtual, 150); // 'a' is due; its timer fires only at 1,100
      return { virtual, cache, log };
    }

    const at = 150;
    const operations: Array<[string, RegExp, (cache: Cache<string, { n: number }>) => unknown]> = [
      ['set', /cannot set/, (cache) => cache.set('b', { n: 2 })],
      ['set of a due key', /cannot set/, (cache) => cache.set('a', { n: 2 })],
      ['add', /cannot set/, (cache) => cache.add('b', { n: 2 })],
      ['set(key, undefined)', /cannot set/, (cache) => cache.set('a', undefined as unknown as { n: number })],
      ['get', /cannot get/, (cache) => cache.get('a')],
      ['delete', /cannot delete/, (cache) => cache.delete('a')],
      ['clear', /cannot clear/, (cache) => cache.clear()],
      ['update', /cannot update/, (cache) => cache.update('a', (draft) => void (draft.n += 1))],
      ['peek', /cannot peek/, (cache) => cache.peek('a')],
      ['has', /cannot call has/, (cache) => cache.has('a')],
      ['size', /cannot read size/, (cache) => cache.size],
      ['keys', /cannot iterate/, (cache) => cache.keys()],
      ['iterate', /cannot iterate/, (cache) => [...cache]],
      ['execute set', /cannot execute/, (cache) => cache.execute({ type: 'set', key: 'b', value: { n: 2 }, at })],
      ['execute get', /cannot execute/, (cache) => cache.execute({ type: 'get', key: 'a', at })],
      ['execute delete', /cannot execute/, (cache) => cache.execute({ type: 'delete', key: 'a', at })],
      ['execute update', /cannot execute/, (cache) => cache.execute({ type: 'update', key: 'a', value: { n: 2 }, at })],
      ['execute clear', /cannot execute/, (cache) => cache.execute({ type: 'clear', at })],
    ];

    it.each(operations)('%s throws CacheDisposedError and changes nothing', (_, message, operation) => {
      const { virtual, cache, log } = interrupted();
      let error: unknown;
      try {
        operation(cache);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CacheDisposedError);
      expect((error as Error).message).toMatch(message);
      expect(() => operation(cache)).toThrow(message); // a second call: the same, as on any disposed cache
      expect(cache.disposed).toBe(true);
      expect(cache.snapshot().entries).toEqual([]);
      expect(cache.metrics()).toMatchObject({ sets: 1, expirations: 1, hits: 0, misses: 0, deletes: 0, size: 0 });
      expect(log).toEqual(['set', 'expire', '|complete']);
      expect(pendingActions(virtual)).toBe(0);
    });

    it('clear() over several shards: every due entry expires once, and no clear is applied', () => {
      const { virtual, cache, log } = interrupted(4);
      // More entries due, in other shards than 'a' too; dispose() expires them itself.
      for (const key of 'bcdefgh') cache.execute({ type: 'set', key, value: { n: 0 }, at: 0 });
      expect(() => cache.clear()).toThrow(CacheDisposedError);
      expect(cache.snapshot().entries).toEqual([]);
      expect(cache.metrics()).toMatchObject({ sets: 8, expirations: 8, size: 0 });
      expect(log.filter((type) => type === 'clear')).toEqual([]);
      expect(log.at(-1)).toBe('|complete');
      expect(pendingActions(virtual)).toBe(0);
    });

    it('getOrLoad rejects without calling the loader; watch errors', async () => {
      let calls = 0;
      const loading = interrupted();
      await expect(loading.cache.getOrLoad('b', () => ({ n: ++calls }))).rejects.toThrow(/cannot getOrLoad/);
      expect(calls).toBe(0);
      expect(loading.cache.snapshot().entries).toEqual([]);
      expect(pendingActions(loading.virtual)).toBe(0);

      const watching = interrupted();
      const watched = track(watching.cache.watch('a'));
      expect(watched.error()).toBeInstanceOf(CacheDisposedError);
      expect((watched.error() as Error).message).toMatch(/cannot watch/);
      expect(watched.values).toEqual([]);
    });

    it('a load finishing then answers its callers and stores nothing, as one that finishes after dispose', async () => {
      const virtual = virtualClock();
      const cache = new Cache<string, number>({ ttl: 100, scheduler: lateTimers(virtual, 1_000) });
      cache.set('a', 1);
      let resolve!: (value: number) => void;
      const pending = cache.getOrLoad('b', () => new Promise<number>((r) => (resolve = r)));
      cache.on('expire').subscribe(() => cache.dispose());
      advance(virtual, 150); // 'a' is due: storing 'b' expires it first
      resolve(42);
      await expect(pending).resolves.toBe(42);
      expect(cache.disposed).toBe(true);
      expect(cache.snapshot().entries).toEqual([]);
      expect(cache.metrics()).toMatchObject({ sets: 1, expirations: 1 });
      expect(pendingActions(virtual)).toBe(0);
    });

    it('metrics() and snapshot() still answer, with the cache as left', () => {
      const first = interrupted();
      expect(first.cache.metrics()).toMatchObject({ sets: 1, expirations: 1, size: 0 });
      expect(first.cache.disposed).toBe(true);
      const second = interrupted();
      expect(second.cache.snapshot()).toMatchObject({ size: 0, entries: [] });
      expect(second.cache.disposed).toBe(true);
      expect(pendingActions(second.virtual)).toBe(0);
    });
  });

  it('by an update recipe, leaves the value as it was and throws CacheDisposedError', () => {
    const scheduler = virtualClock();
    const cache = new Cache<string, { n: number }>({ ttl: 100, scheduler });
    cache.set('a', { n: 1 });
    const log: string[] = [];
    cache.commands$.subscribe((command) => log.push(command.type));
    const update = () =>
      cache.update('a', (draft) => {
        cache.dispose();
        draft.n = 2;
      });
    expect(update).toThrow(/cannot update/);
    expect(cache.snapshot().entries).toEqual([{ key: 'a', value: { n: 1 }, shard: 0, expiresAt: 100 }]);
    expect(cache.metrics().sets).toBe(1);
    expect(log).toEqual([]);
    expect(pendingActions(scheduler)).toBe(0);
  });

  it('a load that finishes after dispose answers its caller and stores nothing', async () => {
    const cache = new Cache<string, number>({ scheduler: virtualClock() });
    let resolve!: (value: number) => void;
    const pending = cache.getOrLoad('a', () => new Promise<number>((r) => (resolve = r)));
    const snapshot = cache.snapshot();
    cache.dispose();
    resolve(42);
    await expect(pending).resolves.toBe(42);
    expect(cache.snapshot()).toBe(snapshot);
  });
});
