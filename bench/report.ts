/**
 * Markdown for the results: the settings, one table per workload, memory, latency,
 * and the issue's targets checked against the figures.
 *
 * @module
 */

import type { Implementation } from './adapters/adapter.js';
import { BASELINE } from './adapters/peers.js';
import type { Sizes } from './inputs.js';
import type { LatencyRow } from './latency.js';
import { BATCH } from './latency.js';
import type { Machine } from './machine.js';
import type { MemoryRow } from './memory.js';
import { median } from './stats.js';
import type { ThroughputRow, WorkloadResult } from './throughput.js';

type Align = 'l' | 'r';

/** A Markdown table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const rule = align.map((a) => (a === 'r' ? '---:' : ':---'));
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(rule), ...rows.map(line)].join('\n');
}

const fmtOps = (n: number): string => (Number.isFinite(n) ? `${(n / 1e6).toFixed(2)} M` : '—');
const fmtRatio = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '—');
const fmtPct = (n: number): string => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : '—');
const fmtNs = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '—');
const fmtCount = (n: number): string => Math.round(n).toLocaleString('en');
const code = (s: string): string => `\`${s}\``;

/** The settings and the machine. */
export function reportHeader(options: {
  machine: Machine;
  command: string;
  sizes: Sizes;
  rounds: number;
  warmup: boolean;
  quick: boolean;
  gcSource: string;
  seed: number;
  shortTtlMs: number;
  longTtlMs: number;
  budgetSeconds: number;
  gcBetweenRuns: boolean;
}): string {
  const { machine, sizes } = options;
  const versions = Object.entries(machine.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const lines = [
    '# Macho benchmark',
    '',
    options.quick ? '> **--quick run**: tiny sizes, one round. It checks that the bench runs; its numbers mean nothing.\n' : '',
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}`,
    `- Node ${machine.node} (V8 ${machine.v8}); GC between runs: ${options.gcSource}`,
    `- Versions: ${versions}`,
    `- Command: ${code(options.command)}`,
    `- Sizes: ${fmtCount(sizes.keySpace)} keys, capacity ${fmtCount(sizes.capacity)}, ${fmtCount(sizes.ops)} ops per timed run; seed ${options.seed}`,
    `- TTLs: "long" ${fmtCount(options.longTtlMs)} ms (nothing expires), "short" ${options.shortTtlMs} ms (real clock)`,
    `- Method: one process; all implementations on the same precomputed key streams; ${options.rounds} measured round(s)` +
      (options.warmup ? ' after one discarded warm-up round' : ', no warm-up') +
      '; order forward, then reversed, alternately; a fresh cache' +
      (options.gcBetweenRuns ? ' and a full GC' : ' (no GC: --quick)') +
      ' before each timed run; ' +
      'each timed loop compiled separately per implementation (monomorphic call sites). ' +
      `**ops/s** is the median over rounds; **× ${BASELINE}** is the median of the per-round ratios to ${BASELINE} ` +
      '(measured in the same round); **spread** is (max − min) / median over rounds. ' +
      `A timed run still going after ${options.budgetSeconds} s is stopped there and marked †.`,
    '',
  ];
  return lines.join('\n');
}

/** The legend of the rows that ran. */
export function reportLegend(impls: readonly Implementation[]): string {
  return [
    '## Rows',
    '',
    table(
      ['row', 'what it is'],
      impls.map((impl) => [impl.name, impl.note]),
      ['l', 'l'],
    ),
    '',
  ].join('\n');
}

/** One workload's table. */
export function reportWorkload(result: WorkloadResult): string {
  const hasHits = result.rows.some((r) => r.hitRatio !== undefined);
  const hasListener = result.rows.some((r) => r.listener);
  const headers = ['implementation', 'ops/s', `× ${BASELINE}`, 'spread'];
  const align: Align[] = ['l', 'r', 'r', 'r'];
  if (hasHits) {
    headers.push('hit ratio');
    align.push('r');
  }
  if (hasListener) {
    headers.push('listener calls');
    align.push('r');
  }
  const rows = result.rows.map((row) => {
    const cells = [row.partial ? `${row.name} †` : row.name, fmtOps(row.medianOpsPerSec), fmtRatio(row.ratio), fmtPct(row.spread)];
    if (hasHits) cells.push(row.hitRatio === undefined ? '—' : row.hitRatio.toFixed(3));
    if (hasListener) cells.push(row.listener ? fmtCount(row.listenerCalls) : '—');
    return cells;
  });
  const ttl = result.ttlMs > 0 ? ` TTL ${fmtCount(result.ttlMs)} ms.` : '';
  const partial = result.rows.some((r) => r.partial)
    ? `\n† Stopped at the time budget in some round: the figure covers only the first part of the stream ` +
      `(ops done: ${result.rows
        .filter((r) => r.partial)
        .map((r) => `${r.name} ${r.samples.map((s) => fmtCount(s.done)).join(' / ')}`)
        .join('; ')}).\n`
    : '';
  const skipped =
    result.skipped.length === 0
      ? ''
      : `\nNot run: ${result.skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}.\n`;
  return [`### ${result.workload}`, '', `${result.description}.${ttl}`, '', table(headers, rows, align), partial + skipped].join(
    '\n',
  );
}

