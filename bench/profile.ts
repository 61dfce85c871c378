/**
 * One implementation, one workload, several runs, nothing else: the process to put
 * under `node --cpu-prof`, so that the profile shows that cache's hot path and not the
 * harness or the other implementations.
 *
 *     node --cpu-prof --cpu-prof-dir=.tmp/prof --import tsx bench/profile.ts \
 *       --impl="macho lru +evict" --workload=cache-aside --runs=8
 *     npx tsx bench/profileSummary.ts .tmp/prof/<file>.cpuprofile
 *
 * @module
 */

import { MACHO_VARIANTS } from './adapters/macho.js';
import { parseFlags } from './flags.js';
import { PEERS } from './adapters/peers.js';
import { buildStreams, FULL_SIZES, KeySpaces, QUICK_SIZES } from './inputs.js';
import { compileLoop, WORKLOADS } from './workloads.js';

const USAGE = `Usage: node --cpu-prof --import tsx bench/profile.ts [flags]

  --impl=NAME      one of: ${[...PEERS, ...MACHO_VARIANTS].map((i) => i.name).join(', ')} (default "macho lru +evict")
  --workload=NAME  one of: ${WORKLOADS.map((w) => w.name).join(', ')} (default cache-aside)
  --runs=N         timed runs (default 8)
  --quick          the smoke-run sizes
  --help           this text`;

const flags = parseFlags(USAGE, {
  impl: { type: 'string', default: 'macho lru +evict' },
  workload: { type: 'string', default: 'cache-aside' },
  runs: { type: 'string', default: '8' },
  quick: { type: 'boolean', default: false },
});
const implName = flags.impl;
const workloadName = flags.workload;
const runs = Number(flags.runs);
const sizes = flags.quick ? QUICK_SIZES : FULL_SIZES;

const impl = [...PEERS, ...MACHO_VARIANTS].find((i) => i.name === implName);
const workload = WORKLOADS.find((w) => w.name === workloadName);
if (impl === undefined || workload === undefined || !(runs >= 1)) {
  console.error(
    `profile: --impl must be one of: ${[...PEERS, ...MACHO_VARIANTS].map((i) => i.name).join(', ')}\n` +
      `--workload one of: ${WORKLOADS.map((w) => w.name).join(', ')}; --runs ≥ 1`,
  );
  process.exit(2);
}

const keys = new KeySpaces(sizes.keySpace).of(workload.keys);
const stream = buildStreams(sizes, 42)[workload.stream];
const prefill = new Int32Array(sizes.capacity).map((_, i) => i);
const ttl = workload.ttl === 'none' ? 0 : workload.ttl === 'long' ? 3_600_000 : 20;
const loop = compileLoop(workload.loop, `profile ${impl.name}`);
const fill = compileLoop('set', `profile ${impl.name} fill`);
let evictions = 0;
for (let run = 0; run < runs; run++) {
  const instance = impl.create({ capacity: sizes.capacity, ttl, onEvict: () => void evictions++ });
  if (workload.prefill) fill(instance.store, keys, prefill, 0, sizes.capacity);
  const start = process.hrtime.bigint();
  loop(instance.store, keys, stream, 0, sizes.ops);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  instance.close();
  console.log(`${impl.name} ${workload.name} run ${run + 1}: ${(sizes.ops / seconds / 1e6).toFixed(2)} M ops/s`);
}
console.log(`evictions seen by the listener: ${evictions}`);
