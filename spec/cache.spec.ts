import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { CacheEvent, Command } from 'macho';
import { Cache, CacheDisposedError, shardOf } from 'macho';

const virtual = () => new VirtualTimeScheduler();

/** Moves virtual time forward by `ms`, running the timers due by then and no others. */
function advance(scheduler: VirtualTimeScheduler, ms: number): void {
  scheduler.maxFrames = scheduler.now() + ms;
  scheduler.schedule(() => {}, ms);
  scheduler.flush();
}

describe('Cache: the public contract in brief', () => {
  it('stores, reads and removes like a Map', () => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: virtual() });
    expect(cache.set('a', 1)).toBe(cache);
    expect(cache.add('b', 2)).toBe(cache);
    expect(cache.get('a')).toBe(1);
    expect(cache.peek('b')).toBe(2);
    expect(cache.has('a')).toBe(true);
    expect(cache.size).toBe(2);
    expect([...cache]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.has('a')).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('works at the largest capacity, TTLs and clear() included, without touching slots it never used', () => {
    // clear() emptied the whole entry array (a fatal out-of-memory at 2^30 entries), and
    // the expiry index filled 8 bytes per slot of capacity on the first TTL (8 GiB).
    const scheduler = virtual();
    const cache = new Cache<number, number>({ maxCacheSize: 2 ** 30, ttl: 100, scheduler });
    for (let i = 0; i < 1_000; i++) cache.set(i, i);
    cache.delete(5);
    cache.set(5, 5); // revived in place
    cache.set(7, 7, { ttl: 10 }); // out of write order: the expiry heap
    advance(scheduler, 10);
    expect(cache.has(7)).toBe(false);
    expect(cache.get(5)).toBe(5);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get(1)).toBeUndefined();
    cache.set(1, 1, { ttl: 50 }).set(2, 2).set(3, 3, { ttl: 0 });
    cache.delete(2);
    cache.set(2, 2);
    expect([cache.get(1), cache.get(2), cache.get(3)]).toEqual([1, 2, 3]);
    expect(cache.snapshot().entries.map((e) => [e.key, e.expiresAt])).toEqual([
      [1, 60],
      [3, undefined],
      [2, 110],
    ]);
    advance(scheduler, 50);
    expect([cache.has(1), cache.has(2), cache.has(3)]).toEqual([false, true, true]);
    cache.dispose();
  });

  it('evicts the least recently used key, as lru-cache does', () => {
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 0, scheduler: virtual() });
    const evicted: string[] = [];
    cache.on('evict').subscribe((e) => evicted.push(e.key));
    cache.set('a', 1).set('b', 2);
    cache.get('a'); // a is now the most recent
    cache.set('c', 3);
    expect(evicted).toEqual(['b']);
    expect([...cache.keys()].sort()).toEqual(['a', 'c']);
  });

  it('never returns an entry at or after its expiry, and expires it once', () => {
    const scheduler = virtual();
    const cache = new Cache<string, number>({ ttl: 100, scheduler });
    const expired: CacheEvent[] = [];
    cache.on('expire').subscribe((e) => expired.push(e));
    cache.set('a', 1);
    cache.set('b', 2, { ttl: 50 });
    advance(scheduler, 50);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    advance(scheduler, 50);
    expect(cache.size).toBe(0);
    expect(expired.map((e) => e.key)).toEqual(['b', 'a']);
  });

  it('replays its command log into an identical snapshot', () => {
    const scheduler = virtual();
    const options = { maxCacheSize: 3, shardCount: 2, strategy: 'random' as const, seed: 9, ttl: 30 };
    const cache = new Cache<string, number>({ ...options, scheduler });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((c) => log.push(c));
    for (let i = 0; i < 20; i++) {
      cache.set(`k${i % 7}`, i);
      cache.get(`k${(i * 3) % 7}`);
      if (i % 5 === 0) {
        advance(scheduler, 10);
      }
    }
    const snapshot = cache.snapshot();
    const replayed = Cache.replay(JSON.parse(JSON.stringify(log)) as typeof log, { ...options, scheduler: virtual() });
    expect(replayed.snapshot()).toEqual(snapshot);
  });

  it('throws a clear error after dispose', () => {
    const cache = new Cache({ scheduler: virtual() });
    cache.dispose();
    expect(() => cache.get('a')).toThrow(CacheDisposedError);
    expect(() => cache.set('a', 1)).toThrow(/disposed/);
    expect(cache.metrics().size).toBe(0);
  });

  it('iterators never hand out an entry that left the cache before they reached it', () => {
    const scheduler = new VirtualTimeScheduler();
    const cache = new Cache<string, number>({ ttl: 100, shardCount: 2, scheduler });
    cache.set('a', 1).set('b', 2, { ttl: 1_000 }).set('c', 3, { ttl: 1_000 });
    const entries = cache.entries();
    const values = cache.values();
    advance(scheduler, 150); // 'a' expires between the call and the reading
    cache.set('c', 30);
    expect(new Map(entries)).toEqual(new Map([['b', 2], ['c', 30]]));
    expect([...values].sort((x, y) => x - y)).toEqual([2, 30]);

    // Deleted in the loop before the loop reaches it: skipped, as in a Map.
    const seen: string[] = [];
    const order = [...cache.keys()];
    for (const key of cache.keys()) {
      seen.push(key);
      cache.delete(order[1]!);
    }
    expect(seen).toEqual([order[0]]);
  });

  it('an iteration that dispose() interrupts ends with the entries as left', () => {
    const cache = new Cache<string, number>({ scheduler: new VirtualTimeScheduler() });
    cache.set('a', 1).set('b', 2).set('c', 3);
    const seen: string[] = [];
    for (const [key] of cache) {
      seen.push(key);
      cache.dispose();
    }
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('its iterators are built-in-like, as a Map\'s are: on %IteratorPrototype%, so iterator helpers apply', () => {
    const cache = new Cache<string, number>({ scheduler: new VirtualTimeScheduler() });
    cache.set('a', 1).set('b', 2);
    const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as Record<string, unknown>;
    const iterators = [cache.keys(), cache.values(), cache.entries(), cache[Symbol.iterator]()];
    for (const iterator of iterators) expect(Object.getPrototypeOf(iterator)).toBe(iteratorPrototype);
    // As Node 22+ (or a polyfill) gives every iterator: here a stand-in on the prototype.
    const had = Object.hasOwn(iteratorPrototype, 'toArray');
    if (!had) iteratorPrototype.toArray = function (this: Iterator<unknown>) { return [...{ [Symbol.iterator]: () => this }]; };
    try {
      expect((cache.keys() as unknown as { toArray(): string[] }).toArray()).toEqual(['a', 'b']);
    } finally {
      if (!had) delete iteratorPrototype.toArray;
    }
  });

  it('forEach passes thisArg as this, as Map.forEach does', () => {
    const cache = new Cache<string, number>({ scheduler: new VirtualTimeScheduler() });
    cache.set('a', 1);
    const context = { seen: 0 };
    cache.forEach(function (this: typeof context) {
      this.seen++;
    }, context);
    expect(context.seen).toBe(1);
  });

  it('shardOf refuses a shard count that is not an integer ≥ 1', () => {
    expect(shardOf('a', 1)).toBe(0);
    expect(() => shardOf('a', 0)).toThrow(RangeError);
    expect(() => shardOf('a', 2.5)).toThrow(/shardCount that is an integer ≥ 1; got 2.5/);
  });
});
