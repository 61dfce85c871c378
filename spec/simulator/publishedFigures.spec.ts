import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StrategyName, Trace } from 'macho';
import { BUILTIN_POLICIES, OPTIMAL, readTrace, simulate } from 'macho';

// The recorded traces and their published figures: spec/fixtures/traces/README.md.
const TRACES = new URL('../fixtures/traces/', import.meta.url);

function traceFile(name: string): URL {
  const dir = fileURLToPath(TRACES);
  if (!existsSync(dir)) throw new Error(`the recorded traces are missing: expected them in ${dir}`);
  return new URL(name, TRACES);
}

// Hit ratio in percent, rounded to two decimals, as the published tables print it.
const percent = (hitRatio: number): number => Math.round(hitRatio * 10_000) / 100;

describe('exact LRU reproduces the published figures to the last digit', () => {
  describe('gli (LIRS traces, Caffeine simulator)', () => {
    const sizes = [250, 500, 750, 1000, 1250, 1500, 1750, 2000];
    let gli: Trace;
    beforeAll(async () => {
      gli = await readTrace(traceFile('gli.trace'));
    });

    it('has the published length', () => {
      expect(gli.keys.length).toBe(6015);
      expect(new Set(gli.keys).size).toBe(2529);
    });

    it('LRU hit ratio % by size', () => {
      const results = simulate(gli, { policies: ['lru'], sizes });
      expect(results.map((r) => percent(r.hitRatio))).toEqual([0.91, 0.95, 1.15, 11.21, 21.25, 36.56, 45.04, 57.41]);
    });

    it("Belady's optimal row too (Caffeine's OptimalPolicy)", () => {
      const results = simulate(gli, { policies: [OPTIMAL], sizes });
      expect(results.map((r) => percent(r.hitRatio))).toEqual([17.71, 34.33, 46.13, 53.15, 57.31, 57.96, 57.96, 57.96]);
    });

    // Issue 4: our best policy at or above the published W-TinyLFU and ARC rows at every
    // size. Met at 7 of 8 ('lirs' at 500-1000, 'tinylfu' elsewhere); at 1750 the best
    // ('tinylfu', 55.59) is one hit short of W-TinyLFU's 55.61, under every sketch hash
    // tried and with a doorkeeper or conservative update too (BENCHMARKS.md, "What was
    // tried for 1750"). Once 1750 is met too, expect no size below.
    it('our best policy is at or above published W-TinyLFU and ARC at every size but 1750, one hit short there', () => {
      const wTinyLfu = [15.15, 33.08, 43.11, 50.57, 51.87, 53.57, 55.61, 57.96];
      const arc = [1.38, 1.38, 1.41, 21.3, 34.43, 50.44, 55.06, 57.41];
      const results = simulate(gli, { policies: Object.keys(BUILTIN_POLICIES) as StrategyName[], sizes });
      const best = sizes.map((size) => Math.max(...results.filter((r) => r.size === size).map((r) => r.hits)));
      const target = sizes.map((_, i) => Math.max(wTinyLfu[i]!, arc[i]!));
      const requests = gli.keys.length;
      // Both sides as printed, to two decimals.
      const below = sizes.filter((_, i) => percent(best[i]! / requests) < target[i]!);
      expect(below).toEqual([1750]);
      const at1750 = sizes.indexOf(1750);
      expect(percent((best[at1750]! + 1) / requests)).toBeGreaterThanOrEqual(target[at1750]!);
    });
  });

  describe('cloudPhysicsIO (libCacheSim regression test)', () => {
    it('LRU miss counts by size', async () => {
      const trace = await readTrace(traceFile('cloudPhysicsIO.txt.gz'));
      expect(trace.keys.length).toBe(113_872);
      const results = simulate(trace, { policies: ['lru'], sizes: [128, 256, 384, 512, 640, 768, 896, 1024] });
      expect(results.map((r) => r.misses)).toEqual([99_411, 96_397, 95_652, 95_370, 95_182, 94_997, 94_891, 94_816]);
    });
  });
});

describe('every recorded trace reads in full', () => {
  // Requests and distinct keys, counted independently with zcat | tr -d '\r' | grep -v '^\*$' | grep -v '^$'.
  const expected: Record<string, [requests: number, distinct: number]> = {
    'gli.trace': [6_015, 2_529],
    'multi2.trace.gz': [26_311, 5_684],
    'sprite.trace.gz': [133_996, 7_075],
    'ps.trace.gz': [10_448, 3_083],
    'cs.trace.gz': [6_781, 1_409], // two `*` marker lines
    'cpp.trace.gz': [9_047, 1_223],
    '2_pools.trace.gz': [100_000, 9_939], // two `*` marker lines
    'loop.trace.gz': [505_500, 1_011], // CRLF
    'zigzag.trace.gz': [52_001, 2_001], // last line without newline
    'scan.trace.gz': [50_025, 2_001],
    'cloudPhysicsIO.txt.gz': [113_872, 48_974], // last line without newline
  };
  for (const [file, [requests, distinct]] of Object.entries(expected)) {
    it(file, async () => {
      const trace = await readTrace(traceFile(file));
      expect(trace.keys.length).toBe(requests);
      expect(new Set(trace.keys).size).toBe(distinct);
      expect(trace.keys.every((key) => typeof key === 'number')).toBe(true);
    });
  }
});
