/**
 * CPU cost per operation, with the memory out of the way: a cache of 1,000 entries
 * (its index, arrays and keys fit in the CPU cache), one operation kind per loop,
 * Macho next to `lru-cache`. Where `bench/run.ts` at 100k entries measures mostly
 * memory stalls (which both pay alike), this shows the instructions each adds, so it is
 * the measure for hot-path work: facade bookkeeping, event building and delivery.
 *
 * Each figure is the fastest of `--runs` timed loops (on a shared machine the minimum
 * is the stable statistic of CPU-bound work; interference only adds time). Each row
 * runs in a process of its own: a library whose code has already served another
 * configuration in the same process is slower (V8's call sites turn polymorphic),
 * which is not what an application with one cache sees.
 *
 * ```sh
 * npx tsx bench/micro.ts [--runs=9] [--ops=4000000]
 * npx tsx bench/micro.ts --policies [--entries=100000]   # every built-in strategy, and its memory
 * ```
 *
 * With `--policies` the rows are `lru-cache` and the base Macho row with each built-in
 * strategy: what a policy costs per operation, each cell also as a multiple of
 * `lru-cache`'s time, plus bytes per entry with the cache full at `--entries` (as in
 * `bench/memory.ts`: string keys built beforehand, small-integer values).
 *
 * @module
 */

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Implementation } from './adapters/adapter.js';
import { parseFlags } from './flags.js';
import { MACHO_VARIANTS, POLICY_VARIANTS } from './adapters/macho.js';
import { PEERS } from './adapters/peers.js';
import { canGc } from './gc.js';
import { runMemory } from './memory.js';

const USAGE = `Usage: npx tsx bench/micro.ts [flags]

  --runs=N         timed loops per cell; the fastest counts (default 9)
  --ops=N          operations per loop (default: per row)
  --policies       rows: lru-cache and every built-in strategy, plus bytes per entry
  --entries=N      with --policies: entries for the bytes-per-entry figure (default 100,000)
  --row=NAME       measure one row in this process and print its cells as JSON (used internally)
  --help           this text`;

interface Store {
  get(key: string): unknown;
  set(key: string, value: number): unknown;
}

const CAPACITY = 1_000;
// Operations per timed loop (`--ops`; the smoke spec passes a tiny number).
let opsPerLoop = 4_000_000;
const keys = Array.from({ length: 4 * CAPACITY }, (_, i) => `k${String(i)}`);
// A fixed pseudo-random walk over the first CAPACITY keys (all present once loaded).
const present = new Int32Array(1 << 16).map((_, i) => (i * 7919 + 13) % CAPACITY);

/** A fresh loop per row, so that each call site sees one cache class. */
function loops(): Record<string, (store: Store) => void> {
  const ops = opsPerLoop; // a local, not a module binding, inside the timed loops
  return {
    'get (hit)': (store) => {
      for (let i = 0; i < ops; i++) store.get(keys[present[i & 65535]!]!);
    },
    'get (miss)': (store) => {
      for (let i = 0; i < ops; i++) store.get(keys[CAPACITY + (i & 1023)]!);
    },
    'set (replace)': (store) => {
      for (let i = 0; i < ops; i++) store.set(keys[present[i & 65535]!]!, i);
    },
    // 4 × CAPACITY keys in turn: every set is a new key into a full cache.
    'set (evict)': (store) => {
      for (let i = 0; i < ops; i++) store.set(keys[i % keys.length]!, i);
    },
  };
}

// The rows are the harness's own adapters (bench/adapters), so that they are
// configured exactly as in bench/run.ts.
const ROW_NAMES = ['lru-cache', 'macho lru', 'lru-cache +dispose', 'macho lru +evict'] as const;
const POLICY_ROW_NAMES = ['lru-cache', ...POLICY_VARIANTS.map((row) => row.name)];

function implementation(name: string): Implementation {
  const found = [...PEERS, ...MACHO_VARIANTS, ...POLICY_VARIANTS].find((impl) => impl.name === name);
  if (found === undefined) throw new RangeError(`--row: one of ${[...ROW_NAMES, ...POLICY_ROW_NAMES].join(', ')}; got ${name}`);
  return found;
}

