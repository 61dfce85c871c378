import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ClockProPolicy, PolicyFactory } from 'macho';
import { BUILTIN_POLICIES, Cache, clockPro, clockProPolicy } from 'macho';
import { ClockProModel } from '../support/clockProModel.js';
import type { EvictionRule } from '../support/frequencyModels.js';
import { modelStep, policyCache, policyCommands, runModel } from '../support/frequencyModels.js';
import { gliHitRatios, hasGli } from '../support/gli.js';

type Model = ClockProModel<string, number>;

// The CLOCK-Pro rule, stated on its own: HAND_cold takes the oldest resident cold page
// whose reference bit is clear. (Pages it passes, or HAND_hot demotes, go to the head,
// behind every cold page already there.) If every cold page was referenced, any may go.
const oldestUnreferencedCold: EvictionRule<Model> = (model) => {
  const first = model.clock.find((p) => p.kind === 'cold' && !p.ref);
  return (victim) => {
    if (first !== undefined) expect(victim).toBe(first.key);
  };
};

/**
 * The policy under a factory that keeps a handle on the instance, so that a run can
 * compare its counts (and `m_c`) with the model's; and a command that does.
 */
function watched(factory: (context: Parameters<PolicyFactory>[0]) => ClockProPolicy) {
  let current: ClockProPolicy | undefined;
  const strategy: PolicyFactory = (context) => (current = factory(context));
  const sameClock = {
    weight: 3,
    arbitrary: fc.constant(
      modelStep<Model>('clock matches', (model) => {
        const { hot, cold, nonResident, inTest, coldTarget, minCold, maxCold, maxNonResident } = current!.clock;
        expect({ hot, cold, nonResident, inTest, coldTarget }).toEqual(model.counts());
        expect({ minCold, maxCold, maxNonResident }).toEqual({
          minCold: model.minCold,
          maxCold: model.maxCold,
          maxNonResident: model.maxNonResident,
        });
        expect(nonResident).toBeLessThanOrEqual(maxNonResident);
        expect(coldTarget).toBeGreaterThanOrEqual(minCold);
        expect(coldTarget).toBeLessThanOrEqual(maxCold);
      }),
    ),
  };
  return { strategy, sameClock };
}

function clockProCache(capacity: number, factory = clockProPolicy) {
  let policy: ClockProPolicy | undefined;
  const cache = policyCache((context) => (policy = factory(context)), capacity);
  const evicted: string[] = [];
  cache.on('evict').subscribe((e) => evicted.push(e.key));
  return { cache, policy: () => policy!, evicted };
}

