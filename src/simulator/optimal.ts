/**
 * Belady's optimal replacement (OPT / MIN): the offline bound every real policy is
 * measured against. It is not an eviction policy — it reads the future — so it lives
 * here in the simulator and never behind the `EvictionPolicy` interface.
 *
 * As in Caffeine's simulator (`OptimalPolicy`), a miss first admits the key and then,
 * when the cache is over capacity, evicts the entry whose next request is farthest in
 * the future — which may be the new key itself (an entry never asked for again is the
 * first to go). This is the highest hit ratio any policy can reach, admission
 * policies (TinyLFU) included.
 *
 * The cost is O(n) for the next-use table (one pass, once per trace, shared by every
 * size) and O(log size) per request: a max-heap of the cached entries keyed by the
 * index of their next request. A hit leaves a stale index in the heap rather than
 * searching for it; stale indices are always below the current time, so they never
 * reach the top while a live one is there, and the heap is compacted when it fills.
 *
 * @module
 */

import { describe, ERROR_PREFIX } from '../errors.js';
import type { TraceKey } from './traceParser.js';

/**
 * For each request `t`, the index of the next request for the same key, or
 * `keys.length + t` if there is none (distinct values, all beyond every real index,
 * so "never again" is always the farthest).
 * @example
 * nextUses([1, 2, 1, 3]); // Int32Array [2, 5, 6, 7]
 */
export function nextUses(keys: readonly TraceKey[]): Int32Array {
  if (!Array.isArray(keys)) throw new TypeError(`${ERROR_PREFIX}nextUses() takes an array of keys; got ${describe(keys)}`);
  const n = keys.length;
  if (2 * n > 2 ** 31 - 1) throw new RangeError(`macho: the optimal policy handles up to 2^30 requests; got ${n}`);
  const next = new Int32Array(n);
  const seen = new Map<TraceKey, number>();
  for (let t = n - 1; t >= 0; t--) {
    const key = keys[t]!;
    next[t] = seen.get(key) ?? n + t;
    seen.set(key, t);
  }
  return next;
}

/**
 * Hits of Belady's optimal policy with room for `size` entries over a trace, given
 * the trace's {@link nextUses}.
 * @throws TypeError if `next` is not an `Int32Array` or `size` not a number;
 *   RangeError if `size` is not an integer ≥ 1.
 * @example
 * const keys = [1, 2, 3, 1, 2, 3];
 * optimalHits(nextUses(keys), 2); // 2 (LRU would hit none)
 */
export function optimalHits(next: Int32Array, size: number): number {
  if (!(next instanceof Int32Array))
    throw new TypeError(`${ERROR_PREFIX}optimalHits() takes the Int32Array nextUses() returns; got ${describe(next)}`);
  if (typeof size !== 'number') throw new TypeError(`${ERROR_PREFIX}optimalHits(): size must be a number; got ${describe(size)}`);
  // Below 1 the heap would be empty and the eviction loop would never find a live entry.
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`${ERROR_PREFIX}optimalHits(): size must be an integer ≥ 1; got ${describe(size)}`);
  const n = next.length;
  const live = new Uint8Array(2 * n); // live[u]: a cached entry is next requested at u
  // At most min(size, n) entries are ever cached: a huge size needs no huge heap.
  const heap = new Int32Array(2 * Math.min(size, n) + 2);
  let length = 0;
  let cached = 0;
  let hits = 0;
  for (let t = 0; t < n; t++) {
    const use = next[t]!;
    if (live[t] === 1) {
      live[t] = 0; // its heap slot goes stale
      hits++;
    } else cached++;
    live[use] = 1;
    if (length === heap.length) length = compact(heap, length, live);
    // Sift up: a max-heap on the next-use index.
    let i = length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! >= use) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = use;
    if (cached > size) {
      // Pop the farthest next use that is still cached (stale indices are in the past).
      let top: number;
      do {
        top = heap[0]!;
        length--;
        siftDownFromRoot(heap, length);
      } while (live[top] === 0);
      live[top] = 0;
      cached--;
    }
  }
  return hits;
}

// Removes heap[0] by moving the last element (now at index `length`) to the root.
function siftDownFromRoot(heap: Int32Array, length: number): void {
  if (length === 0) return;
  const value = heap[length]!;
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= length) break;
    if (child + 1 < length && heap[child + 1]! > heap[child]!) child++;
    if (heap[child]! <= value) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = value;
}

// Keeps the live indices only and rebuilds the heap (Floyd). At most `size + 1` are
// live, so at least half the array comes free: compaction is amortised O(1) per push.
function compact(heap: Int32Array, length: number, live: Uint8Array): number {
  let kept = 0;
  for (let i = 0; i < length; i++) if (live[heap[i]!] === 1) heap[kept++] = heap[i]!;
  for (let i = (kept >> 1) - 1; i >= 0; i--) {
    const value = heap[i]!;
    let j = i;
    for (;;) {
      let child = 2 * j + 1;
      if (child >= kept) break;
      if (child + 1 < kept && heap[child + 1]! > heap[child]!) child++;
      if (heap[child]! <= value) break;
      heap[j] = heap[child]!;
      j = child;
    }
    heap[j] = value;
  }
  return kept;
}
