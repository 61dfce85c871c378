/**
 * Frequency buckets: the O(1) LFU structure of K. Shah, A. Mitra and D. Matani, "An O(1)
 * algorithm for implementing the LFU cache eviction scheme" (2010), laid out in typed
 * arrays. Shared by the LFU and MFU policies.
 *
 * Slots with the same access count share a bucket. The buckets form a doubly linked
 * list in ascending order of count (only counts that some slot has get a bucket), and
 * each bucket holds a doubly linked list of its slots, the latest arrival at the front.
 * Counting an access moves a slot to the bucket for the next count, which is either the
 * bucket right above its own or a new one linked in there; so every operation touches
 * a constant number of links: no heap, no sort, no scan.
 *
 * Since every touch (insert or access) moves a slot into the front of a bucket, the
 * order inside a bucket is the order of last touch: the back of a bucket is the least
 * recently used slot of that count. That is what makes "least recently used among
 * equals" the free tie-break for both ends.
 *
 * Memory: a non-empty bucket holds at least one slot, so `capacity` buckets always
 * suffice, but a workload seldom has more than a few hundred distinct counts at once:
 * the bucket arrays start at 64 and double when a new bucket needs room (up to
 * `capacity`), and emptied buckets are reused from a free stack. With 1,000,000 slots
 * that is 12 bytes per slot plus 28 per bucket in use, instead of 40 per slot.
 *
 * @example
 * const counts = new FrequencyBuckets(3);
 * counts.add(0);
 * counts.add(1);
 * counts.increment(0); // slot 0: 2 uses, slot 1: 1
 * counts.leastFrequent(); // 1
 * counts.mostFrequent(); // 0
 */
export class FrequencyBuckets {
  // `capacity` is the "none" marker for slots and buckets alike: it fits every array
  // below and is never a slot or a bucket number.
  readonly #nil: number;

  // Per slot.
  readonly #bucketOf: Uint32Array;
  readonly #older: Uint32Array; // towards the back of the slot's bucket
  readonly #newer: Uint32Array; // towards the front

  // Per bucket. Counts are doubles: exact up to 2^53 accesses, where a Uint32 would wrap.
  // Per bucket; grown by #grow, so not readonly.
  #count: Float64Array;
  #front: Uint32Array; // latest arrival
  #back: Uint32Array; // earliest arrival: the least recently touched
  #above: Uint32Array; // the bucket of the next higher count
  #below: Uint32Array;
  #free: Uint32Array; // recycled bucket numbers
  #freeCount = 0;
  #fresh = 0; // buckets below this number were handed out at least once
  #lowest: number;
  #highest: number;

  /** Buckets able to hold slots `0 … capacity - 1`. */
  constructor(capacity: number) {
    this.#nil = capacity;
    this.#bucketOf = new Uint32Array(capacity);
    this.#older = new Uint32Array(capacity);
    this.#newer = new Uint32Array(capacity);
    const buckets = Math.min(capacity, INITIAL_BUCKETS);
    this.#count = new Float64Array(buckets);
    this.#front = new Uint32Array(buckets);
    this.#back = new Uint32Array(buckets);
    this.#above = new Uint32Array(buckets);
    this.#below = new Uint32Array(buckets);
    this.#free = new Uint32Array(buckets);
    this.#lowest = capacity;
    this.#highest = capacity;
  }

