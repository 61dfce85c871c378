import { describe, expect, it } from 'vitest';
import { Cache } from 'macho';
import { canGc, collect } from '../../bench/gc.js';

// In a function of its own, so that no local of the test holds the cache.
function dropped(ttl: number): WeakRef<Cache<string, number[]>> {
  const cache = new Cache<string, number[]>({ maxCacheSize: 100, ttl }); // the real clock
  for (let i = 0; i < 100; i++) cache.set(`k${i}`, new Array<number>(100).fill(i));
  cache.set('far', [1], { ttl: 2 ** 40 }); // a timer for a week from now, in hops
  return new WeakRef(cache);
}

describe('lifecycle: a cache nobody references', () => {
  it.each([600_000, 0])('is collected without dispose(), its pending expiry timer notwithstanding (ttl %d)', async (ttl) => {
    expect(canGc).toBe(true);
    const ref = dropped(ttl);
    // A WeakRef's target lives at least until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    expect(ref.deref()).toBeUndefined();
  });
});
