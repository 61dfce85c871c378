/**
 * Hit ratios on recorded traces: every built-in policy (read from `BUILTIN_POLICIES` at
 * run time, so new policies join by themselves) and Belady's optimal bound, over every
 * trace in `spec/fixtures/traces/`, at several cache sizes, next to the published rows.
 * Markdown on stdout, progress on stderr.
 *
 *     npx tsx bench/hitRatios.ts
 *     npx tsx bench/hitRatios.ts --traces=gli,cs --policies=lru,arc,optimal --sizes=100,500
 *
 * Sizes: gli at the published sizes (250 … 2000), cloudPhysicsIO at libCacheSim's
 * (128 … 1024) and then 5/10/25 % of its distinct keys, every other trace at
 * 1/5/10/25/50/75 % of its distinct keys. `--help` lists the flags.
 *
 * @module
 */

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SimulatedPolicy, SimulationResult, StrategyName, Trace } from '../src/index.js';
import { BUILTIN_POLICIES, OPTIMAL, readTrace, simulate, traceName } from '../src/index.js';

const USAGE = `Usage: npx tsx bench/hitRatios.ts [flags]

  --traces=a,b     only these traces (names without .trace/.txt/.gz, e.g. gli,cs,cloudPhysicsIO)
  --policies=a,b   only these policies (built-in names and/or "optimal"); default: all built-ins + optimal
  --sizes=a,b      these cache sizes (entries) for every trace, instead of the per-trace defaults
  --dir=PATH       the trace folder (default: spec/fixtures/traces)
  --help           this text

Markdown goes to stdout, progress to stderr.`;

class UsageError extends Error {}

interface Flags {
  traces: string[] | undefined;
  policies: string[] | undefined;
  sizes: number[] | undefined;
  dir: string;
  help: boolean;
}

const DEFAULT_DIR = fileURLToPath(new URL('../spec/fixtures/traces/', import.meta.url));

/** Order of the traces' README; traces not listed follow, alphabetically. */
const TRACE_ORDER = ['gli', 'multi2', 'sprite', 'ps', 'cs', 'cpp', '2_pools', 'loop', 'zigzag', 'scan', 'cloudPhysicsIO'];

/** A published row: a label and hit ratio % by size. */
interface PublishedRow {
  label: string;
  bySize: ReadonlyMap<number, number>;
}

const GLI_SIZES = [250, 500, 750, 1000, 1250, 1500, 1750, 2000];
const row = (label: string, sizes: readonly number[], values: readonly number[]): PublishedRow => ({
  label,
  bySize: new Map(sizes.map((size, i) => [size, values[i]!])),
});
const CLOUD_SIZES = [128, 256, 384, 512, 640, 768, 896, 1024];
const CLOUD_REQUESTS = 113_872;
const CLOUD_LRU_MISSES = [99_411, 96_397, 95_652, 95_370, 95_182, 94_997, 94_891, 94_816];

/** The published figures of spec/fixtures/traces/README.md. */
const PUBLISHED: Readonly<Record<string, readonly PublishedRow[]>> = {
  gli: [
    row('LRU', GLI_SIZES, [0.91, 0.95, 1.15, 11.21, 21.25, 36.56, 45.04, 57.41]),
    row('ARC', GLI_SIZES, [1.38, 1.38, 1.41, 21.3, 34.43, 50.44, 55.06, 57.41]),
    row('LIRS', GLI_SIZES, [15.91, 33.6, 43.61, 50.56, 51.85, 53.55, 55.58, 57.96]),
    row('W-TinyLFU', GLI_SIZES, [15.15, 33.08, 43.11, 50.57, 51.87, 53.57, 55.61, 57.96]),
    row('Optimal (Belady)', GLI_SIZES, [17.71, 34.33, 46.13, 53.15, 57.31, 57.96, 57.96, 57.96]),
  ],
  cloudPhysicsIO: [
    row(
      'LRU',
      CLOUD_SIZES,
      CLOUD_LRU_MISSES.map((misses) => Math.round((1 - misses / CLOUD_REQUESTS) * 10_000) / 100),
    ),
  ],
};
const PUBLISHED_SOURCE: Readonly<Record<string, string>> = {
  gli: "Caffeine's simulator, as published in the dw-cache README",
  cloudPhysicsIO: "libCacheSim's regression test (miss counts, shown here as hit %)",
};

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = { traces: undefined, policies: undefined, sizes: undefined, dir: DEFAULT_DIR, help: false };
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? '' : arg.slice(eq + 1);
    const list = (): string[] => {
      const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (items.length === 0) throw new UsageError(`${flag} needs a value: ${flag}=a,b`);
      return items;
    };
    if (flag === '--help' || flag === '-h') flags.help = true;
    else if (flag === '--traces') flags.traces = list();
    else if (flag === '--policies') flags.policies = list();
    else if (flag === '--dir') flags.dir = value || DEFAULT_DIR;
    else if (flag === '--sizes')
      flags.sizes = list().map((text) => {
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1 || n > 2 ** 30) throw new UsageError(`--sizes takes integers from 1 to 2^30 (what simulate() accepts); got "${text}"`);
        return n;
      });
    else throw new UsageError(`unknown flag ${arg}`);
  }
  return flags;
}

