import { asyncScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cache, cachedClockScheduler, exactClockScheduler, unrefScheduler } from '../../src/index.js';

// Only Date is faked: setTimeout stays real, so no cache timer runs while the wall
// clock jumps, which is what long synchronous work between two cache calls looks like.
afterEach(() => void vi.useRealTimers());

function jumpWallClock(ms: number): void {
  vi.setSystemTime(Date.now() + ms);
}

describe('exactClockScheduler', () => {
  it('reads the wall clock on every call', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
    expect(exactClockScheduler.now()).toBe(1_000_000);
    jumpWallClock(1_500);
    expect(exactClockScheduler.now()).toBe(1_001_500);
  });

  it('never serves an entry whose TTL passed during synchronous work, and expires it once', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 5_000_000 });
    const cache = new Cache<string, string>({ ttl: 20, scheduler: exactClockScheduler });
    const expired: string[] = [];
    cache.on('expire').subscribe(({ key }) => expired.push(key));
    cache.set('token', 'secret');
    jumpWallClock(19);
    expect(cache.get('token')).toBe('secret');
    jumpWallClock(1_500); // e.g. a long synchronous computation, no cache call
    expect(cache.has('token')).toBe(false);
    expect(cache.get('token')).toBeUndefined();
    expect(expired).toEqual(['token']);
    expect(cache.metrics().expirations).toBe(1);
    cache.dispose();
  });
});

describe('the default clock (cached) with entries that can expire', () => {
  it('never serves an entry whose TTL passed during synchronous work, and expires it once', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 7_000_000 });
    const cache = new Cache<string, string>({ ttl: 20 });
    const expired: string[] = [];
    cache.on('expire').subscribe(({ key }) => expired.push(key));
    cache.set('token', 'secret');
    jumpWallClock(19);
    expect(cache.get('token')).toBe('secret');
    jumpWallClock(1); // a clock set forward by a test, or synchronous work: no timer ran
    expect(cache.has('token')).toBe(false);
    expect(cache.get('token')).toBeUndefined();
    expect(expired).toEqual(['token']);
    cache.dispose();
  });

  it('starts a TTL at the time of its write, also after long work in a cache that had none', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 9_000_000 });
    const cache = new Cache<string, string>({ ttl: 0 });
    cache.set('plain', 'x'); // no TTL: the cached reading serves
    expect(cache.get('plain')).toBe('x');
    jumpWallClock(5_000); // the cached reading is now 5 s behind
    cache.set('token', 'secret', { ttl: 20 });
    expect(cache.snapshot().entries.find((e) => e.key === 'token')?.expiresAt).toBe(9_005_020);
    expect(cache.get('token')).toBe('secret');
    // Stamps never run back once the entry is gone and the cached reading serves again.
    cache.delete('token');
    cache.set('later', 'y');
    expect(cache.snapshot().at).toBeGreaterThanOrEqual(9_005_000);
    cache.dispose();
  });
});

describe('cachedClockScheduler', () => {
  it('keeps the cached reading for every command: a wall-clock jump is seen at the next refresh (every 64 reads)', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 11_000_000 });
    // Until the module-wide reading refreshes (at most 64 reads): it is fresh from here.
    while (cachedClockScheduler.now() !== Date.now());
    const cache = new Cache<string, string>({ ttl: 20, scheduler: cachedClockScheduler });
    cache.set('token', 'secret');
    jumpWallClock(1_000);
    let served = 0;
    while (cache.get('token') !== undefined) served++;
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThanOrEqual(64);
    cache.dispose();
  });
});

describe('the default scheduler inside TestScheduler.run()', () => {
  it("is asyncScheduler, which the run makes virtual: TTLs expire in the run's time", () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ expectObservable, flush }) => {
      const cache = new Cache<string, number>({ ttl: 100 });
      expect(cache.options.scheduler).toBe(asyncScheduler);
      expectObservable(cache.on('expire'), '^ 200ms !').toBe('100ms a', { a: expect.objectContaining({ key: 'a', at: 100 }) });
      cache.set('a', 1);
      flush();
      expect(cache.has('a')).toBe(false);
      cache.dispose();
    });
  });

  it("is asyncScheduler also when Date is faked to a time near the run's frames", () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ flush }) => {
      const cache = new Cache<string, number>({ ttl: 100 });
      expect(cache.options.scheduler).toBe(asyncScheduler);
      cache.set('a', 1);
      flush();
      expect(cache.has('a')).toBe(false);
      cache.dispose();
    });
    expect(Date.now()).toBe(0); // the probe put Date.now back
  });

  it('is unrefScheduler outside a run', () => {
    expect(new Cache({}).options.scheduler).toBe(unrefScheduler);
  });
});
