import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { LirsPolicy, PolicyFactory } from 'macho';
import { BUILTIN_POLICIES, Cache, lirs, lirsPolicy } from 'macho';
import type { EvictionRule } from '../support/frequencyModels.js';
import { modelStep, policyCache, policyCommands, runModel } from '../support/frequencyModels.js';
import { gliHitRatios, hasGli } from '../support/gli.js';
import { LirsModel } from '../support/lirsModel.js';

type Model = LirsModel<string, number>;

// The LIRS rule, stated on its own: the victim is always a resident HIR key, never an
// LIR one, whatever its recency.
const neverLir: EvictionRule<Model> = (model) => {
  const lir = [...model.lir];
  return (victim) => expect(lir).not.toContain(victim);
};

/**
 * The policy under a factory that keeps a handle on the instance, so that a run can
 * compare its stack sizes with the model's; and a command that does.
 */
function watched(factory: (context: Parameters<PolicyFactory>[0]) => LirsPolicy) {
  let current: LirsPolicy | undefined;
  const strategy: PolicyFactory = (context) => (current = factory(context));
  const sameStacks = {
    weight: 3,
    arbitrary: fc.constant(
      modelStep<Model>('stacks match', (model) => {
        const { lir, hir, nonResident, s, maxLir, maxHir, maxNonResident } = current!.stacks;
        expect({ lir, hir, nonResident, s }).toEqual(model.counts());
        expect({ maxLir, maxHir, maxNonResident }).toEqual({
          maxLir: model.maxLir,
          maxHir: model.maxHir,
          maxNonResident: model.maxNonResident,
        });
        expect(s).toBeLessThanOrEqual(model.capacity + maxNonResident);
      }),
    ),
  };
  return { strategy, sameStacks };
}

function evictions(cache: Cache<string, number>): string[] {
  const evicted: string[] = [];
  cache.on('evict').subscribe((e) => evicted.push(e.key));
  return evicted;
}

function lirsCache(capacity: number, factory = lirsPolicy) {
  let policy: LirsPolicy | undefined;
  const cache = policyCache((context) => (policy = factory(context)), capacity);
  return { cache, policy: () => policy!, evicted: evictions(cache) };
}