  /** Adds `slot` (not in the structure) with a count of 1. */
  add(slot: number): void {
    let bucket = this.#lowest;
    if (bucket === this.#nil || this.#count[bucket] !== 1) bucket = this.#newBucket(1, this.#nil, this.#lowest);
    this.#push(bucket, slot);
  }

  /** Counts one more access of `slot` (in the structure). */
  increment(slot: number): void {
    const bucket = this.#bucketOf[slot]!;
    const count = this.#count[bucket]! + 1;
    const above = this.#above[bucket]!;
    if (above !== this.#nil && this.#count[above] === count) {
      this.#unlink(bucket, slot);
      this.#push(above, slot);
      if (this.#front[bucket] === this.#nil) this.#dropBucket(bucket);
    } else if (this.#front[bucket] === slot && this.#back[bucket] === slot) {
      // Alone in its bucket, and no bucket for the next count: the bucket moves up with it.
      this.#count[bucket] = count;
    } else {
      this.#unlink(bucket, slot);
      this.#push(this.#newBucket(count, bucket, above), slot);
    }
  }

  /** Takes `slot` (in the structure) out. */
  remove(slot: number): void {
    const bucket = this.#bucketOf[slot]!;
    this.#unlink(bucket, slot);
    if (this.#front[bucket] === this.#nil) this.#dropBucket(bucket);
  }

  /** The least recently touched slot among those with the lowest count; `capacity` when empty. */
  leastFrequent(): number {
    return this.#lowest === this.#nil ? this.#nil : this.#back[this.#lowest]!;
  }

  /** The least recently touched slot among those with the highest count; `capacity` when empty. */
  mostFrequent(): number {
    return this.#highest === this.#nil ? this.#nil : this.#back[this.#highest]!;
  }

  /** The count of `slot` (in the structure). */
  countOf(slot: number): number {
    return this.#count[this.#bucketOf[slot]!]!;
  }

  /** Empties the structure. */
  clear(): void {
    this.#lowest = this.#nil;
    this.#highest = this.#nil;
    this.#freeCount = 0;
    this.#fresh = 0;
  }

  // A new empty bucket for `count`, linked between `below` and `above` (either may be nil).
  #newBucket(count: number, below: number, above: number): number {
    if (this.#freeCount === 0 && this.#fresh === this.#count.length) this.#grow();
    const bucket = this.#freeCount !== 0 ? this.#free[--this.#freeCount]! : this.#fresh++;
    this.#count[bucket] = count;
    this.#front[bucket] = this.#nil;
    this.#back[bucket] = this.#nil;
    this.#below[bucket] = below;
    this.#above[bucket] = above;
    if (below === this.#nil) this.#lowest = bucket;
    else this.#above[below] = bucket;
    if (above === this.#nil) this.#highest = bucket;
    else this.#below[above] = bucket;
    return bucket;
  }

  // Twice the bucket room, at most one bucket per slot. Amortised O(1) per new bucket.
  #grow(): void {
    const size = Math.min(this.#nil, 2 * this.#count.length);
    this.#count = widened(this.#count, size);
    this.#front = widened(this.#front, size);
    this.#back = widened(this.#back, size);
    this.#above = widened(this.#above, size);
    this.#below = widened(this.#below, size);
    this.#free = widened(this.#free, size);
  }

  #dropBucket(bucket: number): void {
    const below = this.#below[bucket]!;
    const above = this.#above[bucket]!;
    if (below === this.#nil) this.#lowest = above;
    else this.#above[below] = above;
    if (above === this.#nil) this.#highest = below;
    else this.#below[above] = below;
    this.#free[this.#freeCount++] = bucket;
  }

  // Puts `slot` at the front of `bucket`: its latest arrival.
  #push(bucket: number, slot: number): void {
    const front = this.#front[bucket]!;
    this.#bucketOf[slot] = bucket;
    this.#newer[slot] = this.#nil;
    this.#older[slot] = front;
    if (front === this.#nil) this.#back[bucket] = slot;
    else this.#newer[front] = slot;
    this.#front[bucket] = slot;
  }

  #unlink(bucket: number, slot: number): void {
    const older = this.#older[slot]!;
    const newer = this.#newer[slot]!;
    if (newer === this.#nil) this.#front[bucket] = older;
    else this.#older[newer] = older;
    if (older === this.#nil) this.#back[bucket] = newer;
    else this.#newer[older] = newer;
  }
}

/** Bucket room made at construction (or the capacity, if smaller). */
const INITIAL_BUCKETS = 64;

function widened<A extends Uint32Array | Float64Array>(array: A, size: number): A {
  const wider = new (array.constructor as new (length: number) => A)(size);
  wider.set(array);
  return wider;
}
