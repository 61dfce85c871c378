/**
 * Membership filters side by side, and what the per-shard pre-check does to `get`.
 *
 * Part 1, the filters alone at one shard's scale (100k keys): ns per add, mightContain
 * (half members, half strangers) and remove (under sliding-window churn: the oldest key
 * leaves as a new one arrives), bytes per key, and the false-positive rate measured on
 * 200k strangers next to theory. XOR filters are static: their "add" is the build,
 * per key.
 *
 * Part 2, the real Cache at 100k entries (one shard, no TTL, latency sampling off):
 * get throughput for hits and for misses with `bloom` off, on (counting bloom), and
 * on with `filter: 'cuckoo'`, next to a bare `Map.get` on the same keys. Two key
 * sources: the same string objects every time (V8 caches a string's hash in the
 * string, so `Map.get` does not rehash them, but `hashKey` does), and strings built per
 * call, as keys parsed from requests are.
 *
 * Run: `npx tsx bench/filters.bench.ts` (add `--quick` for a fast smoke run). Times are
 * process CPU time (not wall time, which on a shared machine counts other processes).
 * Part 1 reports medians of several rounds; part 2 times chunks of reads with the
 * configurations taking turns chunk by chunk, so that a noisy neighbour hits them all
 * alike, and also reports each configuration against `bloom: false` as the median of
 * per-chunk ratios.
 *
 * @module
 */

import { Cache } from '../src/cache.js';
import { CountingBloomFilter } from '../src/filters/bloomFilter.js';
import { bloomParameters } from '../src/filters/bloomMath.js';
import { CuckooFilter, MIN_CUCKOO_PROBABILITY } from '../src/filters/cuckooFilter.js';
import type { MembershipFilter } from '../src/filters/membershipFilter.js';
import { XorFilter } from '../src/filters/xorFilter.js';

const QUICK = process.argv.includes('--quick');
const N = QUICK ? 20_000 : 100_000;
const P = 0.01;
const ROUNDS = QUICK ? 2 : 7;
const STRANGERS = QUICK ? 40_000 : 200_000;

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

