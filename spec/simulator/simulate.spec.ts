import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import { describe, expect, it } from 'vitest';
import type { EvictionPolicy, PolicyFactory, SimulationProgress, StrategyName } from 'macho';
import { BUILTIN_POLICIES, fifoPolicy, lirs, lruPolicy, nextUses, OPTIMAL, optimalHits, simulate } from 'macho';

// Small key pools, so that hits, misses and evictions are all common.
const trace = fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 200 });
const size = fc.integer({ min: 1, max: 10 });

function lruCacheHits(keys: readonly number[], max: number): number {
  const cache = new LRUCache<number, true>({ max });
  let hits = 0;
  for (const key of keys) {
    if (cache.get(key) === undefined) cache.set(key, true);
    else hits++;
  }
  return hits;
}

// Belady by brute force: on a miss with the cache full, look ahead for each cached key
// (and the new one) and drop the one asked for last, or never again.
function naiveOptimalHits(keys: readonly number[], max: number): number {
  const cached = new Set<number>();
  let hits = 0;
  keys.forEach((key, t) => {
    if (cached.has(key)) return void hits++;
    cached.add(key);
    if (cached.size <= max) return;
    let victim = key;
    let farthest = -1;
    for (const candidate of cached) {
      const next = keys.indexOf(candidate, t + 1);
      const distance = next === -1 ? Infinity : next;
      if (distance > farthest) [victim, farthest] = [candidate, distance];
    }
    cached.delete(victim);
  });
  return hits;
}

