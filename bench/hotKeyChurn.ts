/**
 * A pathology of V8's `Map` that every Map-indexed cache inherits: deleting a key and
 * inserting it again, over and over, makes each later insertion or missed lookup of
 * that key slower and slower, until the table happens to be rebuilt.
 *
 * V8 keeps a deleted entry in its bucket's chain (as a hole) until the table is
 * rehashed, which happens only when used plus deleted entries reach the table's
 * capacity; and a new entry goes to the head of its bucket's chain. So a key deleted
 * and re-inserted N times leaves N holes in its own bucket, and every lookup that does
 * not find a live entry on the way, including the lookup `set` does before inserting,
 * walks all of them. A full cache of 100k entries has room for ~160k holes.
 *
 * The workloads, on a cache filled with `--entries` keys (no eviction: the churn is
 * explicit), each a pass of `--ops` iterations, timed per pass:
 * - hot key: `delete(k)`, `get(k)` (a miss), `set(k)`: one key invalidated and reloaded;
 * - spread: the same three calls on a different key each time (the control).
 *
 * ```sh
 * npx tsx bench/hotKeyChurn.ts [--entries=100000] [--ops=20000] [--passes=5]
 * ```
 *
 * @module
 */

import { LRUCache } from 'lru-cache';
import { Cache } from 'macho';
import { parseFlags } from './flags.js';

const USAGE = `Usage: npx tsx bench/hotKeyChurn.ts [flags]

  --entries=N      keys the stores are filled with (default 100,000)
  --ops=N          iterations of delete + get + set per pass (default 20,000)
  --passes=N       timed passes, printed one by one (default 5)
  --help           this text`;

interface Store {
  get(key: string): unknown;
  set(key: string, value: number): unknown;
  delete(key: string): unknown;
}

function stores(entries: number): Record<string, () => Store> {
  return {
    'lru-cache': () => new LRUCache<string, number>({ max: entries }),
    'macho lru': () => new Cache<string, number>({ maxCacheSize: entries, ttl: 0, shardCount: 1, latencySampleEvery: 0 }),
    'plain Map': () => new Map<string, number>(),
  };
}

function main(): void {
  const values = parseFlags(USAGE, {
    entries: { type: 'string', default: '100000' },
    ops: { type: 'string', default: '20000' },
    passes: { type: 'string', default: '5' },
  });
  const entries = Number(values.entries);
  const ops = Number(values.ops);
  const passes = Number(values.passes);
  for (const [flag, value] of [['entries', entries], ['ops', ops], ['passes', passes]] as const)
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`--${flag} takes an integer ≥ 1; got ${String(values[flag])}`);
  const keys = Array.from({ length: entries }, (_, i) => `k${String(i)}`);
  console.log(`${String(entries)} entries, ${String(ops)} iterations of delete + get (miss) + set per pass; µs per iteration, pass by pass. Node ${process.version}.\n`);
  console.log(`| store | workload | ${Array.from({ length: passes }, (_, i) => `pass ${String(i + 1)}`).join(' | ')} |`);
  console.log(`| :--- | :--- | ${Array.from({ length: passes }, () => '---:').join(' | ')} |`);
  for (const [name, create] of Object.entries(stores(entries))) {
    for (const workload of ['hot key', 'spread'] as const) {
      const store = create();
      for (let i = 0; i < entries; i++) store.set(keys[i]!, i);
      const cells: string[] = [];
      let next = 0;
      for (let pass = 0; pass < passes; pass++) {
        const start = performance.now();
        for (let i = 0; i < ops; i++) {
          const key = workload === 'hot key' ? keys[0]! : keys[(next = (next + 7919) % entries)]!;
          store.delete(key);
          if (store.get(key) !== undefined) throw new Error(`${name}: ${key} still there after delete`);
          store.set(key, i);
        }
        cells.push((((performance.now() - start) / ops) * 1000).toFixed(2));
      }
      console.log(`| ${name} | ${workload} | ${cells.join(' | ')} |`);
    }
  }
}

main();