function traceFiles(dir: string, only: readonly string[] | undefined): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.(trace|txt)(\.gz)?$/.test(name));
  } catch {
    throw new UsageError(`no trace folder at ${dir} (pass --dir=PATH)`);
  }
  const rank = (name: string): number => {
    const i = TRACE_ORDER.indexOf(traceName(name));
    return i < 0 ? TRACE_ORDER.length : i;
  };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (only !== undefined) {
    const unknown = only.filter((name) => !names.some((file) => traceName(file) === name));
    if (unknown.length > 0)
      throw new UsageError(`no trace named ${unknown.join(', ')} in ${dir}; there are ${names.map(traceName).join(', ')}`);
    names = names.filter((file) => only.includes(traceName(file)));
  }
  return names.map((name) => `${dir.replace(/\/?$/, '/')}${name}`);
}

function policiesFrom(only: readonly string[] | undefined): SimulatedPolicy[] {
  const all = [...(Object.keys(BUILTIN_POLICIES) as StrategyName[]), OPTIMAL] as SimulatedPolicy[];
  if (only === undefined) return all;
  const unknown = only.filter((name) => !all.includes(name as SimulatedPolicy));
  if (unknown.length > 0) throw new UsageError(`unknown policy ${unknown.join(', ')}; known: ${all.join(', ')}`);
  return only as SimulatedPolicy[];
}

const PERCENTS = [1, 5, 10, 25, 50, 75];
const CLOUD_PERCENTS = [5, 10, 25];

/** The sizes for one trace, each with a note on where it comes from (shown in the header). */
function sizesFor(name: string, distinct: number, override: readonly number[] | undefined): { size: number; note: string }[] {
  const relative = (percent: number): { size: number; note: string } => ({
    size: Math.max(1, Math.round((distinct * percent) / 100)),
    note: `${percent}%`,
  });
  if (override !== undefined) return override.map((size) => ({ size, note: '' }));
  if (name === 'gli') return GLI_SIZES.map((size) => ({ size, note: '' }));
  if (name === 'cloudPhysicsIO')
    return [...[128, 256, 512, 1024].map((size) => ({ size, note: '' })), ...CLOUD_PERCENTS.map(relative)];
  return PERCENTS.map(relative);
}

const fmt = (hitRatio: number): string => (100 * hitRatio).toFixed(2);
const thousands = (n: number): string => n.toLocaleString('en-US');

interface TraceReport {
  trace: Trace;
  distinct: number;
  sizes: { size: number; note: string }[];
  results: SimulationResult[];
  ms: number;
}

function reportTrace({ trace, distinct, sizes, results, ms }: TraceReport): string {
  const policies = [...new Set(results.map((r) => r.policy))];
  const at = (policy: string, size: number): SimulationResult | undefined =>
    results.find((r) => r.policy === policy && r.size === size);
  const real = policies.filter((p) => p !== OPTIMAL);
  const best = sizes.map(({ size }) => Math.max(...real.map((p) => at(p, size)?.hitRatio ?? -1)));
  const lines: string[] = [];
  lines.push(`### ${trace.name}`, '');
  lines.push(
    `${thousands(trace.keys.length)} requests, ${thousands(distinct)} distinct keys; hit ratio % by cache size ` +
      `(entries). Bold: the best real policy at that size (none if no policy hits). Simulated in ${(ms / 1000).toFixed(1)} s.`,
    '',
  );
  const header = sizes.map(({ size, note }) => (note === '' ? `${size}` : `${size} (${note})`));
  lines.push(`| policy | ${header.join(' | ')} |`, `|---|${sizes.map(() => '---:').join('|')}|`);
  for (const policy of policies) {
    const cells = sizes.map(({ size }, i) => {
      const r = at(policy, size);
      if (r === undefined) return '';
      const text = fmt(r.hitRatio);
      const wins = policy !== OPTIMAL && real.length > 1 && r.hitRatio === best[i] && best[i]! > 0;
      return wins ? `**${text}**` : text;
    });
    lines.push(`| ${policy === OPTIMAL ? 'optimal (Belady, ours)' : policy} | ${cells.join(' | ')} |`);
  }
  const published = PUBLISHED[trace.name] ?? [];
  for (const { label, bySize } of published) {
    const cells = sizes.map(({ size }) => {
      const value = bySize.get(size);
      return value === undefined ? '' : `*${value.toFixed(2)}*`;
    });
    if (cells.some((c) => c !== '')) lines.push(`| *${label} (published)* | ${cells.join(' | ')} |`);
  }
  const stateOfTheArt = published.filter((p) => p.label === 'ARC' || p.label === 'W-TinyLFU');
  if (stateOfTheArt.length > 0 && real.length > 0) {
    const cells = sizes.map(({ size }, i) => {
      const target = Math.max(...stateOfTheArt.map((p) => p.bySize.get(size) ?? -Infinity));
      if (target === -Infinity || best[i]! < 0) return '';
      // Both sides as printed (2 decimals), so the difference is the one a reader computes.
      const delta = Math.round((Number(fmt(best[i]!)) - target) * 100) / 100;
      return delta === 0 ? '0.00' : `${delta > 0 ? '+' : '−'}${Math.abs(delta).toFixed(2)}`;
    });
    lines.push(`| best ours − max(ARC, W-TinyLFU) published | ${cells.join(' | ')} |`);
  }
  if (published.length > 0) lines.push('', `Published rows: ${PUBLISHED_SOURCE[trace.name] ?? 'see spec/fixtures/traces/README.md'}.`);
  // Exact LRU is deterministic: ours must print the published LRU figures digit for digit.
  const lru = published.find((p) => p.label === 'LRU');
  const compared = sizes.filter(({ size }) => lru?.bySize.has(size) === true && at('lru', size) !== undefined);
  if (lru !== undefined && compared.length > 0) {
    const same = compared.every(({ size }) => Number(fmt(at('lru', size)!.hitRatio)) === lru.bySize.get(size));
    lines.push(`Our \`lru\` row ${same ? 'reproduces' : '**does not reproduce**'} the published LRU row at ${compared.length} sizes.`);
  }
  lines.push('');
  return lines.join('\n');
}