describe("strategy 'lirs'", () => {
  it('is registered under its name', () => {
    expect(BUILTIN_POLICIES.lirs).toBe(lirsPolicy);
    const cache = new Cache<string, number>({ maxCacheSize: 2, strategy: 'lirs', ttl: 0, scheduler: new VirtualTimeScheduler() });
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(cache.size).toBe(2);
  });

  it('matches the paper’s stacks on arrays (results, contents, capacity, victims, stack sizes)', () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const { strategy, sameStacks } = watched(lirsPolicy);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.commands(policyCommands<Model>(keys, neverLir, [sameStacks]), { maxCommands: 80, size: 'large' }),
        (max, cmds) => runModel(strategy, () => new LirsModel<string, number>(max), cmds),
      ),
      { numRuns: 150 },
    );
  });

  it('matches the model with more keys and room, through the registered strategy name', () => {
    const keys = Array.from({ length: 24 }, (_, i) => `k${i}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 16 }),
        fc.commands(policyCommands<Model>(keys, neverLir), { maxCommands: 200, size: 'large' }),
        (max, cmds) => runModel('lirs', () => new LirsModel<string, number>(max), cmds),
      ),
      { numRuns: 25 },
    );
  });

  it('matches the model with a queue of several slots and few ghosts (the bound at work)', () => {
    const keys = Array.from({ length: 16 }, (_, i) => `k${i}`);
    const { strategy, sameStacks } = watched(lirs({ hirPercent: 0.3, nonResidentMultiplier: 0.5 }));
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.commands(policyCommands<Model>(keys, neverLir, [sameStacks]), { maxCommands: 150, size: 'large' }),
        (max, cmds) => runModel(strategy, () => new LirsModel<string, number>(max, 0.3, 0.5), cmds),
      ),
      { numRuns: 60 },
    );
  });

  it('evicts from Q, keeps a victim in S as a ghost, and makes a returning ghost LIR', () => {
    // Capacity 4: 3 LIR slots, 1 HIR slot.
    const { cache, policy, evicted } = lirsCache(4);
    cache.set('a', 1).set('b', 2).set('c', 3); // a cold cache: LIR
    cache.set('d', 4); // the LIR set is full: d is a resident HIR key
    expect(policy().stacks).toMatchObject({ lir: 3, hir: 1, nonResident: 0, s: 4 });
    cache.set('e', 5); // d, Q's front, goes although a is older; it stays in S as a ghost
    expect(evicted).toEqual(['d']);
    expect(policy().stacks).toMatchObject({ lir: 3, hir: 1, nonResident: 1, s: 5 });
    cache.set('d', 4); // e goes (a ghost too); d, back while in S, becomes LIR, and a (S's bottom) HIR
    expect(evicted).toEqual(['d', 'e']);
    expect(policy().stacks).toMatchObject({ lir: 3, hir: 1, nonResident: 1, s: 4 });
    cache.set('x', 0); // a is Q's front now: the LIR key demoted is the next victim
    expect(evicted).toEqual(['d', 'e', 'a']);
    expect([...cache.keys()].sort()).toEqual(['b', 'c', 'd', 'x']);
  });

  it('prunes S when its bottom LIR key is referenced, and promotes a resident HIR key found in S', () => {
    const { cache, policy, evicted } = lirsCache(4);
    cache.set('a', 1).set('b', 2).set('c', 3).set('d', 4).set('e', 5); // S: a b c d(ghost) e; Q: e
    cache.get('a'); // S's bottom to the top: S: b c d(ghost) e a
    cache.get('b'); // S: c d(ghost) e a b
    expect(policy().stacks).toMatchObject({ nonResident: 1, s: 5 });
    cache.get('c'); // S: d(ghost) e a b c, then pruning drops d and e (HIR) down to a: S: a b c
    expect(policy().stacks).toMatchObject({ lir: 3, hir: 1, nonResident: 0, s: 3 });
    cache.get('e'); // e, resident HIR but no longer in S: stays HIR, back on S's top
    expect(policy().stacks).toMatchObject({ lir: 3, hir: 1, s: 4 });
    cache.get('e'); // now in S: e becomes LIR, and a (S's bottom) HIR
    expect(policy().stacks).toMatchObject({ lir: 3, hir: 1, s: 3 });
    cache.set('x', 0);
    expect(evicted).toEqual(['d', 'a']);
  });

  it('resists a scan: hot LIR keys outlive a run of one-time keys, and ghosts stay bounded', () => {
    const { cache, policy } = lirsCache(10);
    for (let i = 0; i < 9; i++) cache.set(`hot${i}`, i);
    for (let i = 0; i < 1000; i++) cache.set(`scan${i}`, i);
    for (let i = 0; i < 9; i++) expect(cache.has(`hot${i}`)).toBe(true);
    expect(policy().stacks).toMatchObject({ lir: 9, hir: 1, nonResident: 20, maxNonResident: 20 });
    expect(policy().stacks.s).toBe(30);
  });

  it('forgets deleted and expired keys entirely, and everything on clear', () => {
    const { cache, policy } = lirsCache(3);
    cache.set('a', 1).set('b', 2).set('c', 3).set('d', 4); // c: ghost
    cache.delete('a'); // S's bottom LIR: pruning follows
    expect(policy().stacks).toMatchObject({ lir: 1, hir: 1, nonResident: 1 });
    cache.set('e', 5); // the LIR set has room again: e is LIR
    expect(policy().stacks).toMatchObject({ lir: 2, hir: 1 });
    cache.clear();
    expect(policy().stacks).toMatchObject({ lir: 0, hir: 0, nonResident: 0, s: 0 });
  });

  it('with capacity 1 (no LIR slot) is a one-entry queue', () => {
    const { cache, policy, evicted } = lirsCache(1);
    cache.set('a', 1);
    cache.get('a');
    cache.set('b', 2).set('a', 1);
    expect(evicted).toEqual(['a', 'b']);
    expect(policy().stacks).toMatchObject({ lir: 0, hir: 1, nonResident: 0, s: 0, maxLir: 0, maxHir: 1 });
  });

  it('sizes Q at 1% of the capacity (at least one slot) and the ghosts at 2× by default', () => {
    const sizes = (capacity: number, factory = lirsPolicy) => {
      const { cache, policy } = lirsCache(capacity, factory);
      cache.set('a', 1);
      const { maxLir, maxHir, maxNonResident } = policy().stacks;
      return { maxLir, maxHir, maxNonResident };
    };
    expect(sizes(2)).toEqual({ maxLir: 1, maxHir: 1, maxNonResident: 4 });
    expect(sizes(250)).toEqual({ maxLir: 247, maxHir: 3, maxNonResident: 500 });
    expect(sizes(1000)).toEqual({ maxLir: 990, maxHir: 10, maxNonResident: 2000 });
    expect(sizes(100, lirs({ hirPercent: 0.2, nonResidentMultiplier: 0 }))).toEqual({ maxLir: 80, maxHir: 20, maxNonResident: 0 });
  });

  it('refuses bad options with errors that name them', () => {
    expect(() => lirs({ hirPercent: 1.5 })).toThrow(RangeError);
    expect(() => lirs({ hirPercent: -0.1 })).toThrow(/"hirPercent"/);
    expect(() => lirs({ hirPercent: '1%' as unknown as number })).toThrow(TypeError);
    expect(() => lirs({ nonResidentMultiplier: Infinity })).toThrow(/"nonResidentMultiplier"/);
    expect(() => lirs({ nonResidentMultiplier: Number.NaN })).toThrow(RangeError);
    expect(() => lirs({ hirPrecent: 0.1 } as never)).toThrow(/macho\/lirs: unknown option "hirPrecent"; known options are hirPercent/);
    expect(() => lirs(null as never)).toThrow(TypeError);
    // Finite, but more ghosts than any cache has entries: named, before any allocation.
    const huge = lirs({ nonResidentMultiplier: 1e12 });
    expect(() => new Cache({ maxCacheSize: 10, strategy: huge })).toThrow(RangeError);
    expect(() => new Cache({ maxCacheSize: 10, strategy: huge })).toThrow(
      /^macho\/lirs: option "nonResidentMultiplier" \(1000000000000\) asks for 10000000000000 ghost keys at capacity 10/,
    );
  });

  // The recorded trace lives beside the repository. Caffeine's simulator (the published
  // LIRS row) gives a new key arriving in a warm cache HIR status without putting it on
  // S until the cache is first full; the paper puts every referenced key on S. That is
  // the only difference, and it shows at one size: 1000 (50.72 here, 50.56 published).
  it.skipIf(!hasGli)('lands on the published LIRS row for gli at 7 of 8 sizes (cache-aside)', () => {
    expect(gliHitRatios('lirs').map((ratio) => ratio.toFixed(2))).toEqual(['15.91', '33.60', '43.61', '50.72', '51.85', '53.55', '55.58', '57.96']);
  });
});
