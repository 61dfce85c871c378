import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cache, exactClockScheduler } from '../../src/index.js';

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
