/**
 * The precomputed inputs every implementation is measured on: key spaces of three
 * kinds and seeded key-id streams (Zipf and uniform). They are built once, before any
 * timing, and shared, so every implementation sees exactly the same operations and no
 * timed loop pays for generating keys.
 *
 * A stream holds key ids (an `Int32Array`); a loop reads `keys[stream[i]]` whatever the
 * key kind, so string, number and object keys cost the same indirection.
 *
 * @module
 */

/** Sizes of one run; `--quick` shrinks them. */
export interface Sizes {
  /** Distinct keys in the key space (Zipf universe). */
  readonly keySpace: number;
  /** Capacity of every cache (entries). */
  readonly capacity: number;
  /** Operations per timed run. */
  readonly ops: number;
  /** Entries for the memory measurement. */
  readonly memoryEntries: number;
  /** Operations per latency run. */
  readonly latencyOps: number;
}

/** The figures: 1M keys, 100k capacity, 2M operations. */
export const FULL_SIZES: Sizes = Object.freeze({
  keySpace: 1_000_000,
  capacity: 100_000,
  ops: 2_000_000,
  memoryEntries: 1_000_000,
  latencyOps: 1_000_000,
});

/** Tiny sizes: checks that everything runs, measures nothing. */
export const QUICK_SIZES: Sizes = Object.freeze({
  keySpace: 10_000,
  capacity: 1_000,
  ops: 20_000,
  memoryEntries: 10_000,
  latencyOps: 10_000,
});

/** Mulberry32: a small seeded generator of numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded permutation of `0 … n-1` (Fisher–Yates). */
export function permutation(n: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * `count` key ids drawn from Zipf(`s`) over `n` keys: rank r (1-based) has weight
 * 1 / r^s. Ranks map to ids through a seeded permutation, so the popular keys are
 * spread over the key space instead of being ids 0, 1, 2…
 */
export function zipfStream(n: number, s: number, count: number, seed: number): Int32Array {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / Math.pow(r + 1, s);
    cdf[r] = total;
  }
  for (let r = 0; r < n; r++) cdf[r]! /= total;
  const idOfRank = permutation(n, seed ^ 0x5bd1e995);
  const random = mulberry32(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const u = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = idOfRank[lo]!;
  }
  return out;
}

/** `count` ids drawn uniformly from `from … from + n - 1`. */
export function uniformStream(from: number, n: number, count: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = from + Math.floor(random() * n);
  return out;
}

/** `count` ids `from, from+1, …`, wrapping around the key space `0 … n-1`. */
export function sequentialStream(from: number, n: number, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = (from + i) % n;
  return out;
}

/** The kinds of key a workload can use. */
export type KeyKind = 'string' | 'number' | 'object';

/** An object key: compared by identity. */
export interface ObjectKey {
  readonly id: number;
}

/** Key spaces by kind, built on first use. */
export class KeySpaces {
  readonly size: number;
  #strings: string[] | undefined;
  #numbers: number[] | undefined;
  #objects: ObjectKey[] | undefined;

  constructor(size: number) {
    this.size = size;
  }

  /** Keys of `kind`, indexed by key id: `'k' + id`, `id`, or `{ id }`. */
  of(kind: KeyKind): readonly unknown[] {
    switch (kind) {
      case 'string':
        return (this.#strings ??= Array.from({ length: this.size }, (_, i) => `k${i}`));
      case 'number':
        return (this.#numbers ??= Array.from({ length: this.size }, (_, i) => i));
      case 'object':
        return (this.#objects ??= Array.from({ length: this.size }, (_, i) => Object.freeze({ id: i })));
    }
  }
}

/** Every stream the workloads use, built once per process. */
export interface Streams {
  /** Zipf(0.99) ids over the whole key space: the cache-aside stream. */
  readonly zipf: Int32Array;
  /** Uniform ids among the first `capacity` keys: all hits once those are loaded. */
  readonly hits: Int32Array;
  /** Uniform ids outside the first `capacity` keys: all misses. */
  readonly misses: Int32Array;
  /** Ids after the first `capacity`, in order, wrapping: every set is a new key. */
  readonly fresh: Int32Array;
}

/** Builds the streams for `sizes` from one seed. */
export function buildStreams(sizes: Sizes, seed: number): Streams {
  const { keySpace, capacity, ops } = sizes;
  return {
    zipf: zipfStream(keySpace, 0.99, ops, seed),
    hits: uniformStream(0, capacity, ops, seed + 1),
    misses: uniformStream(capacity, keySpace - capacity, ops, seed + 2),
    fresh: sequentialStream(capacity, keySpace, ops),
  };
}
