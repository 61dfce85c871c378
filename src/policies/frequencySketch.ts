import { describe } from '../errors.js';
import { mix32 } from '../keys/hashKey.js';

/**
 * A count-min sketch of 4-bit counters with periodic aging: the popularity history
 * behind W-TinyLFU's admission decisions, laid out as in Caffeine's `FrequencySketch`.
 *
 * - **Size.** One 64-bit word (sixteen 4-bit counters, here two `Uint32` words) per
 *   entry of capacity, rounded up to a power of two and at least eight: 8 bytes per
 *   entry, whatever the keys are.
 * - **Depth 4, blocked.** A key's four counters all sit in one 64-byte block (one
 *   cache line): the block comes from the key's hash, then each of the four rows
 *   re-mixes the hash with its own odd multiplier and picks one counter in its own
 *   16-byte quarter of the block. Nothing is allocated per call.
 * - **Estimate.** {@link frequency} is the minimum over the four counters, at most 15.
 *   A count-min estimate never underestimates (collisions only add), until aging.
 * - **Aging.** After `sampleSize` (default 10 × capacity) increments that raised some
 *   counter, every counter is halved, so that yesterday's favourites fade away
 *   (TinyLFU's "reset"). The increment count is then halved too, less the truncation
 *   error of the odd counters, as Caffeine does.
 *
 * Hashes come from {@link hashKey}: 32-bit, already well mixed; they are mixed once
 * more here so that a caller passing small integers still spreads over the blocks.
 *
 * @example
 * const sketch = new FrequencySketch(1000);
 * const h = hashKey('user:1', 0x5eed);
 * sketch.increment(h);
 * sketch.increment(h);
 * sketch.frequency(h); // 2 (or more after a collision; never less before aging)
 */
export class FrequencySketch {
  /** Increments (that raised a counter) between two halvings. */
  readonly sampleSize: number;
  readonly #table: Int32Array;
  readonly #blockMask: number;
  #additions = 0;