/** The memory table. */
export function reportMemory(rows: readonly MemoryRow[]): string {
  if (rows.length === 0) return '';
  const entries = rows[0]!.entries;
  return [
    '## Memory',
    '',
    `Bytes per entry with ${fmtCount(entries)} entries (capacity ${fmtCount(entries)}): heap used + ArrayBuffers after a ` +
      'full GC, minus the same before the cache was built. The string keys `\'k\' + i` were built before the baseline, so ' +
      'they count for nobody; values are small integers (no heap object). So this is each cache\'s own structure.',
    '',
    table(
      ['implementation', 'bytes/entry', `× ${BASELINE}`, 'total MiB'],
      rows.map((r) => [r.name, r.bytesPerEntry.toFixed(1), fmtRatio(r.ratio), (r.bytes / 2 ** 20).toFixed(1)]),
      ['l', 'r', 'r', 'r'],
    ),
    '',
  ].join('\n');
}

/** The latency tables. */
export function reportLatency(rows: readonly LatencyRow[], overheadNs: number): string {
  if (rows.length === 0) return '';
  const part = (kind: LatencyRow['kind'], title: string): string => {
    const mine = rows.filter((r) => r.kind === kind);
    return [
      `### ${title}`,
      '',
      table(
        ['implementation', 'p50 ns/op', 'p99 ns/op', 'p99.9 ns/op', 'max ns/op', 'batches'],
        mine.map((r) => [r.partial ? `${r.name} †` : r.name, fmtNs(r.p50), fmtNs(r.p99), fmtNs(r.p999), fmtNs(r.max), fmtCount(r.batches)]),
        ['l', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    ].join('\n');
  };
  return [
    '## Latency',
    '',
    `Operations are timed in batches of ${BATCH} with \`process.hrtime.bigint()\`; each batch gives one sample, ` +
      `its time / ${BATCH}. (A timer read costs about as much as a \`get\`, so timing single calls would mostly ` +
      `measure the timer.) One \`hrtime.bigint()\` pair costs ${overheadNs.toFixed(0)} ns here, ` +
      `${(overheadNs / BATCH).toFixed(1)} ns per operation once spread over a batch, included in the figures. ` +
      'p50 is the steady cost; p99 and p99.9 show stalls long enough to stretch a batch (GC, filter rebuilds); ' +
      'one slow call among 99 fast ones is diluted. Batches of all measured rounds are pooled; † marks a run stopped ' +
      'at the time budget (fewer batches).',
    '',
    part('set-evict', `set under eviction pressure (a new key into a full cache)`),
    part('get-hit', 'get (hits)'),
  ].join('\n');
}

function pairedRatio(a: ThroughputRow | undefined, b: ThroughputRow | undefined): number {
  if (a === undefined || b === undefined) return NaN;
  return median(a.samples.map((s, i) => s.opsPerSec / b.samples[i]!.opsPerSec));
}

/** The issue's three targets, read off the figures (rows missing from a filtered run show as —). */
export function reportTargets(results: readonly WorkloadResult[], memory: readonly MemoryRow[]): string {
  const find = (workload: string, name: string): ThroughputRow | undefined =>
    results.find((r) => r.workload === workload)?.rows.find((row) => row.name === name);
  const listener = pairedRatio(find('cache-aside', 'macho lru +evict'), find('cache-aside', 'lru-cache +dispose'));
  const plain = pairedRatio(find('cache-aside', 'macho lru'), find('cache-aside', 'lru-cache'));
  const mem = memory.find((m) => m.name === 'macho lru')?.ratio ?? NaN;
  const vsNodeCache = results
    .map((r) => ({ workload: r.workload, ratio: pairedRatio(find(r.workload, 'macho lru'), find(r.workload, 'node-cache')) }))
    .filter((x) => Number.isFinite(x.ratio));
  const worst = vsNodeCache.reduce<{ workload: string; ratio: number }>(
    (w, x) => (Number.isNaN(w.ratio) || x.ratio < w.ratio ? x : w),
    { workload: '—', ratio: NaN },
  );
  // A ratio that is not a positive number is a failed measurement, not a result.
  const verdict = (ok: boolean, value: number): string =>
    !Number.isFinite(value) ? 'not measured' : value <= 0 ? 'suspect figure' : ok ? 'met' : '**not met**';
  return [
    '## Targets (issue 3)',
    '',
    table(
      ['target', 'measured', 'verdict'],
      [
        [
          'cache-aside with an eviction listener ≥ 1.0× lru-cache (macho lru +evict ÷ lru-cache +dispose)',
          fmtRatio(listener),
          verdict(listener >= 1, listener),
        ],
        ['(same, no listeners: macho lru ÷ lru-cache)', fmtRatio(plain), '—'],
        ['memory per entry ≤ 1.2× lru-cache (macho lru)', fmtRatio(mem), verdict(mem <= 1.2, mem)],
        [
          '≥ 5× node-cache on every workload it supports (macho lru; worst case shown)',
          Number.isFinite(worst.ratio) ? `${fmtRatio(worst.ratio)} (${worst.workload})` : '—',
          verdict(worst.ratio >= 5, worst.ratio),
        ],
      ],
      ['l', 'r', 'l'],
    ),
    '',
  ].join('\n');
}
