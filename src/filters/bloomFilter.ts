/**
 * Bloom filters that forget: the per-shard {@link MembershipFilter} a cache consults
 * before a lookup.
 *
 * A plain bloom filter cannot remove keys, and a cache removes keys all the time
 * (delete, eviction, expiry); without forgetting, stale bits push the false-positive
 * rate towards 1. Two ways to forget are implemented:
 *
 * - {@link CountingBloomFilter}: one byte counter per slot, decremented on remove.
 * - {@link RebuildingBloomFilter}: one bit per slot, rebuilt from the live keys after
 *   enough removals.
 *
 * The default ({@link createBloomFilter}) is the counting filter. Measured with
 * `npx tsx bench/bloomFilter.bench.ts` (node 20, 2 vCPUs; capacity 100,000, p = 0.01,
 * string keys, sliding-window churn of 500,000 adds and 400,000 removes; medians of
 * 5 rounds, ranges over two runs):
 *
 * | design     | add ns  | mightContain ns | remove ns (amortised) | worst remove | bytes   | FP    |
 * | ---------- | ------- | --------------- | --------------------- | ------------ | ------- | ----- |
 * | counting   | 271–280 | 270–287         | 265–285               | 0.08–0.21 ms | 958,506 | 0.010 |
 * | rebuilding | 271–286 | 223–226         | 2,120–2,320           | 29–45 ms     | 134,792 | 0.005 |
 *
 * (Measured before the slot count became prime and the probe walk enhanced double
 * hashing, 2026-12-06: the counting filter has 958,519 bytes now, at the same speed
 * within noise. remove was timed call by call to catch the worst pause; ~60 ns of
 * timer overhead is subtracted above.) The rebuilding filter takes 7× less memory, but each rebuild
 * re-hashes every live key: an 8× dearer remove on average and a stop-the-world pause
 * that grows with the shard (30–45 ms at 100k keys, blocking the event loop and so
 * every subscriber). The counting filter's cost, ~9.6 bytes per key at p = 0.01, is
 * small next to a cache entry and predictable, and its operations are O(k) every
 * time. Most of each operation is hashing the key (two hashes in one pass over a
 * string's characters, `hashKeyPair`), so neither design's bit twiddling is the bottleneck.
 *
 * @module
 */

import type { MembershipFilter } from './membershipFilter.js';
import { describe } from '../errors.js';
import { hashKeyPair, hashPair } from '../keys/hashKey.js';
import { bloomParameters, primeAtLeast } from './bloomMath.js';

// Neither is 0: shardOf() routes with seed 0, so every key in a shard shares the value
// of hashKey(key, 0) modulo the shard count, and indexing with it would skew the bits.
const SEED_1 = 0x2f6b1d3a;
const SEED_2 = 0x6a09e667;

const SATURATED = 255;

/**
 * Stale keys a {@link RebuildingBloomFilter} tolerates, as a fraction (1 / this) of
 * its capacity. Smaller means rebuilding more often; larger means more memory, since
 * the filter is sized to hold capacity + stale keys at the target probability.
 */
const STALE_FRACTION = 8;

function checkLiveKeys(liveKeys: unknown): void {
  if (typeof liveKeys !== 'function') {
    throw new TypeError(`macho/bloom: liveKeys must be a function; got ${describe(liveKeys)}`);
  }
}

/**
 * A counting bloom filter: one 8-bit counter per slot instead of one bit, so
 * {@link CountingBloomFilter.remove} can undo {@link CountingBloomFilter.add}.
 *
 * Contract: call `add` once when a key becomes a member and `remove` once when it
 * leaves. Removing a key that is not a member decrements counters other keys rely on
 * and can cause false negatives; the cache only removes keys it added. A counter that
 * reaches 255 stays there (it no longer knows how many keys share it), which costs a
 * little accuracy but never a false negative.
 *
 * @typeParam K - the key type.
 * @example
 * const filter = new CountingBloomFilter<string>(1000, 0.01);
 * filter.add('user:1');
 * filter.mightContain('user:1'); // true
 * filter.remove('user:1');
 * filter.mightContain('user:1'); // false (the filter is empty again)
 */
export class CountingBloomFilter<K = unknown> implements MembershipFilter<K> {
  readonly #counters: Uint8Array;
  readonly #hashes: number;

  /**
   * @param capacity - expected number of live keys; an integer ≥ 1.
   * @param probability - target false-positive probability, in (0, 1).
   * @throws TypeError or RangeError naming the bad argument (see {@link bloomParameters}).
   * @example
   * const filter = new CountingBloomFilter(100_000, 0.01); // 958,519 counters, 7 hashes
   */
  constructor(capacity: number, probability: number) {
    const { bits, hashes } = bloomParameters(capacity, probability);
    this.#counters = new Uint8Array(primeAtLeast(bits)); // a prime slot count: see primeAtLeast
    this.#hashes = hashes;
  }