describe("strategy 'clockpro'", () => {
  it('is registered under its name', () => {
    expect(BUILTIN_POLICIES.clockpro).toBe(clockProPolicy);
    const cache = new Cache<string, number>({ maxCacheSize: 2, strategy: 'clockpro', ttl: 0, scheduler: new VirtualTimeScheduler() });
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(cache.size).toBe(2);
  });

  it('matches the paper’s clock on arrays (results, contents, capacity, victims, counts, m_c)', () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const { strategy, sameClock } = watched(clockProPolicy);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.commands(policyCommands<Model>(keys, oldestUnreferencedCold, [sameClock]), { maxCommands: 80, size: 'large' }),
        (max, cmds) => runModel(strategy, () => new ClockProModel<string, number>(max), cmds),
      ),
      { numRuns: 200 },
    );
  });

  it('matches the model with more keys and room, through the registered strategy name', () => {
    const keys = Array.from({ length: 24 }, (_, i) => `k${i}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 16 }),
        fc.commands(policyCommands<Model>(keys, oldestUnreferencedCold), { maxCommands: 200, size: 'large' }),
        (max, cmds) => runModel('clockpro', () => new ClockProModel<string, number>(max), cmds),
      ),
      { numRuns: 30 },
    );
  });

  it('matches the model with a wide cold range and few or many ghosts (m_c and the ghost bound at work)', () => {
    const keys = Array.from({ length: 16 }, (_, i) => `k${i}`);
    for (const [multiplier, min, max] of [
      [0.5, 0.2, 0.8],
      [2, 0, 1],
      [0, 0.1, 0.5],
    ] as const) {
      const { strategy, sameClock } = watched(clockPro({ nonResidentMultiplier: multiplier, minColdPercent: min, maxColdPercent: max }));
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 10 }),
          fc.commands(policyCommands<Model>(keys, oldestUnreferencedCold, [sameClock]), { maxCommands: 150, size: 'large' }),
          (capacity, cmds) => runModel(strategy, () => new ClockProModel<string, number>(capacity, multiplier, min, max), cmds),
        ),
        { numRuns: 40 },
      );
    }
  });

  it('evicts a cold page, keeps it as a ghost in its test period, and makes a returning ghost hot', () => {
    // Capacity 4: m_c starts at 1, so 3 hot pages fill first, then cold ones.
    const { cache, policy, evicted } = clockProCache(4);
    cache.set('a', 1).set('b', 2).set('c', 3); // hot while more than 1 slot is free
    cache.set('d', 4); // one slot left: d is cold, in its test period
    expect(policy().clock).toMatchObject({ hot: 3, cold: 1, nonResident: 0, inTest: 1, coldTarget: 1 });
    cache.set('e', 5); // d, the only cold page, goes (a is older, but hot); d is a ghost
    expect(evicted).toEqual(['d']);
    expect(policy().clock).toMatchObject({ hot: 3, cold: 1, nonResident: 1, inTest: 2 });
    // e goes (a ghost too); d's ghost is back: m_c 2, so HAND_hot demotes a and b (no
    // test period) to leave fewer than 4 − 2 hot pages, and d becomes hot.
    cache.set('d', 4);
    expect(evicted).toEqual(['d', 'e']);
    expect(policy().clock).toMatchObject({ hot: 2, cold: 2, nonResident: 1, inTest: 1, coldTarget: 2 });
    cache.set('x', 0); // a, the oldest cold page now, goes, and leaves no ghost
    expect(evicted).toEqual(['d', 'e', 'a']);
    expect(policy().clock).toMatchObject({ hot: 2, cold: 2, nonResident: 1 });
    expect([...cache.keys()].sort()).toEqual(['b', 'c', 'd', 'x']);
  });

  it('gives a referenced cold page a second chance, and promotes it if in its test period', () => {
    const { cache, policy, evicted } = clockProCache(4);
    cache.set('a', 1).set('b', 2).set('c', 3).set('d', 4);
    cache.get('d'); // cold, in its test period, bit set
    cache.set('e', 5); // HAND_cold: d in test and referenced: m_c 2, a and b demoted, d hot; a goes
    expect(evicted).toEqual(['a']);
    expect(policy().clock).toMatchObject({ hot: 2, cold: 2, inTest: 1, coldTarget: 2 });
    cache.get('b');
    cache.get('c');
    cache.get('d');
    cache.get('e'); // every page referenced
    // HAND_cold: b (no test period) to the head with one; e (in test): m_c 3, HAND_hot
    // spares c and d (bits set) and reaches e: no room, the promotion is refused. The hand
    // ends e's test period (used: m_c stays at its bound, 3) and b's (unused: m_c 2); e
    // goes to the head with a new one, and b, cold with its bit clear, goes.
    cache.set('f', 6);
    expect(evicted).toEqual(['a', 'b']);
    expect(policy().clock).toMatchObject({ hot: 2, cold: 2, inTest: 2, coldTarget: 2, maxCold: 3 });
  });

  it('resists a scan: hot pages outlive a run of one-time keys, and ghosts stay bounded', () => {
    const { cache, policy } = clockProCache(10);
    for (let i = 0; i < 9; i++) cache.set(`hot${i}`, i);
    for (let round = 0; round < 3; round++) for (let i = 0; i < 9; i++) cache.get(`hot${i}`);
    for (let i = 0; i < 1000; i++) cache.set(`scan${i}`, i);
    for (let i = 0; i < 9; i++) expect(cache.has(`hot${i}`)).toBe(true);
    expect(policy().clock).toMatchObject({ hot: 9, cold: 1, nonResident: 10, maxNonResident: 10, coldTarget: 1 });
  });

  it('forgets deleted and expired keys entirely, and everything on clear', () => {
    const { cache, policy } = clockProCache(3);
    cache.set('a', 1).set('b', 2).set('c', 3).set('d', 4); // c: ghost
    expect(policy().clock).toMatchObject({ hot: 2, cold: 1, nonResident: 1 });
    cache.delete('a');
    expect(policy().clock).toMatchObject({ hot: 1, cold: 1, nonResident: 1 });
    cache.set('e', 5); // one slot free, not more than m_c's lower bound: e is cold
    expect(policy().clock).toMatchObject({ hot: 1, cold: 2, nonResident: 1 });
    cache.delete('b');
    cache.delete('d'); // no hot page left: HAND_hot waits
    // Two slots free: g is hot, and HAND_hot, moving on to it, ends the test periods of
    // every older page: e's, and c's ghost leaves.
    cache.set('g', 7);
    expect(policy().clock).toMatchObject({ hot: 1, cold: 1, nonResident: 0, inTest: 0 });
    cache.set('f', 6, { ttl: 5 });
    cache.clear();
    expect(policy().clock).toMatchObject({ hot: 0, cold: 0, nonResident: 0, inTest: 0, coldTarget: 1 });
  });

  it('with capacity 1 (no room for a hot page) is a one-entry clock', () => {
    const { cache, policy, evicted } = clockProCache(1);
    cache.set('a', 1);
    cache.get('a');
    cache.set('b', 2).set('a', 1);
    expect(evicted).toEqual(['a', 'b']);
    expect(policy().clock).toMatchObject({ hot: 0, cold: 1, minCold: 1, maxCold: 1, maxNonResident: 1 });
  });

  it('bounds m_c by 1% and 99% of the capacity (at least one page of each kind) and the ghosts by the capacity', () => {
    const bounds = (capacity: number, factory = clockProPolicy) => {
      const { cache, policy } = clockProCache(capacity, factory);
      cache.set('a', 1);
      const { minCold, maxCold, maxNonResident, coldTarget } = policy().clock;
      return { minCold, maxCold, maxNonResident, coldTarget };
    };
    expect(bounds(2)).toEqual({ minCold: 1, maxCold: 1, maxNonResident: 2, coldTarget: 1 });
    expect(bounds(250)).toEqual({ minCold: 2, maxCold: 247, maxNonResident: 250, coldTarget: 2 });
    expect(bounds(1000)).toEqual({ minCold: 10, maxCold: 990, maxNonResident: 1000, coldTarget: 10 });
    const wide = clockPro({ minColdPercent: 0, maxColdPercent: 1, nonResidentMultiplier: 0 });
    expect(bounds(100, wide)).toEqual({ minCold: 1, maxCold: 99, maxNonResident: 0, coldTarget: 1 });
  });

  it('refuses bad options with errors that name them', () => {
    expect(() => clockPro({ minColdPercent: 1.5 })).toThrow(RangeError);
    expect(() => clockPro({ maxColdPercent: -0.1 })).toThrow(/"maxColdPercent"/);
    expect(() => clockPro({ minColdPercent: 0.6, maxColdPercent: 0.4 })).toThrow(/"minColdPercent"/);
    expect(() => clockPro({ nonResidentMultiplier: '1' as unknown as number })).toThrow(TypeError);
    expect(() => clockPro({ nonResidentMultiplier: Infinity })).toThrow(/"nonResidentMultiplier"/);
    expect(() => clockPro({ nonResidentMultiplier: Number.NaN })).toThrow(RangeError);
    expect(() => clockPro({ minCold: 0.1 } as never)).toThrow(/macho\/clockpro: unknown option "minCold"/);
    // Finite, but more ghosts than any cache has entries: named, before any allocation.
    const huge = clockPro({ nonResidentMultiplier: 1e12 });
    expect(() => new Cache({ maxCacheSize: 10, strategy: huge })).toThrow(RangeError);
    expect(() => new Cache({ maxCacheSize: 10, strategy: huge })).toThrow(
      /^macho\/clockpro: option "nonResidentMultiplier" \(1000000000000\) asks for 10000000000000 ghost keys at capacity 10/,
    );
  });

  // The recorded trace lives beside the repository. Our figures, not a published row:
  // Caffeine's simulator does not publish CLOCK-Pro on gli. At or above the published
  // ARC row everywhere, and W-TinyLFU's at 250, 1000 and 2000; one hit short of it at
  // 1250-1750, further at 500 and 750 (BENCHMARKS.md).
  it.skipIf(!hasGli)('holds its gli figures (cache-aside)', () => {
    expect(gliHitRatios('clockpro').map((ratio) => ratio.toFixed(2))).toEqual(['15.98', '32.80', '41.38', '50.72', '51.85', '53.55', '55.59', '57.96']);
  });
});
