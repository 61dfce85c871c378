/**
 * The benchmark: Macho side by side with its peers, on the workloads of the
 * performance issue, in one process. Markdown on stdout, progress on stderr.
 *
 * Run it with a GC the harness can force between runs:
 *
 *     node --expose-gc --import tsx bench/run.ts            # full run (several minutes)
 *     node --expose-gc --import tsx bench/run.ts --quick    # smoke run, seconds
 *     npm run bench -- --only=macho --workload=cache-aside
 *
 * (`npm run bench` is `tsx bench/run.ts`; without `--expose-gc` the harness turns the
 * flag on at run time, see `gc.ts`.) `--help` lists the flags.
 *
 * @module
 */

import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Implementation } from './adapters/adapter.js';
import { LONG_TTL_MS, MACHO_VARIANTS } from './adapters/macho.js';
import { BASELINE, PEERS } from './adapters/peers.js';
import type { Flags } from './cli.js';
import { parseFlags, SECTIONS, selected, USAGE, UsageError } from './cli.js';
import { canGc, gcSource } from './gc.js';
import { buildStreams, FULL_SIZES, KeySpaces, QUICK_SIZES } from './inputs.js';
import type { LatencyRow } from './latency.js';
import { runLatency, timerOverheadNs } from './latency.js';
import { describeMachine } from './machine.js';
import type { MemoryRow } from './memory.js';
import { runMemory } from './memory.js';
import { reportHeader, reportLatency, reportLegend, reportMemory, reportTargets, reportWorkload } from './report.js';
import type { Context, WorkloadResult } from './throughput.js';
import { runWorkload } from './throughput.js';
import { WORKLOADS } from './workloads.js';

const DEFAULT_ROUNDS = 5;
// Short enough that entries expire many times over a 2M-op run (~0.4 s at lru-cache's
// speed), long enough that a cache still holds a useful working set.
const SHORT_TTL_MS = 20;
const QUICK_SHORT_TTL_MS = 1;
// A timed run still going after this is stopped (chunk granularity) and marked partial:
// @isaacs/ttlcache's capacity purge walks all its expiry buckets per eviction, and a
// 2M-operation run of it would take many minutes.
const BUDGET_SECONDS = 10;
const QUICK_BUDGET_SECONDS = 2;

/** What `--workload` accepts: the throughput workloads, then the other sections. */
const WORKLOAD_NAMES: readonly string[] = [...WORKLOADS.map((w) => w.name), ...SECTIONS];

/** `--help`: the flags, then the names `--workload` takes (the list USAGE points to). */
const HELP = `${USAGE}\n\nWorkloads and sections: ${WORKLOAD_NAMES.join(', ')}.`;

async function main(flags: Flags): Promise<number> {
  const sizes = flags.quick ? QUICK_SIZES : FULL_SIZES;
  const rounds = flags.rounds ?? (flags.quick ? 1 : DEFAULT_ROUNDS);
  const warmup = !flags.quick;
  const started = performance.now();
  const progress = (line: string): void =>
    void process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

  const known = WORKLOAD_NAMES;
  const unknown = flags.workloads.filter((w) => !known.includes(w));
  if (unknown.length > 0) throw new UsageError(`unknown workload(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const wanted = (name: string): boolean => flags.workloads.length === 0 || flags.workloads.includes(name);

  const all: readonly Implementation[] = [...PEERS, ...MACHO_VARIANTS];
  // The baseline always runs: every ratio is relative to it.
  const impls = all.filter((impl) => impl.name === BASELINE || selected(impl.name, flags));
  if (impls.length === 1 && flags.only.length > 0) progress(`--only matched nothing but the baseline (${BASELINE})`);
  if (!canGc) progress('no gc available: figures include other runs\u2019 garbage');

  progress('building inputs (key spaces, Zipf stream)…');
  const keySpaces = new KeySpaces(Math.max(sizes.keySpace, sizes.memoryEntries));
  const streams = buildStreams(sizes, flags.seed);
  const prefill = new Int32Array(sizes.capacity);
  for (let i = 0; i < prefill.length; i++) prefill[i] = i;
  const context: Context = {
    sizes,
    keys: keySpaces,
    streams,
    prefill,
    rounds,
    warmup,
    gcBetweenRuns: !flags.quick,
    budgetSeconds: flags.quick ? QUICK_BUDGET_SECONDS : BUDGET_SECONDS,
    shortTtlMs: flags.quick ? QUICK_SHORT_TTL_MS : SHORT_TTL_MS,
    longTtlMs: LONG_TTL_MS,
    progress,
  };

  const machine = describeMachine();
  const command = ['node', ...process.execArgv, relative(process.cwd(), process.argv[1] ?? 'bench/run.ts'), ...process.argv.slice(2)].join(' ');
  const out: string[] = [
    reportHeader({
      machine,
      command,
      sizes,
      rounds,
      warmup,
      quick: flags.quick,
      gcSource,
      seed: flags.seed,
      shortTtlMs: context.shortTtlMs,
      longTtlMs: context.longTtlMs,
      budgetSeconds: context.budgetSeconds,
      gcBetweenRuns: context.gcBetweenRuns,
    }),
  ];
  const print = (text: string): void => {
    out.push(text);
    process.stdout.write(`${text}\n`);
  };
  process.stdout.write(`${out[0]}\n`);

  const results: WorkloadResult[] = [];
  const workloads = WORKLOADS.filter((w) => wanted(w.name));
  if (workloads.length > 0) print('## Throughput\n');
  for (const workload of workloads) {
    const result = await runWorkload(workload, impls, context);
    results.push(result);
    print(reportWorkload(result));
  }

  let memory: MemoryRow[] = [];
  if (wanted('memory')) {
    memory = runMemory(
      impls.filter((i) => i.memory),
      keySpaces.of('string'),
      sizes.memoryEntries,
      progress,
    );
    print(reportMemory(memory));
  }

  let latency: LatencyRow[] = [];
  let overhead = NaN;
  if (wanted('latency')) {
    overhead = timerOverheadNs();
    latency = runLatency(
      impls.filter((i) => i.latency),
      sizes,
      keySpaces,
      streams,
      prefill,
      Math.min(rounds, 3),
      warmup,
      context.budgetSeconds,
      progress,
    );
    print(reportLatency(latency, overhead));
  }

  print(reportTargets(results, memory));
  print(reportLegend(impls));

  if (flags.json !== undefined) {
    const raw = {
      machine,
      command,
      settings: {
        sizes,
        rounds,
        warmup,
        seed: flags.seed,
        shortTtlMs: context.shortTtlMs,
        longTtlMs: context.longTtlMs,
        budgetSeconds: context.budgetSeconds,
        gcSource,
      },
      throughput: results,
      memory,
      latency: { timerOverheadNs: overhead, rows: latency },
    };
    writeFileSync(flags.json, `${JSON.stringify(raw, null, 2)}\n`);
    progress(`raw results written to ${flags.json}`);
  }
  return 0;
}

try {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.help) {
    console.log(HELP);
    process.exitCode = 0;
  } else process.exitCode = await main(flags);
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`bench: ${error.message}\n\n${HELP}`);
    process.exitCode = 2;
  } else throw error;
}