// Bytes per entry with the cache full at `entries` string keys (built before the baseline).
function bytesPerEntry(row: Implementation, entries: number): string {
  if (!canGc) return 'n/a';
  const memoryKeys = Array.from({ length: entries }, (_, i) => `k${String(i)}`);
  const [measured] = runMemory([row], memoryKeys, entries, () => {});
  return measured!.bytesPerEntry.toFixed(1);
}

function measure(row: Implementation, runs: number): string[] {
  const cells: string[] = [];
  const rowLoops = loops();
  for (const name of Object.keys(rowLoops)) {
    const instance = row.create({ capacity: CAPACITY, ttl: 0, onEvict: () => {} });
    const store = instance.store as Store;
    for (const key of keys.slice(0, CAPACITY)) store.set(key, 0);
    let best = Infinity;
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      rowLoops[name]!(store);
      best = Math.min(best, performance.now() - start);
    }
    instance.close();
    cells.push(((best * 1e6) / opsPerLoop).toFixed(1));
  }
  return cells;
}

function main(): void {
  const values = parseFlags(USAGE, {
    runs: { type: 'string', default: '9' },
    ops: { type: 'string' },
    row: { type: 'string' },
    policies: { type: 'boolean', default: false },
    entries: { type: 'string', default: '100000' },
  });
  const runs = Number(values.runs);
  const entries = Number(values.entries);
  if (values.ops !== undefined) opsPerLoop = Number(values.ops);
  if (!Number.isInteger(opsPerLoop) || opsPerLoop < 1) throw new RangeError(`--ops takes an integer ≥ 1; got ${String(values.ops)}`);
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs takes an integer ≥ 1; got ${String(values.runs)}`);
  if (!Number.isInteger(entries) || entries < 1) throw new RangeError(`--entries takes an integer ≥ 1; got ${String(values.entries)}`);
  if (values.row !== undefined) {
    const row = implementation(values.row);
    const cells = measure(row, runs);
    if (values.policies) cells.push(bytesPerEntry(row, entries));
    console.log(JSON.stringify(cells));
    return;
  }
  const names = Object.keys(loops());
  const rowNames = values.policies ? POLICY_ROW_NAMES : ROW_NAMES;
  const header = values.policies ? [...names, `bytes per entry (${String(entries)} entries)`] : names;
  const table: string[] = [
    `| ns per operation (fastest of ${String(runs)}) | ${header.join(' | ')} |`,
    `| :--- | ${header.map(() => '---:').join(' | ')} |`,
  ];
  let reference: string[] | undefined; // lru-cache's cells, the first row
  for (const name of rowNames) {
    process.stderr.write(`${name}…\n`);
    const flags = [`--row=${name}`, `--runs=${String(runs)}`, `--ops=${String(opsPerLoop)}`, `--entries=${String(entries)}`];
    if (values.policies) flags.push('--policies');
    const output = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...flags], {
      encoding: 'utf8',
    });
    const cells = JSON.parse(output.trim().split('\n').pop()!) as string[];
    reference ??= cells;
    const shown = values.policies && name !== 'lru-cache' ? cells.map((cell, i) => withRatio(cell, reference![i]!)) : cells;
    table.push(`| ${name} | ${shown.join(' | ')} |`);
  }
  console.log(`Capacity ${String(CAPACITY)}, ${String(opsPerLoop)} operations per loop, one process per row, Node ${process.version}.\n`);
  if (values.policies) console.log('In brackets: the multiple of lru-cache\'s figure (time, or bytes).\n');
  console.log(table.join('\n'));
}

// "58.2 (1.31×)": a cell and its multiple of the reference cell.
function withRatio(cell: string, reference: string): string {
  const ratio = Number(cell) / Number(reference);
  return Number.isFinite(ratio) ? `${cell} (${ratio.toFixed(2)}×)` : cell;
}

main();
