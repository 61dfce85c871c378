/**
 * The throughput workloads, and the timed loops they run.
 *
 * Each loop is compiled once per implementation (see {@link compileLoop}), so its
 * `store.get` / `store.set` call sites only ever see one kind of cache and stay
 * monomorphic, as they would in an application; one shared loop would see fifteen
 * kinds and measure V8's megamorphic dispatch instead.
 *
 * @module
 */

import type { Implementation } from './adapters/adapter.js';
import type { KeyKind, Streams } from './inputs.js';

/** What a timed loop does per operation. */
export type LoopKind = 'get' | 'set' | 'cacheAside';

/** How a workload sets the TTL of every cache. */
export type TtlMode = 'none' | 'long' | 'short';

/** One throughput workload. */
export interface Workload {
  readonly name: string;
  readonly description: string;
  readonly loop: LoopKind;
  readonly keys: KeyKind;
  readonly stream: keyof Streams;
  /** Loads keys `0 … capacity-1` before the timed loop. */
  readonly prefill: boolean;
  readonly ttl: TtlMode;
  /** Needs eviction for capacity (excludes node-cache). */
  readonly evicts: boolean;
  /** Reports the hit ratio (the loop returns hits). */
  readonly hitRatio: boolean;
  /**
   * Lets the event loop turn every {@link CHUNK} operations (timers run),
   * as in a server handling requests. Without it a cache's cached clock can stand still
   * for the whole synchronous run (lru-cache's does: it is refreshed by a timer), and
   * nothing would expire in it.
   */
  readonly yields?: boolean;
}

/** Every throughput workload, in the order they run. */
export const WORKLOADS: readonly Workload[] = [
  {
    name: 'cache-aside',
    description: 'Zipf(0.99) over the key space, `get`, and `set` on a miss; string keys; cache starts empty',
    loop: 'cacheAside',
    keys: 'string',
    stream: 'zipf',
    prefill: false,
    ttl: 'none',
    evicts: true,
    hitRatio: true,
  },
  {
    name: 'cache-aside-ttl',
    description: 'cache-aside with a TTL of 1 h on every cache: the cost of TTL bookkeeping, nothing expires',
    loop: 'cacheAside',
    keys: 'string',
    stream: 'zipf',
    prefill: false,
    ttl: 'long',
    evicts: true,
    hitRatio: true,
  },
  {
    name: 'cache-aside-expiring',
    description:
      'cache-aside with a short TTL (real clock), so entries really expire during the run; a slower cache sees more ' +
      'expiries; the event loop turns every 4,096 operations (timers and cached clocks run), as in a server',
    loop: 'cacheAside',
    keys: 'string',
    stream: 'zipf',
    prefill: false,
    ttl: 'short',
    evicts: true,
    hitRatio: true,
    yields: true,
  },
  {
    name: 'keys-number',
    description: 'cache-aside with number keys (the key id)',
    loop: 'cacheAside',
    keys: 'number',
    stream: 'zipf',
    prefill: false,
    ttl: 'none',
    evicts: true,
    hitRatio: true,
  },
  {
    name: 'keys-object',
    description: 'cache-aside with object keys (one frozen `{ id }` per key, compared by identity)',
    loop: 'cacheAside',
    keys: 'object',
    stream: 'zipf',
    prefill: false,
    ttl: 'none',
    evicts: true,
    hitRatio: true,
  },
  {
    name: 'get-hit',
    description: '`get` of keys all present (uniform over the capacity keys loaded first)',
    loop: 'get',
    keys: 'string',
    stream: 'hits',
    prefill: true,
    ttl: 'none',
    evicts: false,
    hitRatio: false,
  },
  {
    name: 'get-miss',
    description: '`get` of keys never stored (the cache is full of others)',
    loop: 'get',
    keys: 'string',
    stream: 'misses',
    prefill: true,
    ttl: 'none',
    evicts: false,
    hitRatio: false,
  },
  {
    name: 'set-evict',
    description: '`set` of a new key into a full cache: every `set` evicts one entry',
    loop: 'set',
    keys: 'string',
    stream: 'fresh',
    prefill: true,
    ttl: 'none',
    evicts: true,
    hitRatio: false,
  },
  {
    name: 'set-replace',
    description: '`set` of keys already present (no eviction): the write path node-cache supports',
    loop: 'set',
    keys: 'string',
    stream: 'hits',
    prefill: true,
    ttl: 'none',
    evicts: false,
    hitRatio: false,
  },
];