// ~20-character keys: the index keeps them distinct, the random part non-sequential.
// The JSON round trip makes them flat strings, as keys parsed from a request or a row
// are: a template literal builds a rope (ConsString), and every later read of a rope's
// characters, V8's hashing included, goes through an extra indirection.
function makeKeys(prefix: string, count: number, seed: number): string[] {
  const random = mulberry32(seed);
  const keys = new Array<string>(count);
  for (let i = 0; i < count; i++) keys[i] = `${prefix}:${Math.floor(random() * 2 ** 32).toString(36)}:${i.toString(36)}`;
  return JSON.parse(JSON.stringify(keys)) as string[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function shuffled(count: number, seed: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const random = mulberry32(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

let sink = 0; // results feed this so no loop is optimised away

// CPU time of this process, in ms. On a shared machine, wall time also counts the time
// other processes held the CPU; CPU time does not (it does include V8's GC threads).
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// ---------------------------------------------------------------------------------
// Part 1: the filters alone
// ---------------------------------------------------------------------------------

const members = makeKeys('member', 5 * N, 1); // the first N fill; the rest churn through
const strangers = makeKeys('stranger', STRANGERS, 2);
const probes = members.slice(0, N / 2).flatMap((m, i) => [m, strangers[i]!]); // half members, half strangers

interface FilterSample {
  addNs: number;
  containsNs: number;
  removeNs: number;
  bytes: number;
  fp: number;
  fpChurned: number;
}

interface DynamicDesign {
  readonly name: string;
  readonly theoryFp: (filter: MembershipFilter<string>) => number;
  readonly theoryBits: number;
  create(): MembershipFilter<string> & { readonly byteLength: number };
}

const bloomBits = bloomParameters(N, P).bits;
const dynamicDesigns: readonly DynamicDesign[] = [
  {
    name: `counting bloom (p=${P})`,
    theoryFp: () => P,
    theoryBits: (8 * bloomBits) / N, // 8-bit counters; an ideal (non-deleting) bloom is 1/8 of that
    create: () => new CountingBloomFilter<string>(N, P),
  },
  {
    name: `cuckoo (p=${P}, f=10)`,
    theoryFp: (f) => (8 * (f as CuckooFilter<string>).loadFactor) / 2 ** 10,
    theoryBits: 10 / 0.95,
    create: () => new CuckooFilter<string>(N, P),
  },
  {
    name: 'cuckoo (f=16)',
    theoryFp: (f) => (8 * (f as CuckooFilter<string>).loadFactor) / 2 ** 16,
    theoryBits: 16 / 0.95,
    create: () => new CuckooFilter<string>(N, MIN_CUCKOO_PROBABILITY),
  },
];

function falsePositiveRate(filter: MembershipFilter<string>): number {
  let hits = 0;
  for (const key of strangers) if (filter.mightContain(key)) hits++;
  return hits / strangers.length;
}

function runDynamic(design: DynamicDesign): FilterSample {
  const filter = design.create();
  let start = cpuMs();
  for (let i = 0; i < N; i++) filter.add(members[i]!);
  const addNs = ((cpuMs() - start) * 1e6) / N;

  start = cpuMs();
  for (let i = 0; i < probes.length; i++) if (filter.mightContain(probes[i]!)) sink++;
  const containsNs = ((cpuMs() - start) * 1e6) / probes.length;
  const fp = falsePositiveRate(filter);

  // Churn: batches of removes (the oldest keys) then adds; both timed in bulk.
  let removeTime = 0;
  let oldest = 0;
  const batch = 1_000;
  for (let next = N; next < members.length; next += batch) {
    start = cpuMs();
    for (let i = oldest; i < oldest + batch; i++) filter.remove(members[i]!);
    removeTime += cpuMs() - start;
    oldest += batch;
    for (let i = next; i < next + batch; i++) filter.add(members[i]!);
  }
  const removeNs = (removeTime * 1e6) / oldest;
  return { addNs, containsNs, removeNs, bytes: filter.byteLength, fp, fpChurned: falsePositiveRate(filter) };
}

function runXor(bits: 8 | 16): FilterSample {
  const keys = members.slice(0, N);
  let start = cpuMs();
  const filter = XorFilter.build(keys, { fingerprintBits: bits });
  const addNs = ((cpuMs() - start) * 1e6) / N;
  start = cpuMs();
  for (let i = 0; i < probes.length; i++) if (filter.mightContain(probes[i]!)) sink++;
  const containsNs = ((cpuMs() - start) * 1e6) / probes.length;
  const fp = falsePositiveRate(filter);
  return { addNs, containsNs, removeNs: NaN, bytes: filter.byteLength, fp, fpChurned: NaN };
}

const filterRows: Array<{ name: string; theoryFp: number; theoryBits: number; samples: FilterSample[] }> = [
  ...dynamicDesigns.map((d) => ({ name: d.name, theoryFp: NaN, theoryBits: d.theoryBits, samples: [] as FilterSample[] })),
  { name: 'xor8 (static)', theoryFp: 1 / 256, theoryBits: 1.23 * 8, samples: [] },
  { name: 'xor16 (static)', theoryFp: 1 / 65_536, theoryBits: 1.23 * 16, samples: [] },
];

for (let round = 0; round <= ROUNDS; round++) {
  dynamicDesigns.forEach((design, i) => {
    const sample = runDynamic(design);
    if (round > 0) filterRows[i]!.samples.push(sample); // round 0 warms the JIT up
    if (round === 0) {
      const probe = design.create();
      for (let k = 0; k < N; k++) probe.add(members[k]!);
      filterRows[i]!.theoryFp = design.theoryFp(probe);
    }
  });
  for (const [offset, bits] of [[0, 8], [1, 16]] as const) {
    const sample = runXor(bits);
    if (round > 0) filterRows[dynamicDesigns.length + offset]!.samples.push(sample);
  }
}

const fmt = (value: number, digits = 0): string => (Number.isNaN(value) ? '—' : value.toFixed(digits));

console.log(
  `\nMembership filters: ${N.toLocaleString('en')} keys, ${STRANGERS.toLocaleString('en')} strangers, ` +
    `CPU ns per operation, median of ${ROUNDS} rounds, node ${process.version}\n`,
);
console.log('| filter | add ns | mightContain ns | remove ns | bytes/key | bits/key (theory) | FP measured | FP theory | FP after churn |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of filterRows) {
  const pick = (f: (s: FilterSample) => number): number => median(row.samples.map(f));
  const bytesPerKey = pick((s) => s.bytes) / N;
  console.log(
    `| ${row.name} | ${fmt(pick((s) => s.addNs))} | ${fmt(pick((s) => s.containsNs))} | ${fmt(pick((s) => s.removeNs))} | ` +
      `${bytesPerKey.toFixed(2)} | ${(8 * bytesPerKey).toFixed(1)} (${row.theoryBits.toFixed(1)}) | ` +
      `${pick((s) => s.fp).toFixed(5)} | ${row.theoryFp.toFixed(5)} | ${fmt(pick((s) => s.fpChurned), 5)} |`,
  );
}
console.log('\n(xor "add ns" is the build time per key; xor filters cannot remove.)');

// ---------------------------------------------------------------------------------
// Part 2: the pre-check on get, in the real Cache
// ---------------------------------------------------------------------------------

interface Subject {
  readonly name: string;
  get(key: string): number | undefined;
}

const cacheKeys = members.slice(0, N);
const absentKeys = strangers.slice(0, N);
const makeCache = (extra: object): Cache<string, number> => {
  const cache = new Cache<string, number>({ maxCacheSize: N, ttl: 0, latencySampleEvery: 0, ...extra });
  for (let i = 0; i < N; i++) cache.set(cacheKeys[i]!, i);
  return cache;
};
const map = new Map<string, number>(cacheKeys.map((k, i) => [k, i]));
const caches = [
  { name: 'bloom: false', cache: makeCache({}) },
  { name: 'bloom: true (counting bloom)', cache: makeCache({ bloom: true }) },
  { name: "bloom: true, filter: 'cuckoo'", cache: makeCache({ bloom: true, filter: 'cuckoo' }) },
];
const subjects: readonly Subject[] = [
  { name: 'Map.get (baseline, no cache)', get: (key) => map.get(key) },
  ...caches.map(({ name, cache }) => ({ name, get: (key: string) => cache.get(key) })),
];

// Reads go in chunks, the configurations taking turns chunk by chunk (who goes first
// rotates), so that they share the machine's ups and downs; each chunk reads the same
// keys in every configuration. The index order is shuffled once: no sequential flattery.
const CHUNK = QUICK ? 10_000 : 100_000;
const CHUNKS = QUICK ? 4 : 25;
const order = shuffled(CHUNK * CHUNKS, 3);
for (let i = 0; i < order.length; i++) order[i] = order[i]! % N;

type Workload = 'hit' | 'miss' | 'hit, fresh string' | 'miss, fresh string';
const workloads: readonly Workload[] = ['hit', 'miss', 'hit, fresh string', 'miss, fresh string'];
// Fresh strings: the same text as the stored key, rebuilt per call, as a key parsed
// from a request is (V8 must hash it once; hashKey hashes it every time anyway).
const memberParts = cacheKeys.map((k) => {
  const cut = k.indexOf(':');
  return [k.slice(0, cut), k.slice(cut + 1)] as const;
});
const strangerParts = absentKeys.map((k) => {
  const cut = k.indexOf(':');
  return [k.slice(0, cut), k.slice(cut + 1)] as const;
});

// One call site for every configuration (so each pays the same dispatch).
function timeGets(subject: Subject, workload: Workload, from: number, to: number): number {
  const start = cpuMs();
  let found = 0;
  switch (workload) {
    case 'hit':
      for (let i = from; i < to; i++) if (subject.get(cacheKeys[order[i]!]!) !== undefined) found++;
      break;
    case 'miss':
      for (let i = from; i < to; i++) if (subject.get(absentKeys[order[i]!]!) !== undefined) found++;
      break;
    case 'hit, fresh string':
      for (let i = from; i < to; i++) {
        const parts = memberParts[order[i]!]!;
        if (subject.get(`${parts[0]}:${parts[1]}`) !== undefined) found++;
      }
      break;
    case 'miss, fresh string':
      for (let i = from; i < to; i++) {
        const parts = strangerParts[order[i]!]!;
        if (subject.get(`${parts[0]}:${parts[1]}`) !== undefined) found++;
      }
      break;
  }
  const ns = ((cpuMs() - start) * 1e6) / (to - from);
  sink += found;
  return ns;
}

const getSamples = new Map<string, number[]>(); // "subject|workload" → ns per chunk
for (const workload of workloads) {
  for (const subject of subjects) timeGets(subject, workload, 0, CHUNK); // warm-up
  for (let c = 0; c < CHUNKS; c++) {
    for (let s = 0; s < subjects.length; s++) {
      const subject = subjects[(s + c) % subjects.length]!;
      const ns = timeGets(subject, workload, c * CHUNK, (c + 1) * CHUNK);
      const key = `${subject.name}|${workload}`;
      if (!getSamples.has(key)) getSamples.set(key, []);
      getSamples.get(key)!.push(ns);
    }
  }
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

console.log(
  `\nCache.get at ${N.toLocaleString('en')} entries (1 shard, LRU, no TTL), ${CHUNKS} chunks of ` +
    `${CHUNK.toLocaleString('en')} gets per cell in shuffled order: CPU ns/get, median [interquartile range]\n`,
);
console.log(`| configuration | ${workloads.join(' | ')} |`);
console.log(`| --- | ${workloads.map(() => '---:').join(' | ')} |`);
for (const subject of subjects) {
  const cells = workloads.map((w) => {
    const values = getSamples.get(`${subject.name}|${w}`)!;
    return `${median(values).toFixed(0)} [${quantile(values, 0.25).toFixed(0)}–${quantile(values, 0.75).toFixed(0)}]`;
  });
  console.log(`| ${subject.name} | ${cells.join(' | ')} |`);
}

// The pre-check's cost or saving, chunk by chunk against bloom: false on the same keys
// at nearly the same moment: the median of those paired ratios, robust to drift.
const baseline = caches[0]!.name;
console.log(`\nPre-check vs ${baseline}: median of per-chunk time ratios (below 1.00: the pre-check saves time)\n`);
console.log(`| configuration | ${workloads.join(' | ')} |`);
console.log(`| --- | ${workloads.map(() => '---:').join(' | ')} |`);
for (const { name } of caches.slice(1)) {
  const cells = workloads.map((w) => {
    const mine = getSamples.get(`${name}|${w}`)!;
    const base = getSamples.get(`${baseline}|${w}`)!;
    return median(mine.map((ns, i) => ns / base[i]!)).toFixed(2);
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
for (const { cache } of caches) cache.dispose();
if (sink === -1) console.log(sink);