/** Per policy: cells won (ties count for each) and mean hit ratio as a share of optimal. */
function reportSummary(reports: readonly TraceReport[]): string {
  const policies = [...new Set(reports.flatMap((r) => r.results.map((x) => x.policy)))].filter((p) => p !== OPTIMAL);
  if (policies.length === 0) return '';
  const lines = ['### Summary', ''];
  const hasOptimal = reports.some((r) => r.results.some((x) => x.policy === OPTIMAL));
  lines.push(
    `Cells won: (trace, size) pairs where the policy has the best hit ratio of the real policies (ties count for each; ` +
      `a cell where no policy hits at all counts for none)` +
      (hasOptimal ? '; % of optimal: its hits as a share of Belady\'s, averaged over all cells.' : '.'),
    '',
    `| policy | cells won | ${hasOptimal ? '% of optimal (mean) | ' : ''}best at |`,
    `|---|---:|${hasOptimal ? '---:|' : ''}---|`,
  );
  for (const policy of policies) {
    let won = 0;
    let cells = 0;
    let share = 0;
    const where = new Map<string, number>();
    for (const { trace, sizes, results } of reports) {
      for (const { size } of sizes) {
        const here = results.filter((r) => r.size === size);
        const mine = here.find((r) => r.policy === policy);
        if (mine === undefined) continue;
        const best = Math.max(...here.filter((r) => r.policy !== OPTIMAL).map((r) => r.hits));
        if (mine.hits === best && best > 0) {
          won++;
          where.set(trace.name, (where.get(trace.name) ?? 0) + 1);
        }
        const optimal = here.find((r) => r.policy === OPTIMAL);
        if (optimal !== undefined) {
          cells++;
          share += optimal.hits === 0 ? 1 : mine.hits / optimal.hits;
        }
      }
    }
    const at = [...where].map(([name, n]) => `${name} (${n})`).join(', ') || '—';
    lines.push(`| ${policy} | ${won} | ${hasOptimal ? `${((100 * share) / Math.max(cells, 1)).toFixed(1)} | ` : ''}${at} |`);
  }
  lines.push('');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const files = traceFiles(flags.dir, flags.traces);
  const policies = policiesFrom(flags.policies);
  const started = performance.now();
  const reports: TraceReport[] = [];
  const out: string[] = [];
  out.push(
    `Policies: ${policies.map((p) => `\`${String(p)}\``).join(', ')} (built-ins: ${Object.keys(BUILTIN_POLICIES).join(', ')}). ` +
      `Node ${process.version}. Each cell is a real \`Cache\` (one shard, no TTL) replayed cache-aside: \`get\`, and \`set\` on a miss.`,
    '',
  );
  for (const file of files) {
    const trace = await readTrace(file);
    const distinct = new Set(trace.keys).size;
    const sizes = sizesFor(trace.name, distinct, flags.sizes);
    const t0 = performance.now();
    process.stderr.write(`${trace.name}: ${thousands(trace.keys.length)} requests, sizes ${sizes.map((s) => s.size).join(',')} `);
    const results = simulate(trace, {
      policies,
      sizes: sizes.map((s) => s.size),
      onProgress: ({ done, total }) => {
        if (done % sizes.length === 0) process.stderr.write(`${Math.round((100 * done) / total)}% `);
      },
    });
    const ms = performance.now() - t0;
    process.stderr.write(`(${(ms / 1000).toFixed(1)} s)\n`);
    const report: TraceReport = { trace, distinct, sizes, results, ms };
    reports.push(report);
    out.push(reportTrace(report));
  }
  out.push(reportSummary(reports));
  process.stderr.write(`total ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  console.log(out.join('\n'));
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
});
