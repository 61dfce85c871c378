/**
 * Counting vs rebuilding bloom filter at one shard's scale: 100k live keys, p = 0.01,
 * under churn (a sliding window: the oldest keys leave as new ones arrive, 5n adds in
 * all), which is what a cache with eviction and expiry does to its filter.
 *
 * Run: `npx tsx bench/bloomFilter.bench.ts`. Times are medians of several rounds,
 * filter calls only (the Map holding the live keys is updated outside the timed loops).
 *
 * @module
 */

import { CountingBloomFilter, RebuildingBloomFilter } from '../src/filters/bloomFilter.js';
import type { MembershipFilter } from '../src/filters/membershipFilter.js';

const CAPACITY = 100_000;
const PROBABILITY = 0.01;
const TOTAL_ADDS = 5 * CAPACITY;
const PROBES = 100_000;
const BATCH = 1_000;
const ROUNDS = 5;

interface Design {
  readonly name: string;
  create(liveKeys: () => Iterable<string>): MembershipFilter<string> & { readonly byteLength: number };
}

const designs: readonly Design[] = [
  { name: 'counting', create: () => new CountingBloomFilter<string>(CAPACITY, PROBABILITY) },
  {
    name: 'rebuilding',
    create: (liveKeys) => new RebuildingBloomFilter<string>(CAPACITY, PROBABILITY, liveKeys),
  },
];

interface Sample {
  addNs: number;
  containsNs: number;
  removeNs: number;
  worstRemoveMs: number;
  bytes: number;
  fpFresh: number;
  fpChurned: number;
}

// A seeded generator, so every run measures the same keys.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function makeKeys(prefix: string, count: number, seed: number): string[] {
  const random = mulberry32(seed);
  const keys = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    // The index keeps keys distinct; the random part keeps them from being sequential.
    keys[i] = `${prefix}:${Math.floor(random() * 2 ** 32).toString(36)}:${i.toString(36)}`;
  }
  return keys;
}

const members = makeKeys('member', TOTAL_ADDS, 1);
const strangers = makeKeys('stranger', PROBES, 2);

function falsePositiveRate(filter: MembershipFilter<string>): number {
  let hits = 0;
  for (const key of strangers) if (filter.mightContain(key)) hits++;
  return hits / strangers.length;
}

function run(design: Design): Sample {
  const live = new Map<string, number>();
  const filter = design.create(() => live.keys());
  let next = 0;
  let oldest = 0;

  let addTime = 0;
  let adds = 0;
  const addBatch = (): void => {
    const from = next;
    for (let i = 0; i < BATCH; i++) live.set(members[next++]!, i);
    const start = performance.now();
    for (let i = from; i < next; i++) filter.add(members[i]!);
    addTime += performance.now() - start;
    adds += BATCH;
  };

  while (next < CAPACITY) addBatch();

  // Half members, half strangers, so both the early-exit and full paths are timed.
  const start = performance.now();
  let sink = 0;
  for (let i = 0; i < PROBES; i++) {
    if (filter.mightContain(i & 1 ? members[i]! : strangers[i]!)) sink++;
  }
  const containsNs = ((performance.now() - start) * 1e6) / PROBES;
  if (sink < 0) console.log(sink); // keeps the loop from being optimised away
  const fpFresh = falsePositiveRate(filter);

  let removeTime = 0;
  let removes = 0;
  let worstRemoveMs = 0;
  while (next < TOTAL_ADDS) {
    const from = oldest;
    for (let i = 0; i < BATCH; i++) live.delete(members[oldest++]!);
    for (let i = from; i < oldest; i++) {
      const t0 = performance.now();
      filter.remove(members[i]!);
      const took = performance.now() - t0;
      removeTime += took;
      if (took > worstRemoveMs) worstRemoveMs = took;
    }
    removes += BATCH;
    addBatch();
  }
  const fpChurned = falsePositiveRate(filter);

  return {
    addNs: (addTime * 1e6) / adds,
    containsNs,
    // Timed one call at a time (to find the worst pause), so this includes the
    // timer's own overhead; see the overhead row printed below.
    removeNs: (removeTime * 1e6) / removes,
    worstRemoveMs,
    bytes: filter.byteLength,
    fpFresh,
    fpChurned,
  };
}

function timerOverheadNs(): number {
  const n = 200_000;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    total += performance.now() - t0;
  }
  return (total * 1e6) / n;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const samples = new Map<string, Sample[]>(designs.map((d) => [d.name, []]));
for (let round = 0; round < ROUNDS + 1; round++) {
  for (const design of designs) {
    const sample = run(design);
    if (round > 0) samples.get(design.name)!.push(sample); // round 0 warms the JIT up
  }
}

const rows: Record<string, Record<string, string>> = {};
for (const [name, list] of samples) {
  const pick = (f: (s: Sample) => number): number => median(list.map(f));
  rows[name] = {
    'add ns/op': pick((s) => s.addNs).toFixed(0),
    'mightContain ns/op': pick((s) => s.containsNs).toFixed(0),
    'remove ns/op (amortised)': pick((s) => s.removeNs).toFixed(0),
    'worst remove ms': pick((s) => s.worstRemoveMs).toFixed(2),
    bytes: pick((s) => s.bytes).toLocaleString('en'),
    'FP fresh': pick((s) => s.fpFresh).toFixed(4),
    'FP after churn': pick((s) => s.fpChurned).toFixed(4),
  };
}

console.log(
  `bloom filters: capacity ${CAPACITY.toLocaleString('en')}, p = ${PROBABILITY}, ` +
    `${TOTAL_ADDS.toLocaleString('en')} adds, ${(TOTAL_ADDS - CAPACITY).toLocaleString('en')} removes, ` +
    `median of ${ROUNDS} rounds, node ${process.version}`,
);
console.table(rows);
console.log(`timer overhead included in remove ns/op: ~${timerOverheadNs().toFixed(0)} ns`);