  /**
   * Bytes of counter storage, for memory accounting.
   *
   * @example
   * new CountingBloomFilter(1000, 0.01).byteLength; // 9587
   */
  get byteLength(): number {
    return this.#counters.byteLength;
  }

  /**
   * Record that `key` is now a member.
   *
   * @example
   * filter.add('user:1');
   */
  add(key: K): void {
    const counters = this.#counters;
    const m = counters.length;
    // Enhanced double hashing (Dillinger & Manolios): slot i is h1 + i·h2 + (i³ - i)/6
    // mod m, walked by additions, with m prime and h2 in [1, m). Plain double hashing
    // (Kirsch–Mitzenmacher) over a composite m missed p by up to 10× in small filters
    // (a step sharing a factor with m walks a short cycle); this is on target at every
    // size (BENCHMARKS.md, "Membership filters").
    hashKeyPair(key, SEED_1, SEED_2);
    let index = hashPair[0]! % m;
    let step = 1 + (hashPair[1]! % (m - 1));
    let bump = 0;
    for (let i = this.#hashes; i > 0; i--) {
      const count = counters[index]!;
      if (count !== SATURATED) counters[index] = count + 1;
      index += step;
      if (index >= m) index -= m;
      step += ++bump; // bump < k < m: one subtraction keeps step below m
      if (step >= m) step -= m;
    }
  }

  /**
   * Record that `key`, previously added, has left.
   *
   * @example
   * filter.add('user:1');
   * filter.remove('user:1');
   */
  remove(key: K): void {
    const counters = this.#counters;
    const m = counters.length;
    hashKeyPair(key, SEED_1, SEED_2);
    let index = hashPair[0]! % m;
    let step = 1 + (hashPair[1]! % (m - 1));
    let bump = 0;
    for (let i = this.#hashes; i > 0; i--) {
      const count = counters[index]!;
      // A saturated counter may be shared by more keys than it can count, so it must
      // stay set; a zero one means a contract breach, and wrapping to 255 would hide it.
      if (count !== SATURATED && count !== 0) counters[index] = count - 1;
      index += step;
      if (index >= m) index -= m;
      step += ++bump; // bump < k < m: one subtraction keeps step below m
      if (step >= m) step -= m;
    }
  }

  /**
   * `false` only when `key` is certainly not a member.
   *
   * @example
   * filter.mightContain('never-added'); // false, or true with probability ≈ p
   */
  mightContain(key: K): boolean {
    const counters = this.#counters;
    const m = counters.length;
    hashKeyPair(key, SEED_1, SEED_2);
    let index = hashPair[0]! % m;
    let step = 1 + (hashPair[1]! % (m - 1));
    let bump = 0;
    for (let i = this.#hashes; i > 0; i--) {
      if (counters[index] === 0) return false;
      index += step;
      if (index >= m) index -= m;
      step += ++bump; // bump < k < m: one subtraction keeps step below m
      if (step >= m) step -= m;
    }
    return true;
  }

  /**
   * Forget every key.
   *
   * @example
   * filter.clear();
   * filter.mightContain('user:1'); // false
   */
  clear(): void {
    this.#counters.fill(0);
  }
}

/**
 * A bloom filter over a plain bit array that forgets by rebuilding itself from the
 * owner's live keys once enough keys have been removed.
 *
 * `remove` only counts: the removed key's bits stay set (stale) until the next
 * rebuild. The filter is sized for `capacity` plus a budget of stale keys (an eighth
 * of `capacity`) at `probability`, and rebuilds when the budget is spent, so while at
 * most `capacity` keys are live the false-positive rate stays at or below
 * `probability` (about 0.6 × `probability` just after a rebuild).
 *
 * Contract: whenever `remove` is called, `liveKeys()` must yield every key that was
 * added and not yet removed (it may also yield the key being removed). Unlike the
 * counting filter, adding a key twice or removing a key that was never added is
 * harmless.
 *
 * @typeParam K - the key type.
 * @example
 * const entries = new Map<string, number>();
 * const filter = new RebuildingBloomFilter<string>(1000, 0.01, () => entries.keys());
 * entries.set('user:1', 1);
 * filter.add('user:1');
 * filter.mightContain('user:1'); // true
 */
export class RebuildingBloomFilter<K = unknown> implements MembershipFilter<K> {
  readonly #words: Uint32Array;
  readonly #bits: number;
  readonly #hashes: number;
  readonly #staleBudget: number;
  readonly #liveKeys: () => Iterable<K>;
  #stale = 0;