/** Why `impl` does not run `workload`, or `undefined` when it does. */
export function skipReason(impl: Implementation, workload: Workload): string | undefined {
  if (workload.ttl !== 'none' && !impl.ttl) return 'no TTL';
  if (workload.ttl !== 'none' && impl.ttlFreeOnly) return 'TTL-free row';
  if (workload.evicts && !impl.bounded) return 'no capacity eviction';
  if (workload.keys === 'object' && !impl.objectKeys) return 'object keys collide';
  // A listener only has something to report where entries are evicted.
  if (impl.listener && !workload.evicts) return 'nothing to listen to';
  return undefined;
}

/**
 * A compiled timed loop: runs operations `from … to-1` of `stream` on `store` and
 * returns a count (hits for cache-aside and get, operations for set). The harness calls
 * it chunk by chunk, so that a pathologically slow cache can be stopped at a time budget.
 */
export type Loop = (store: unknown, keys: readonly unknown[], stream: Int32Array, from: number, to: number) => number;

const BODIES: Record<LoopKind, string> = {
  get: `
    let found = 0;
    for (let i = from; i < to; i++) if (store.get(keys[stream[i]]) !== undefined) found++;
    return found;`,
  set: `
    for (let i = from; i < to; i++) {
      const id = stream[i];
      store.set(keys[id], id);
    }
    return to - from;`,
  // The value is the key id: a small integer, so values cost no allocation.
  cacheAside: `
    let hits = 0;
    for (let i = from; i < to; i++) {
      const id = stream[i];
      const key = keys[id];
      if (store.get(key) === undefined) store.set(key, id);
      else hits++;
    }
    return hits;`,
};

/**
 * A `//# sourceURL` comment naming generated code: profiles then show the loop as
 * `bench-loop/<tag>` instead of "(anonymous)", and the name keeps the source unique.
 */
export function sourceUrl(tag: string): string {
  return `//# sourceURL=bench-loop/${tag.replace(/[^\w.+$-]+/g, '_')}.js`;
}

/**
 * A fresh copy of the `kind` loop for one implementation. The tag makes each source
 * unique, so V8's eval cache cannot hand back a function (and its type feedback)
 * compiled for another implementation.
 */
export function compileLoop(kind: LoopKind, tag: string): Loop {
  return new Function('store', 'keys', 'stream', 'from', 'to', `'use strict';\n${BODIES[kind]}\n${sourceUrl(tag)}`) as Loop;
}

/**
 * Operations per call of a compiled loop: the granularity of the time budget and of
 * event-loop turns. 4,096 operations are about a millisecond of work for a fast cache,
 * so a clock refreshed by a 1 ms timer (lru-cache's) keeps up where the loop yields, and
 * a pathological cache (@isaacs/ttlcache splices its expiry bucket on each eviction) is
 * stopped soon after the budget. One call and one timer read per chunk cost nothing
 * measurable.
 */
export const CHUNK = 1 << 12;

/** What {@link runChunked} did. */
export interface ChunkedRun {
  /** The loop's counts, summed. */
  readonly count: number;
  /** Operations done: `n`, or fewer when the budget ran out. */
  readonly done: number;
  readonly seconds: number;
}

/**
 * Runs `loop` over the first `n` operations of `stream` in chunks of {@link CHUNK},
 * stopping after the chunk that exceeds `budgetSeconds`. With `yields`, the event loop
 * turns between chunks (`setImmediate`); that time is not counted.
 */
export async function runChunked(
  loop: Loop,
  store: unknown,
  keys: readonly unknown[],
  stream: Int32Array,
  n: number,
  budgetSeconds: number,
  yields = false,
): Promise<ChunkedRun> {
  const budget = BigInt(Math.round(budgetSeconds * 1e9));
  let count = 0;
  let done = 0;
  let elapsed = 0n;
  while (done < n) {
    const to = Math.min(n, done + CHUNK);
    const start = process.hrtime.bigint();
    count += loop(store, keys, stream, done, to);
    elapsed += process.hrtime.bigint() - start;
    done = to;
    if (elapsed > budget) break;
    if (yields && done < n) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { count, done, seconds: Number(elapsed) / 1e9 };
}
