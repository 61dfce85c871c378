/**
 * Latency: percentiles of the time per operation, taken in batches.
 *
 * Reading a timer costs tens of nanoseconds, as much as a cache `get`; timing every
 * call would mostly measure the timer. So operations are timed in batches of
 * {@link BATCH} with `process.hrtime.bigint()`, and each batch gives one sample: its
 * time divided by its size. The timer's cost, spread over a batch, is a nanosecond or
 * so per operation and is reported beside the table. What this shows: steady-state
 * cost (p50) and stalls (p99, p99.9: a GC pause, a filter rebuild, a resize) that
 * stretch a batch; a single slow call is diluted by the 99 fast ones around it.
 *
 * @module
 */

import type { Implementation } from './adapters/adapter.js';
import { collect } from './gc.js';
import type { KeySpaces, Sizes, Streams } from './inputs.js';
import { percentile } from './stats.js';
import { sourceUrl } from './workloads.js';

/** Operations per timed batch. */
export const BATCH = 100;

/** What is timed. */
export type LatencyKind = 'set-evict' | 'get-hit';

/** One implementation's percentiles, in ns per operation. */
export interface LatencyRow {
  readonly name: string;
  readonly kind: LatencyKind;
  readonly batches: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Some run was stopped at the time budget (fewer batches than asked). */
  readonly partial: boolean;
}

// Returns the number of batches done: all, or fewer once `deadline` (hrtime ns) passed.
type BatchLoop = (
  store: unknown,
  keys: readonly unknown[],
  stream: Int32Array,
  batches: number,
  batch: number,
  out: Float64Array,
  deadline: bigint,
) => number;

const BODIES: Record<LatencyKind, string> = {
  'get-hit': `
    let found = 0;
    let i = 0;
    let b = 0;
    for (; b < batches; b++) {
      const start = process.hrtime.bigint();
      for (let j = 0; j < batch; j++, i++) if (store.get(keys[stream[i]]) !== undefined) found++;
      const end = process.hrtime.bigint();
      out[b] = Number(end - start) / batch;
      if (end > deadline) { b++; break; }
    }
    out[batches] = found; // keeps the reads observable
    return b;`,
  'set-evict': `
    let i = 0;
    let b = 0;
    for (; b < batches; b++) {
      const start = process.hrtime.bigint();
      for (let j = 0; j < batch; j++, i++) {
        const id = stream[i];
        store.set(keys[id], id);
      }
      const end = process.hrtime.bigint();
      out[b] = Number(end - start) / batch;
      if (end > deadline) { b++; break; }
    }
    return b;`,
};

function compileBatchLoop(kind: LatencyKind, tag: string): BatchLoop {
  return new Function(
    'store',
    'keys',
    'stream',
    'batches',
    'batch',
    'out',
    'deadline',
    `'use strict';\n${BODIES[kind]}\n${sourceUrl(tag)}`,
  ) as BatchLoop;
}

/** Nanoseconds one `hrtime.bigint()` pair costs, the overhead inside each batch. */
export function timerOverheadNs(): number {
  const n = 200_000;
  let total = 0n;
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    total += process.hrtime.bigint() - start;
  }
  return Number(total) / n;
}

/**
 * Runs both latency kinds for each implementation, `rounds` measured runs each after
 * one warm-up run, pooling the batches of all measured runs.
 */
export function runLatency(
  impls: readonly Implementation[],
  sizes: Sizes,
  keySpaces: KeySpaces,
  streams: Streams,
  prefill: Int32Array,
  rounds: number,
  warmup: boolean,
  budgetSeconds: number,
  progress: (line: string) => void,
): LatencyRow[] {
  const keys = keySpaces.of('string');
  const batches = Math.floor(Math.min(sizes.latencyOps, sizes.ops) / BATCH);
  const rows: LatencyRow[] = [];
  for (const kind of ['set-evict', 'get-hit'] as const) {
    const stream = kind === 'set-evict' ? streams.fresh : streams.hits;
    for (const impl of impls) {
      if (kind === 'set-evict' && !impl.bounded) continue;
      progress(`latency ${kind}: ${impl.name}`);
      const loop = compileBatchLoop(kind, `${kind} ${impl.name}`);
      const fill = compileBatchLoop('set-evict', `${kind} ${impl.name} fill`);
      const pooled: Float64Array[] = [];
      const scratch = new Float64Array(Math.ceil(sizes.capacity / BATCH) + 1);
      const never = process.hrtime.bigint() * 2n;
      const total = rounds + (warmup ? 1 : 0);
      let partial = false;
      for (let round = 0; round < total; round++) {
        collect();
        const listened = { calls: 0 };
        const instance = impl.create({ capacity: sizes.capacity, ttl: 0, onEvict: () => void listened.calls++ });
        fill(instance.store, keys, prefill, Math.floor(sizes.capacity / BATCH), BATCH, scratch, never);
        const out = new Float64Array(batches + 1);
        const deadline = process.hrtime.bigint() + BigInt(Math.round(budgetSeconds * 1e9));
        const done = loop(instance.store, keys, stream, batches, BATCH, out, deadline);
        instance.close();
        if (done < batches) partial = true;
        if (warmup && round === 0) continue;
        pooled.push(out.subarray(0, done));
      }
      const all = new Float64Array(pooled.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const part of pooled) {
        all.set(part, at);
        at += part.length;
      }
      all.sort();
      rows.push({
        name: impl.name,
        kind,
        batches: all.length,
        p50: percentile(all, 0.5),
        p99: percentile(all, 0.99),
        p999: percentile(all, 0.999),
        max: all[all.length - 1] ?? NaN,
        partial,
      });
    }
  }
  return rows;
}
