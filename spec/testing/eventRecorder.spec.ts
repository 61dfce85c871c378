import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StrategyName } from 'macho';
import { BUILTIN_POLICIES } from 'macho';
import { applyOperation, cacheOperations, checkInvariants, createVirtualCache, recordEvents } from 'macho/testing';

describe('recordEvents', () => {
  it('records every event in order and counts them by type', () => {
    const { cache, advance, dispose } = createVirtualCache<string, number>({ maxCacheSize: 2, shardCount: 2, ttl: 10 });
    const recorder = recordEvents(cache);
    cache.set('a', 1).set('a', 2).set('b', 3);
    cache.get('a');
    cache.get('zz');
    cache.delete('b');
    cache.set('b', 4);
    advance(10); // 'a' and 'b' expire
    cache.set('c', 5);
    cache.clear();
    expect(recorder.events.map((e) => e.type)).toEqual([
      'set',
      'set',
      'set',
      'hit',
      'miss',
      'delete',
      'set',
      'expire',
      'expire',
      'set',
      'clear',
      'clear',
    ]);
    expect(recorder.counts()).toEqual({
      set: 5,
      hit: 1,
      miss: 1,
      delete: 1,
      evict: 0,
      expire: 2,
      clear: 2,
      inserted: 4,
      cleared: 1,
    });
    expect(Object.isFrozen(recorder.counts())).toBe(true);
    dispose();
  });

  it('compares from the metrics at the start, and stops at stop()', () => {
    const { cache, dispose } = createVirtualCache<string, number>({ maxCacheSize: 1 });
    cache.set('a', 1).set('b', 2);
    cache.get('b');
    const recorder = recordEvents(cache);
    expect(recorder.baseline).toEqual(cache.metrics());
    cache.set('c', 3); // evicts b
    expect(recorder.counts().evict).toBe(1);
    expect(checkInvariants(cache, { recorder }).ok).toBe(true);
    recorder.stop();
    recorder.stop();
    expect(recorder.stopped).toBe(true);
    expect(recorder.final).toEqual(cache.metrics());
    cache.set('d', 4);
    expect(recorder.events).toHaveLength(2);
    // Still consistent: compared with the metrics at stop(), not with later ones.
    expect(checkInvariants(cache, { recorder }).violations).toEqual([]);
    dispose();
  });

  it('agrees with metrics() over random operations, for every built-in policy', () => {
    for (const strategy of Object.keys(BUILTIN_POLICIES) as StrategyName[]) {
      fc.assert(
        fc.property(cacheOperations([1, 2, 3, 4, 5, 6], fc.nat(3), { maxLength: 60 }), fc.nat(60), (ops, startAt) => {
          const virtual = createVirtualCache<number, number>({ maxCacheSize: 4, shardCount: 2, ttl: 40, strategy });
          let recorder = undefined as ReturnType<typeof recordEvents<number, number>> | undefined;
          ops.forEach((op, i) => {
            if (i === Math.min(startAt, ops.length - 1)) recorder = recordEvents(virtual.cache);
            applyOperation(virtual, op);
          });
          if (recorder !== undefined) expect(checkInvariants(virtual.cache, { recorder }).violations).toEqual([]);
          virtual.dispose();
        }),
        { numRuns: 100 },
      );
    }
  });
});
