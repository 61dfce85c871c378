/**
 * Throughput: every implementation on the same precomputed stream, in rounds.
 *
 * Per round, each implementation gets a fresh cache (filled first when the workload
 * says so, untimed), then one timed loop over the whole stream. Rounds alternate the
 * order (forward, then reversed), so no implementation always runs right after the
 * same neighbour or always first; a full GC runs before each cache is built. The first
 * round warms the JIT up and is discarded. A row's figure is the median over rounds,
 * and its ratio the median of its per-round ratios to `lru-cache` measured in the same
 * round, which cancels slow drifts of the machine.
 *
 * @module
 */

import type { Family, Implementation } from './adapters/adapter.js';
import { BASELINE } from './adapters/peers.js';
import { collect } from './gc.js';
import type { KeySpaces, Sizes, Streams } from './inputs.js';
import { median, spread } from './stats.js';
import type { Loop, TtlMode, Workload } from './workloads.js';
import { compileLoop, runChunked, skipReason } from './workloads.js';

/** What a run shares: inputs and settings. */
export interface Context {
  readonly sizes: Sizes;
  readonly keys: KeySpaces;
  readonly streams: Streams;
  /** `0 … capacity-1`, for filling caches before the timed part. */
  readonly prefill: Int32Array;
  /** Measured rounds (the warm-up round comes on top). */
  readonly rounds: number;
  readonly warmup: boolean;
  /** A full GC before each timed run (off in `--quick`, where it would take most of the time). */
  readonly gcBetweenRuns: boolean;
  /** TTL of the `'short'` mode, in ms. */
  readonly shortTtlMs: number;
  /** Longest a timed run may take: a cache still running then is stopped and marked partial. */
  readonly budgetSeconds: number;
  /** TTL of the `'long'` mode, in ms. */
  readonly longTtlMs: number;
  /** Progress lines (stderr), never part of the report. */
  readonly progress: (line: string) => void;
}

/** One timed loop. */
export interface ThroughputSample {
  readonly round: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  /** Operations done: all of the stream, or fewer when the time budget stopped the run. */
  readonly done: number;
  /** What the loop returned: hits (cache-aside, get) or operations (set). */
  readonly count: number;
  /** Calls of the eviction listener (or commands logged) during the timed loop. */
  readonly listenerCalls: number;
}

/** One implementation on one workload. */
export interface ThroughputRow {
  readonly name: string;
  readonly family: Family;
  readonly listener: boolean;
  readonly samples: readonly ThroughputSample[];
  readonly medianOpsPerSec: number;
  /** Median of the per-round ratios to the baseline; `NaN` without a baseline. */
  readonly ratio: number;
  readonly spread: number;
  /** Hits / operations, for workloads whose loop counts hits. */
  readonly hitRatio: number | undefined;
  readonly listenerCalls: number;
  /** Some round was stopped at the time budget: the figure covers only the start of the stream. */
  readonly partial: boolean;
}

/** One workload's table. */
export interface WorkloadResult {
  readonly workload: string;
  readonly description: string;
  readonly ttlMs: number;
  readonly ops: number;
  readonly rows: readonly ThroughputRow[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/** The TTL in ms for a mode. */
export function ttlFor(mode: TtlMode, context: Context): number {
  return mode === 'none' ? 0 : mode === 'long' ? context.longTtlMs : context.shortTtlMs;
}

interface Runner {
  readonly impl: Implementation;
  readonly loop: Loop;
  readonly fill: Loop;
  readonly samples: ThroughputSample[];
}

/** Runs `workload` for every implementation that supports it. */
export async function runWorkload(
  workload: Workload,
  impls: readonly Implementation[],
  context: Context,
): Promise<WorkloadResult> {
  const { sizes, progress } = context;
  const ttl = ttlFor(workload.ttl, context);
  const keys = context.keys.of(workload.keys);
  const stream = context.streams[workload.stream];
  const skipped: { name: string; reason: string }[] = [];
  const runners: Runner[] = [];
  for (const impl of impls) {
    const reason = skipReason(impl, workload);
    if (reason !== undefined) skipped.push({ name: impl.name, reason });
    else
      runners.push({
        impl,
        loop: compileLoop(workload.loop, `${workload.name} ${impl.name}`),
        fill: compileLoop('set', `${workload.name} ${impl.name} fill`),
        samples: [],
      });
  }

  const total = context.rounds + (context.warmup ? 1 : 0);
  for (let round = 0; round < total; round++) {
    const measured = context.warmup ? round > 0 : true;
    const order = round % 2 === 0 ? runners : [...runners].reverse();
    progress(`${workload.name}: round ${round + 1}/${total}${measured ? '' : ' (warm-up)'}`);
    for (const runner of order) {
      if (context.gcBetweenRuns) collect();
      let listenerCalls = 0;
      const instance = runner.impl.create({
        capacity: sizes.capacity,
        ttl,
        onEvict: () => {
          listenerCalls++;
        },
      });
      if (workload.prefill) runner.fill(instance.store, keys, context.prefill, 0, sizes.capacity);
      listenerCalls = 0;
      const deliveredBefore = instance.delivered?.() ?? 0;
      const { count, done, seconds } = await runChunked(
        runner.loop,
        instance.store,
        keys,
        stream,
        sizes.ops,
        context.budgetSeconds,
        workload.yields,
      );
      if (instance.delivered) listenerCalls = instance.delivered() - deliveredBefore;
      instance.close();
      if (done < sizes.ops) progress(`${workload.name}: ${runner.impl.name} stopped at the time budget after ${done} ops`);
      if (measured) runner.samples.push({ round, seconds, done, opsPerSec: done / seconds, count, listenerCalls });
    }
  }

  const baseline = runners.find((r) => r.impl.name === BASELINE);
  const rows = runners.map((runner): ThroughputRow => {
    const samples = runner.samples;
    const ops = samples.map((s) => s.opsPerSec);
    const ratios = baseline
      ? samples.map((s, i) => s.opsPerSec / baseline.samples[i]!.opsPerSec)
      : [];
    return {
      name: runner.impl.name,
      family: runner.impl.family,
      listener: runner.impl.listener,
      samples,
      medianOpsPerSec: median(ops),
      ratio: median(ratios),
      spread: spread(ops),
      hitRatio: workload.hitRatio ? median(samples.map((s) => s.count / s.done)) : undefined,
      listenerCalls: median(samples.map((s) => s.listenerCalls)),
      partial: samples.some((s) => s.done < sizes.ops),
    };
  });
  return { workload: workload.name, description: workload.description, ttlMs: ttl, ops: sizes.ops, rows, skipped };
}
