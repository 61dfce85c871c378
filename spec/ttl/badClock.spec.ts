import type { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Cache, CacheDisposedError, resolveOptions } from 'macho';
import type { GlitchyClock } from '../fixtures/glitchyClock.js';
import { glitchyClock, withErrorHook } from '../fixtures/glitchyClock.js';
import { advance, virtualClock } from '../fixtures/virtualTime.js';

// A scheduler you pass may misbehave: its readings become every entry's birth and
// expiry time, so a bad one is replaced by the last good one and reported.

// A virtual clock that can read bad, with what the cache reports collected.
function reporting(run: (setup: { virtual: VirtualTimeScheduler; clock: GlitchyClock; reported: unknown[] }) => void): void {
  const virtual = virtualClock();
  const clock = glitchyClock(virtual);
  const reported: unknown[] = [];
  withErrorHook((error) => reported.push(error), () => run({ virtual, clock, reported }));
}

describe('ttl: a scheduler whose clock reads bad', () => {
  it('has a bad reading replaced by the last good one, reported once per run of them; nothing is corrupted', () => {
    reporting(({ virtual, clock, reported }) => {
        const cache = new Cache<string, number>({ ttl: 100, scheduler: clock.scheduler });
        advance(virtual, 10);
        cache.set('a', 1); // born at 10, due at 110
        advance(virtual, 10);
        expect(cache.get('a')).toBe(1); // a good reading: 20
        const times: number[] = [];
        cache.events$.subscribe((event) => times.push(event.at));
        for (const bad of [Number.NaN, Infinity, -Infinity, '7', 'throw']) {
          clock.reading = bad;
          cache.set(`b${String(bad)}`, 2); // stamped with the last good reading, 20
          expect(cache.get('a')).toBe(1);
        }
        expect(times.length).toBeGreaterThan(0);
        expect(times.every((at) => at === 20)).toBe(true);
        expect(reported).toHaveLength(1); // one run of bad readings, one report
        expect(String(reported[0])).toMatch(/the scheduler's now\(\) returned NaN; .*last good reading \(20\)/);
        clock.reading = undefined;
        cache.get('a');
        clock.reading = 'throw';
        cache.get('a');
        expect(reported).toHaveLength(2); // a new run after a good reading
        expect((reported[1] as Error).cause).toEqual(new Error('clock broke'));
        clock.reading = undefined;
        // Every entry expires on time, and lifespans are finite.
        advance(virtual, 90);
        expect(cache.has('a')).toBe(false);
        advance(virtual, 10);
        expect(cache.size).toBe(0);
        expect(cache.metrics()).toMatchObject({ expirations: 6, lifespan: { count: 6, min: 100, max: 100, mean: 100 } });
    });
  });

  it('keeps expiring on time when a bad reading comes as its expiry timer fires', () => {
    reporting(({ virtual, clock, reported }) => {
        const cache = new Cache<string, number>({ ttl: 100, scheduler: clock.scheduler });
        const expired: [string, number][] = [];
        cache.on('expire').subscribe((event) => expired.push([event.key, event.at]));
        cache.set('a', 1);
        advance(virtual, 50);
        cache.set('b', 2); // due at 150
        clock.reading = Number.NaN;
        expect(() => advance(virtual, 50)).not.toThrow(); // the timer for 'a' fires, reading NaN
        clock.reading = undefined;
        expect(reported).toHaveLength(1);
        advance(virtual, 60);
        // Both on time: the firing stands for the time it was armed for.
        expect(expired).toEqual([
          ['a', 100],
          ['b', 150],
        ]);
    });
  });

  it('goes on expiring, on time and without spinning, while the clock stays bad', () => {
    const virtual = virtualClock();
    const clock = glitchyClock(virtual);
    withErrorHook(
      () => {},
      () => {
        const cache = new Cache<string, number>({ ttl: 600_000, scheduler: clock.scheduler });
        expect(clock.reads).toBe(1); // read once at construction
        const expired: [string, number][] = [];
        cache.on('expire').subscribe((event) => expired.push([event.key, event.at]));
        cache.set('a', 1);
        cache.set('b', 2, { ttl: 100 });
        cache.set('c', 3, { ttl: 2_000_000 });
        clock.reading = Number.NaN;
        clock.reads = 0;
        virtual.flush(); // ends: every entry expires, and nothing is left to arm
        expect(expired).toEqual([
          ['b', 100],
          ['a', 600_000],
          ['c', 2_000_000],
        ]);
        expect(clock.reads).toBeLessThan(20);
        expect(cache.size).toBe(0);
      },
    );
  });

  it('completes the command when the error hook itself throws (its error is rethrown on a later tick)', () => {
    const virtual = virtualClock();
    const clock = glitchyClock(virtual);
    const realSetTimeout = globalThis.setTimeout;
    const later: (() => void)[] = [];
    globalThis.setTimeout = ((work: () => void) => void later.push(work)) as unknown as typeof setTimeout;
    try {
      withErrorHook(
        (error) => {
          throw error;
        },
        () => {
          const cache = new Cache<string, number>({ ttl: 100, scheduler: clock.scheduler });
          const log: string[] = [];
          cache.commands$.subscribe((command) => log.push(command.type));
          clock.reading = Number.NaN;
          expect(() => cache.set('a', 1)).not.toThrow();
          expect(log).toEqual(['set']);
          expect(cache.peek('a')).toBe(1);
        },
      );
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    expect(later).toHaveLength(1);
    expect(later[0]).toThrow(/the scheduler's now\(\) returned NaN/);
  });

  it('reports after the command: a hook that writes to or disposes of the cache sees it whole', () => {
    const virtual = virtualClock();
    const clock = glitchyClock(virtual);
    let cache: Cache<string, string> | undefined;
    const sets: string[] = [];
    withErrorHook(
      () => cache!.set('a', 'from the hook'),
      () => {
        cache = new Cache<string, string>({ ttl: 100, scheduler: clock.scheduler });
        cache.on('set').subscribe((event) => sets.push(event.value));
        clock.reading = Number.NaN;
        cache.set('a', 'outer');
      },
    );
    // Events in the order the writes took effect: the last one is what the cache holds.
    expect(sets).toEqual(['outer', 'from the hook']);
    expect(cache!.peek('a')).toBe('from the hook');

    const otherVirtual = virtualClock();
    const otherClock = glitchyClock(otherVirtual);
    const disposing = new Cache<string, string>({ ttl: 100, scheduler: otherClock.scheduler });
    withErrorHook(
      () => disposing.dispose(),
      () => {
        otherClock.reading = Number.NaN;
        disposing.set('b', 'stored, then disposed');
      },
    );
    expect(disposing.disposed).toBe(true);
    expect(disposing.snapshot().size).toBe(1);
    expect(otherVirtual.actions.length).toBe(0); // no timer outlives dispose
  });

  it('reports a bad reading taken by a read or by dispose at once, not with a later command', () => {
    reporting(({ clock, reported }) => {
      const cache = new Cache<string, number>({ ttl: 100, scheduler: clock.scheduler });
      cache.set('a', 1);
      const reads: [string, () => unknown][] = [
        ['peek', () => cache.peek('a')],
        ['has', () => cache.has('a')],
        ['size', () => cache.size],
        ['metrics', () => cache.metrics()],
        ['snapshot', () => cache.snapshot()],
        ['keys', () => [...cache.keys()]],
        ['update (no change)', () => cache.update('a', () => {})],
      ];
      for (const [name, read] of reads) {
        clock.reading = Number.NaN;
        read();
        clock.reading = undefined;
        cache.get('a'); // a good reading ends the run
        expect(reported.length, name).toBe(reads.indexOf(reads.find(([n]) => n === name)!) + 1);
      }
      clock.reading = Number.NaN;
      cache.dispose();
      expect(reported).toHaveLength(reads.length + 1);
    });
  });

  it('a hook that disposes of the cache on a report stops the call that took the reading', async () => {
    const virtual = virtualClock();
    const clock = glitchyClock(virtual);
    let cache: Cache<string, number> | undefined;
    const make = (): Cache<string, number> => {
      clock.reading = undefined;
      cache = new Cache<string, number>({ ttl: 100, shardCount: 2, scheduler: clock.scheduler });
      cache.set('a', 1).set('b', 2);
      return cache;
    };
    let loads = 0;
    const loaded = withErrorHook(
      () => cache!.dispose(),
      () => {
        const loading = make();
        clock.reading = Number.NaN; // read by getOrLoad after its miss
        const answer = loading.getOrLoad('x', () => ++loads);
        const sizing = make();
        clock.reading = Number.NaN;
        expect(() => sizing.size).toThrow(CacheDisposedError);
        expect(sizing.snapshot().size).toBe(2); // nothing changed after the dispose
        const counting = make();
        clock.reading = Number.NaN;
        expect(counting.metrics().size).toBe(2);
        expect(counting.disposed).toBe(true);
        return answer;
      },
    );
    await expect(loaded).rejects.toBeInstanceOf(CacheDisposedError);
    expect(loads).toBe(0);
  });

  it('refuses, in the options check, a scheduler whose first reading is bad, naming the option', () => {
    const virtual = virtualClock();
    const clock = glitchyClock(virtual);
    for (const bad of [Number.NaN, Infinity, '5', 'throw']) {
      clock.reading = bad;
      expect(() => new Cache({ scheduler: clock.scheduler })).toThrow(TypeError);
      expect(() => new Cache({ scheduler: clock.scheduler })).toThrow(/option "scheduler"/);
      expect(() => resolveOptions({ scheduler: clock.scheduler })).toThrow(/option "scheduler"/);
      // In the options' order: the scheduler's error comes before a later option's.
      expect(() => new Cache({ scheduler: clock.scheduler, latencySampleEvery: -1 })).toThrow(/option "scheduler"/);
    }
  });

  it('reads the clock once to build a cache, and starts from that reading', () => {
    const virtual = virtualClock();
    const clock = glitchyClock(virtual);
    advance(virtual, 1_000);
    const cache = new Cache<string, number>({ ttl: 100, scheduler: clock.scheduler });
    expect(clock.reads).toBe(1);
    withErrorHook(
      () => {},
      () => {
        clock.reading = Number.NaN; // the first command's reading is bad: the construction's stands in
        cache.set('a', 1);
      },
    );
    expect(cache.snapshot().entries[0]!.expiresAt).toBe(1_100);
  });
});