describe('simulate', () => {
  it('replays LRU exactly as lru-cache does, cache-aside', () => {
    fc.assert(
      fc.property(trace, size, (keys, max) => {
        const [result] = simulate(keys, { policies: ['lru'], sizes: [max] });
        expect(result!.hits).toBe(lruCacheHits(keys, max));
      }),
    );
  });

  it('reports requests, hits, misses and hit ratio for each policy × size, in the order given', () => {
    const keys = [1, 2, 1, 3, 1, 2, 4, 1];
    const results = simulate({ name: 't', keys }, { policies: ['fifo', 'lru'], sizes: [2, 1] });
    expect(results.map((r) => [r.policy, r.size])).toEqual([
      ['fifo', 2],
      ['fifo', 1],
      ['lru', 2],
      ['lru', 1],
    ]);
    for (const r of results) {
      expect(r.requests).toBe(keys.length);
      expect(r.hits + r.misses).toBe(r.requests);
      expect(r.hitRatio).toBe(r.hits / r.requests);
      expect(Object.isFrozen(r)).toBe(true);
    }
    // LRU of 2 over 1 2 1 3 1 2 4 1: hits at the 3rd and 5th requests (4 evicts 1 before its last).
    expect(results[2]).toEqual({ policy: 'lru', size: 2, requests: 8, hits: 2, misses: 6, hitRatio: 2 / 8 });
  });

  it('gives a hit ratio of 0 for an empty trace', () => {
    expect(simulate([], { policies: ['lru', OPTIMAL], sizes: [3] }).map((r) => r.hitRatio)).toEqual([0, 0]);
  });

  it('runs every built-in policy named in the registry', () => {
    const names = Object.keys(BUILTIN_POLICIES) as StrategyName[];
    const results = simulate([1, 2, 3, 1, 2, 3, 4, 1], { policies: names, sizes: [2] });
    expect(results.map((r) => r.policy)).toEqual(names);
  });

  it('names factories: built-ins by their registry name, custom ones by the policy they make', () => {
    const mru: PolicyFactory = ({ capacity }) => {
      const stack: number[] = [];
      void capacity;
      const policy: EvictionPolicy = {
        name: 'mru',
        onInsert: (slot) => void stack.push(slot),
        onAccess: (slot) => void stack.push(...stack.splice(stack.indexOf(slot), 1)),
        onUpdate: () => {},
        onRemove: (slot) => void stack.splice(stack.indexOf(slot), 1),
        victim: () => stack[stack.length - 1]!,
        onClear: () => void (stack.length = 0),
      };
      return policy;
    };
    const results = simulate([1, 2, 3, 1, 2, 3], {
      policies: [lruPolicy, mru, { name: 'my fifo', factory: fifoPolicy }],
      sizes: [2],
    });
    expect(results.map((r) => r.policy)).toEqual(['lru', 'mru', 'my fifo']);
    expect(results[1]!.hits).toBe(2); // MRU evicts 2, then 1: hits on the 4th and 6th requests
  });

  it('reports progress after each run', () => {
    const seen: SimulationProgress[] = [];
    simulate([1, 2, 1], { policies: ['lru', OPTIMAL], sizes: [1, 2], onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => [p.done, p.total, p.result.policy, p.result.size])).toEqual([
      [1, 4, 'lru', 1],
      [2, 4, 'lru', 2],
      [3, 4, 'optimal', 1],
      [4, 4, 'optimal', 2],
    ]);
    expect(seen.every((p) => p.ms >= 0)).toBe(true);
  });

  it('rejects bad options before running anything, naming the option', () => {
    const keys = [1, 2, 3];
    expect(() => simulate(keys, { policies: ['nope' as StrategyName], sizes: [1] })).toThrow(RangeError);
    expect(() => simulate(keys, { policies: ['nope' as StrategyName], sizes: [1] })).toThrow(/option "policies".*"lru"/);
    expect(() => simulate(keys, { policies: [], sizes: [1] })).toThrow(TypeError);
    expect(() => simulate(keys, { policies: [{ name: 'x' } as never], sizes: [1] })).toThrow(/option "policies"/);
    expect(() => simulate(keys, { policies: ['lru'], sizes: [] })).toThrow(/option "sizes"/);
    expect(() => simulate(keys, { policies: ['lru'], sizes: [0] })).toThrow(RangeError);
    expect(() => simulate(keys, { policies: ['lru'], sizes: [1.5] })).toThrow(RangeError);
    expect(() => simulate(keys, { policies: ['lru'], sizes: ['2' as never] })).toThrow(TypeError);
    expect(() => simulate(keys, { policies: ['lru'], sizes: [1], mode: 'read-through' as never })).toThrow(/option "mode"/);
    expect(() => simulate(keys, { policies: ['lru'], sizes: [1], onProgress: 1 as never })).toThrow(/option "onProgress"/);
    expect(() => simulate({} as never, { policies: ['lru'], sizes: [1] })).toThrow(/takes a Trace/);
    expect(() => simulate(keys, { policies: ['lru'], sizes: [1], size: [2] } as never)).toThrow(/unknown option "size"/);
    expect(() => simulate(keys, { policies: ['lru'], sizes: [1], mode: null as never })).toThrow(/option "mode"/);
  });

  it('reports a custom factory that returns nothing as the cache does, not as a factory that threw', () => {
    const forgotten = (() => {}) as unknown as PolicyFactory; // a block body without `return`
    expect(() => simulate([1, 2], { policies: [forgotten], sizes: [1] })).toThrow(/returned undefined, not a policy object/);
    expect(() => simulate([1, 2], { policies: [forgotten], sizes: [1] })).not.toThrow(/threw/);
  });

  it('runs a size above the distinct keys at their count: same hits, no memory for slots never used', () => {
    const keys = [1, 2, 3, 1, 2, 3, 4];
    const names = Object.keys(BUILTIN_POLICIES) as StrategyName[];
    // 2^30 entries would be gigabytes for the ghost-keeping policies (or throw for lirs).
    const results = simulate(keys, { policies: [...names, OPTIMAL], sizes: [4, 2 ** 30] });
    for (const r of results) {
      expect(r.hits, `${r.policy} at ${r.size}`).toBe(3); // only first requests miss
      expect([4, 2 ** 30]).toContain(r.size); // reported as asked
    }
  });

  it('names option "policies", the policy and the size when a factory throws (not the cache\'s "strategy")', () => {
    const picky: PolicyFactory = (context) => {
      if (context.capacity < 8) throw new RangeError('needs 8 slots');
      return fifoPolicy(context);
    };
    const named = { name: 'picky', factory: picky };
    let error: unknown;
    try {
      simulate([1, 2, 3], { policies: [named], sizes: [4] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe(
      'macho: simulate(): option "policies": "picky" at size 4: the policy factory threw: needs 8 slots',
    );
    expect((error as Error).cause).toBeInstanceOf(RangeError);
    const forgotten = (() => {}) as unknown as PolicyFactory;
    expect(() => simulate([1], { policies: [forgotten], sizes: [1] })).toThrow(
      /^macho: simulate\(\): option "policies": "forgotten" at size 1: the policy factory returned undefined/,
    );
    // A configured built-in refusing its capacity is named the same way.
    expect(() => simulate([1, 2, 3], { policies: [lirs({ nonResidentMultiplier: 2 ** 29 })], sizes: [1_000] })).toThrow(
      /^macho: simulate\(\): option "policies": "[^"]+" at size 1000: macho\/lirs: option "nonResidentMultiplier"/,
    );
  });

  it('calls a custom factory with the size asked for, however few the distinct keys', () => {
    const seen: number[] = [];
    const needsEight: PolicyFactory = (context) => {
      seen.push(context.capacity);
      if (context.capacity < 8) throw new RangeError('needs a capacity of 8 or more');
      return fifoPolicy(context);
    };
    const results = simulate([1, 2, 3, 1, 2, 3], { policies: [needsEight], sizes: [16, 1_000] });
    expect(seen).toEqual([16, 1_000]);
    expect(results.map((r) => r.hits)).toEqual([3, 3]);
  });
});

describe("Belady's optimal policy", () => {
  it('computes next uses, "never again" being past the end', () => {
    expect([...nextUses([1, 2, 1, 3])]).toEqual([2, 5, 6, 7]);
  });

  it('matches a brute-force Belady (evict the key asked for farthest ahead, the new key included)', () => {
    fc.assert(
      fc.property(trace, size, (keys, max) => {
        expect(optimalHits(nextUses(keys), max)).toBe(naiveOptimalHits(keys, max));
      }),
    );
  });

  it('is an upper bound of every built-in policy', () => {
    const names = Object.keys(BUILTIN_POLICIES) as StrategyName[];
    fc.assert(
      fc.property(trace, size, (keys, max) => {
        const results = simulate(keys, { policies: [OPTIMAL, ...names], sizes: [max] });
        const best = results[0]!.hits;
        for (const r of results) expect(r.hits, r.policy).toBeLessThanOrEqual(best);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a size below 1 or not an integer, and a next-use table of another type, naming them', () => {
    const next = nextUses([1, 2, 1]);
    // Size -1 used to spin forever: an empty heap never yields a live entry to evict.
    for (const bad of [0, -1, -5, 1.5, NaN]) expect(() => optimalHits(next, bad)).toThrow(RangeError);
    expect(() => optimalHits(next, '2' as never)).toThrow(TypeError);
    expect(() => optimalHits([2, 3, 4] as never, 1)).toThrow(/takes the Int32Array nextUses\(\) returns/);
    expect(() => nextUses('121' as never)).toThrow(TypeError);
    expect(optimalHits(next, 2 ** 30)).toBe(1); // a huge size needs no huge heap
  });

  it('survives many hits between evictions (stale heap entries compacted)', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => (i % 7 === 0 ? i : i % 3));
    expect(optimalHits(nextUses(keys), 4)).toBe(naiveOptimalHits(keys, 4));
  });
});
