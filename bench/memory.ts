/**
 * Memory: bytes per entry with every cache full at N entries.
 *
 * The N string keys (`'k' + i`) are built before the baseline is taken, so they count
 * for nobody: what is measured is each cache's own structure (its index, links,
 * per-entry objects, preallocated arrays). Values are small integers, which V8 stores
 * inline (no heap object). Figures are heap used plus `ArrayBuffer` memory (where
 * typed arrays live), after a full GC, minus the same before the cache was built.
 *
 * @module
 */

import type { Implementation, Instance } from './adapters/adapter.js';
import { BASELINE } from './adapters/peers.js';
import { heapBytes } from './gc.js';
import { compileLoop } from './workloads.js';

/** One implementation's memory figure. */
export interface MemoryRow {
  readonly name: string;
  readonly entries: number;
  readonly bytes: number;
  readonly bytesPerEntry: number;
  /** Bytes per entry relative to the baseline's. */
  readonly ratio: number;
}

// One measurement in a frame of its own: when it returns, nothing of its cache is left
// on any stack. (Measured inline in a loop, an interpreter register still holding the
// previous iteration's cache kept it alive through the next baseline.)
function measureOne(impl: Implementation, keys: readonly unknown[], ids: Int32Array, entries: number): number {
  const fill = compileLoop('set', `memory ${impl.name}`);
  // A small cache first, so one-time costs (compiled code, module state, lazy
  // allocations) are paid before the baseline and not charged to the entries.
  const warm = impl.create({ capacity: 64, ttl: 0, onEvict: () => {} });
  fill(warm.store, keys, ids, 0, Math.min(64, entries));
  warm.close();
  const before = heapBytes();
  const instance: Instance = impl.create({ capacity: entries, ttl: 0, onEvict: () => {} });
  fill(instance.store, keys, ids, 0, entries);
  const after = heapBytes();
  // Read after measuring, so the cache is provably still alive at the second figure.
  const alive = instance.store.get(keys[entries - 1]) === entries - 1;
  instance.close();
  if (!alive) throw new Error(`memory: ${impl.name} lost its last entry`);
  return after - before;
}

/** Fills a cache of capacity `entries` with `entries` keys, per implementation. */
export function runMemory(
  impls: readonly Implementation[],
  keys: readonly unknown[],
  entries: number,
  progress: (line: string) => void,
): MemoryRow[] {
  const ids = new Int32Array(entries);
  for (let i = 0; i < entries; i++) ids[i] = i;
  const measured: Omit<MemoryRow, 'ratio'>[] = [];
  for (const impl of impls) {
    progress(`memory: ${impl.name}`);
    const bytes = measureOne(impl, keys, ids, entries);
    measured.push({ name: impl.name, entries, bytes, bytesPerEntry: bytes / entries });
  }
  const base = measured.find((m) => m.name === BASELINE)?.bytesPerEntry ?? NaN;
  return measured.map((m) => ({ ...m, ratio: m.bytesPerEntry / base }));
}