  /**
   * @param capacity - the cache's capacity (entries): sizes the table and the sample.
   * @param sampleSize - increments between halvings; default `10 * capacity`.
   */
  constructor(capacity: number, sampleSize = 10 * Math.max(1, capacity)) {
    for (const [name, value] of [['capacity', capacity], ['sampleSize', sampleSize]] as const) {
      if (typeof value !== 'number') throw new TypeError(`macho/frequencySketch: ${name} must be a number; got ${describe(value)}`);
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`macho/frequencySketch: ${name} must be an integer ≥ 1; got ${describe(value)}`);
    }
    // 64-bit words, as Caffeine counts them; capped so the table stays a sane allocation.
    const longs = Math.max(8, nextPowerOfTwo(Math.min(capacity, 2 ** 27)));
    // Int32, not Uint32: a word with its top counter at 8 or more would read as a
    // number above 2^31, which V8 handles as a heap double; as int32 every read, add
    // and store stays in integer registers. The bits are the same either way.
    this.#table = new Int32Array(longs * 2);
    this.#blockMask = (longs >>> 3) - 1; // 8 longs = 16 words = 64 bytes per block
    this.sampleSize = sampleSize;
  }

  /** Increments since the last halving (what triggers the next one). */
  get additions(): number {
    return this.#additions;
  }

  /** The estimated number of times `hash` was counted (since aging), 0 … 15. */
  frequency(hash: number): number {
    // The four rows written out (row r: multiplier Mr, words block + 4r … block + 4r + 3;
    // of the 5 best-mixed bits of the product, 2 pick the word and 3 the counter in it):
    // no loop and no table of multipliers on a path that runs on every `get`.
    const table = this.#table;
    const h = mix32(hash);
    const block = (h & this.#blockMask) << 4;
    const b0 = Math.imul(h, M0) >>> 27;
    const b1 = Math.imul(h, M1) >>> 27;
    const b2 = Math.imul(h, M2) >>> 27;
    const b3 = Math.imul(h, M3) >>> 27;
    const c0 = (table[block + (b0 & 3)]! >>> ((b0 >>> 2) << 2)) & 15;
    const c1 = (table[block + 4 + (b1 & 3)]! >>> ((b1 >>> 2) << 2)) & 15;
    const c2 = (table[block + 8 + (b2 & 3)]! >>> ((b2 >>> 2) << 2)) & 15;
    const c3 = (table[block + 12 + (b3 & 3)]! >>> ((b3 >>> 2) << 2)) & 15;
    return Math.min(Math.min(c0, c1), Math.min(c2, c3));
  }

  /**
   * Counts one occurrence of `hash`: raises each of its four counters that is below 15,
   * and halves the whole sketch once `sampleSize` increments have raised something.
   */
  increment(hash: number): void {
    const table = this.#table;
    const h = mix32(hash);
    const block = (h & this.#blockMask) << 4;
    const b0 = Math.imul(h, M0) >>> 27;
    const b1 = Math.imul(h, M1) >>> 27;
    const b2 = Math.imul(h, M2) >>> 27;
    const b3 = Math.imul(h, M3) >>> 27;
    const w0 = block + (b0 & 3);
    const w1 = block + 4 + (b1 & 3);
    const w2 = block + 8 + (b2 & 3);
    const w3 = block + 12 + (b3 & 3);
    const s0 = (b0 >>> 2) << 2;
    const s1 = (b1 >>> 2) << 2;
    const s2 = (b2 >>> 2) << 2;
    const s3 = (b3 >>> 2) << 2;
    // Branchless (dr = 1 unless counter r is at 15): whether a counter is saturated is
    // unpredictable, and with a branch per row `tinylfu`'s cache-aside at 1,000
    // entries ran 1.14-1.18x slower (bench/pair.ts); the loop over rows, 1.26x.
    const x0 = table[w0]!;
    const d0 = 1 ^ ((14 - ((x0 >>> s0) & 15)) >>> 31);
    table[w0] = (x0 + (d0 << s0)) | 0;
    const x1 = table[w1]!;
    const d1 = 1 ^ ((14 - ((x1 >>> s1) & 15)) >>> 31);
    table[w1] = (x1 + (d1 << s1)) | 0;
    const x2 = table[w2]!;
    const d2 = 1 ^ ((14 - ((x2 >>> s2) & 15)) >>> 31);
    table[w2] = (x2 + (d2 << s2)) | 0;
    const x3 = table[w3]!;
    const d3 = 1 ^ ((14 - ((x3 >>> s3) & 15)) >>> 31);
    table[w3] = (x3 + (d3 << s3)) | 0;
    const added = d0 | d1 | d2 | d3;
    if (added === 1 && ++this.#additions >= this.sampleSize) this.age();
  }

  /**
   * Halves every counter (rounding down), so that every frequency `f` becomes
   * `floor(f / 2)`. Called by {@link increment} every `sampleSize` increments.
   */
  age(): void {
    const table = this.#table;
    let odd = 0;
    for (let i = 0; i < table.length; i++) {
      const word = table[i]!;
      odd += popCount(word & 0x11111111);
      table[i] = (word >>> 1) & 0x77777777;
    }
    // Caffeine's correction: the halving dropped about a quarter of the odd counters'
    // worth of increments (each key has four counters).
    this.#additions = Math.max(0, this.#additions - (odd >>> 2)) >>> 1;
  }

  /** Forgets every count. */
  clear(): void {
    this.#table.fill(0);
    this.#additions = 0;
  }
}

// One odd multiplier per row (as int32): each row reads different bits of the product.
const M0 = 0x9e3779b1 | 0;
const M1 = 0x85ebca77 | 0;
const M2 = 0xc2b2ae3d | 0;
const M3 = 0x27d4eb2f | 0;

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function popCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
