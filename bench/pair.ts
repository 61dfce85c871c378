/**
 * Paired A/B: is a change to `src/` faster or slower than a copy of the code before it?
 *
 * `bench/run.ts` compares Macho with its peers; this compares Macho with itself, which
 * is what deciding whether to keep an optimisation needs. On a shared machine absolute
 * figures drift by tens of percent between minutes, so the two builds (and `lru-cache`,
 * for scale) run in the same process, one after the other on the same key stream, in a
 * shuffled order each round, and what is reported is the median of the per-round
 * ratios: a drift slower than one round cancels out.
 *
 * ```sh
 * git worktree add /tmp/base HEAD          # or: cp -r src /tmp/base/src
 * node --expose-gc --import tsx bench/pair.ts --base=/tmp/base/src --listen=evict
 * ```
 *
 * @module
 */

import { LRUCache } from 'lru-cache';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CacheOptions } from 'macho';
import * as current from 'macho';
import { parseFlags } from './flags.js';
import { KeySpaces, zipfStream } from './inputs.js';
import { compileLoop } from './workloads.js';

interface Store {
  get(key: unknown): unknown;
  set(key: unknown, value: unknown): unknown;
}

interface Row {
  readonly name: string;
  create(onEvict: () => void): { store: Store; close(): void };
}

type CacheModule = typeof current;

const USAGE = `Usage: node --expose-gc --import tsx bench/pair.ts [flags]

  --base=DIR|FILE   a copy of src/ to compare against (its index.ts is imported), or a module file
  --listen=evict    attach an eviction listener on every row (lru-cache: dispose)
  --listen=commands record the command log on the Macho rows
  --ttl=MS          a TTL on every row (default 0: none)
  --strategy=NAME   Macho's strategy (default lru)
  --rounds=N        timed passes over the stream (default 5), after an untimed one
  --ops=N           length of the cache-aside stream (default 2,000,000)
  --chunk=N         operations per timed chunk (default 20,000)
  --capacity=N      entries (default 100,000); keys: 10 x capacity, Zipf(0.99)
  --help            this text`;

function machoRow(name: string, module: CacheModule, options: CacheOptions, listen: string | undefined): Row {
  return {
    name,
    create(onEvict) {
      const cache = new module.Cache<unknown, unknown>(options);
      const subscription =
        listen === 'evict'
          ? cache.on('evict').subscribe(onEvict)
          : listen === 'commands'
            ? cache.commands$.subscribe(onEvict)
            : undefined;
      return {
        store: cache as unknown as Store,
        close() {
          subscription?.unsubscribe();
          cache.dispose();
        },
      };
    },
  };
}

function lruCacheRow(capacity: number, ttl: number, listen: boolean): Row {
  return {
    name: listen ? 'lru-cache +dispose' : 'lru-cache',
    create(onEvict) {
      const options: LRUCache.Options<object, object, unknown> = { max: capacity };
      if (ttl > 0) options.ttl = ttl;
      if (listen)
        options.dispose = (_value, _key, reason) => {
          if (reason === 'evict') onEvict();
        };
      return { store: new LRUCache<object, object>(options) as unknown as Store, close() {} };
    },
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function quartiles(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${at(0.25).toFixed(3)}–${at(0.75).toFixed(3)}`;
}

async function main(): Promise<void> {
  const values = parseFlags(USAGE, {
    base: { type: 'string' },
    listen: { type: 'string' },
    ttl: { type: 'string', default: '0' },
    strategy: { type: 'string', default: 'lru' },
    rounds: { type: 'string', default: '5' },
    chunk: { type: 'string', default: '20000' },
    ops: { type: 'string', default: '2000000' },
    capacity: { type: 'string', default: '100000' },
  });
  const listen = values.listen;
  if (listen !== undefined && listen !== 'evict' && listen !== 'commands') throw new Error(`--listen: evict or commands`);
  const ttl = Number(values.ttl);
  const rounds = Number(values.rounds);
  const ops = Number(values.ops);
  const capacity = Number(values.capacity);
  const chunk = Number(values.chunk);
  const options = {
    maxCacheSize: capacity,
    ttl,
    latencySampleEvery: 0,
    strategy: values.strategy,
  } as CacheOptions;
  const rows: Row[] = [lruCacheRow(capacity, ttl, listen === 'evict'), machoRow('macho (this tree)', current, options, listen)];
  if (values.base !== undefined) {
    const base = (await import(pathToFileURL(/\.[cm]?[jt]s$/.test(values.base) ? resolve(values.base) : resolve(values.base, 'index.ts')).href)) as CacheModule;
    rows.push(machoRow(`macho (${values.base})`, base, options, listen));
  }

  const keys = new KeySpaces(capacity * 10).of('string');
  const stream = zipfStream(capacity * 10, 0.99, ops, 42);
  const loops = rows.map((row) => compileLoop('cacheAside', `pair ${row.name}`));
  const delivered: number[] = rows.map(() => 0);
  const caches = rows.map((row, i) => row.create(() => void delivered[i]!++));
  // One untimed pass fills every cache and warms the code; then the stream is cut in
  // chunks, and each chunk runs on every row back to back (in alternating order), so
  // the rows of one chunk meet the same machine weather.
  for (let i = 0; i < rows.length; i++) loops[i]!(caches[i]!.store, keys, stream, 0, ops);
  const seconds: number[][] = rows.map(() => []);
  const chunks = Math.floor(ops / chunk);
  for (let round = 0; round < rounds; round++) {
    for (let c = 0; c < chunks; c++) {
      const order = (round * chunks + c) % 2 === 0 ? rows.map((_, i) => i) : rows.map((_, i) => rows.length - 1 - i);
      for (const i of order) {
        const start = performance.now();
        loops[i]!(caches[i]!.store, keys, stream, c * chunk, (c + 1) * chunk);
        seconds[i]!.push((performance.now() - start) / 1000);
      }
    }
    process.stderr.write(`round ${String(round + 1)}/${String(rounds)}\r`);
  }
  for (const cache of caches) cache.close();
  process.stderr.write('\n');
  console.log(`cache-aside, ${String(rounds)} passes over ${String(ops)} ops in chunks of ${String(chunk)}, capacity ${String(capacity)}, ttl ${String(ttl)}, listen ${listen ?? 'none'}`);
  for (let i = 0; i < rows.length; i++) {
    const ratios = seconds[0]!.map((s, r) => s / seconds[i]![r]!);
    console.log(
      `${rows[i]!.name.padEnd(40)} ${(chunk / median(seconds[i]!) / 1e6).toFixed(2)} M ops/s   × lru-cache ${median(ratios).toFixed(3)} (IQR ${quartiles(ratios)})   listener calls ${String(delivered[i])}`,
    );
  }
  if (rows.length === 3) {
    const ratios = seconds[2]!.map((s, r) => s / seconds[1]![r]!);
    console.log(`this tree ÷ base: ${median(ratios).toFixed(3)} (IQR ${quartiles(ratios)}; > 1: this tree is faster)`);
  }
}

await main();
