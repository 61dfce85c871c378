/**
 * Garbage collection on demand, so that one implementation's garbage is not collected
 * on the next one's time, and heap figures are taken after a full collection.
 *
 * With `node --expose-gc` the global `gc` is used. Without it (plain `tsx bench/run.ts`),
 * the flag is turned on at run time and `gc` is taken from a fresh V8 context, which
 * Node allows; {@link gcSource} says which one is in use.
 *
 * @module
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = () => void;

function findGc(): { gc: GcFunction | undefined; source: string } {
  const exposed = (globalThis as { gc?: GcFunction }).gc;
  if (typeof exposed === 'function') return { gc: exposed, source: '--expose-gc' };
  try {
    setFlagsFromString('--expose-gc');
    const late = runInNewContext('gc') as unknown;
    if (typeof late === 'function') return { gc: late as GcFunction, source: 'v8.setFlagsFromString' };
  } catch {
    // fall through: no gc available
  }
  return { gc: undefined, source: 'none (figures include garbage)' };
}

const found = findGc();

/** How `gc` was obtained, for the report. */
export const gcSource: string = found.source;

/** True when a full collection can be forced. */
export const canGc: boolean = found.gc !== undefined;

/** Forces full collections (two: the first may leave work for finalisers). */
export function collect(): void {
  if (found.gc === undefined) return;
  found.gc();
  found.gc();
}

/** Heap in use after a full collection, counting `ArrayBuffer` memory (typed arrays live outside the JS heap). */
export function heapBytes(): number {
  collect();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