  /**
   * @param capacity - expected number of live keys; an integer ≥ 1.
   * @param probability - target false-positive probability, in (0, 1).
   * @param liveKeys - yields the current members; called only to rebuild.
   * @throws TypeError or RangeError naming the bad argument.
   * @example
   * const live = new Set<string>();
   * const filter = new RebuildingBloomFilter(100_000, 0.01, () => live);
   */
  constructor(capacity: number, probability: number, liveKeys: () => Iterable<K>) {
    bloomParameters(capacity, probability); // validates before capacity is used in sums
    checkLiveKeys(liveKeys);
    const staleBudget = Math.ceil(capacity / STALE_FRACTION);
    const { bits: wanted, hashes } = bloomParameters(capacity + staleBudget, probability);
    const bits = primeAtLeast(wanted); // a prime slot count: see primeAtLeast
    this.#words = new Uint32Array(Math.ceil(bits / 32));
    this.#bits = bits;
    this.#hashes = hashes;
    this.#staleBudget = staleBudget;
    this.#liveKeys = liveKeys;
  }

  /**
   * Bytes of bit storage, for memory accounting.
   *
   * @example
   * new RebuildingBloomFilter(1000, 0.01, () => []).byteLength; // 1352
   */
  get byteLength(): number {
    return this.#words.byteLength;
  }

  /**
   * Record that `key` is now a member.
   *
   * @example
   * filter.add('user:1');
   */
  add(key: K): void {
    const words = this.#words;
    const m = this.#bits;
    hashKeyPair(key, SEED_1, SEED_2);
    let index = hashPair[0]! % m;
    let step = 1 + (hashPair[1]! % (m - 1));
    let bump = 0;
    for (let i = this.#hashes; i > 0; i--) {
      words[index >>> 5]! |= 1 << (index & 31);
      index += step;
      if (index >= m) index -= m;
      step += ++bump; // bump < k < m: one subtraction keeps step below m
      if (step >= m) step -= m;
    }
  }

  /**
   * Record that `key` has left. Its bits stay set until the next rebuild, which this
   * call runs (synchronously, in time proportional to the live keys) once an eighth of
   * the capacity has been removed since the last one.
   *
   * @example
   * live.delete('user:1');
   * filter.remove('user:1');
   */
  remove(_key: K): void {
    if (++this.#stale >= this.#staleBudget) this.#rebuild();
  }

  /**
   * `false` only when `key` is certainly not a member.
   *
   * @example
   * filter.mightContain('never-added'); // false, or true with probability ≤ p
   */
  mightContain(key: K): boolean {
    const words = this.#words;
    const m = this.#bits;
    hashKeyPair(key, SEED_1, SEED_2);
    let index = hashPair[0]! % m;
    let step = 1 + (hashPair[1]! % (m - 1));
    let bump = 0;
    for (let i = this.#hashes; i > 0; i--) {
      if ((words[index >>> 5]! & (1 << (index & 31))) === 0) return false;
      index += step;
      if (index >= m) index -= m;
      step += ++bump; // bump < k < m: one subtraction keeps step below m
      if (step >= m) step -= m;
    }
    return true;
  }

  /**
   * Forget every key.
   *
   * @example
   * filter.clear();
   * filter.mightContain('user:1'); // false
   */
  clear(): void {
    this.#words.fill(0);
    this.#stale = 0;
  }

  #rebuild(): void {
    this.clear();
    try {
      for (const key of this.#liveKeys()) this.add(key);
    } catch (error) {
      // A half-built filter would say "absent" for live keys not reached yet. With
      // every bit set it says "maybe" for everything: useless but correct, until the
      // next removal retries the rebuild.
      this.#words.fill(0xffffffff);
      this.#stale = this.#staleBudget - 1;
      throw error;
    }
  }
}

/**
 * The membership filter a cache shard uses: currently a {@link CountingBloomFilter}
 * (the module header has the measurements behind that choice). `liveKeys` is required
 * and checked anyway, so switching to the {@link RebuildingBloomFilter} later does not
 * change callers.
 *
 * @param capacity - expected number of live keys; an integer ≥ 1.
 * @param probability - target false-positive probability, in (0, 1).
 * @param liveKeys - yields the shard's current keys (for rebuilding).
 * @throws TypeError or RangeError naming the bad argument.
 * @example
 * const entries = new Map<string, number>();
 * const filter = createBloomFilter<string>(10_000, 0.01, () => entries.keys());
 * entries.set('a', 1);
 * filter.add('a');
 * if (!filter.mightContain('b')) {
 *   // 'b' is certainly not cached: skip the lookup
 * }
 */
export function createBloomFilter<K>(
  capacity: number,
  probability: number,
  liveKeys: () => Iterable<K>,
): MembershipFilter<K> {
  checkLiveKeys(liveKeys);
  return new CountingBloomFilter<K>(capacity, probability);
}
