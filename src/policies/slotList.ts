import { describe } from '../errors.js';

/** Most slots a list can hold: `2 × capacity` links must fit one typed array. */
const MAX_SLOTS = 2 ** 31 - 1;

/**
 * A doubly linked list of slot numbers in one typed array: O(1) push, move and
 * unlink with no allocation. Shared by the policies that keep an order (LRU by
 * recency, FIFO by insertion, and the queues of S3-FIFO and ARC).
 *
 * A slot's two links sit side by side (`links[2·slot]` next, `links[2·slot + 1]`
 * prev) rather than in two arrays as `lru-cache` keeps them: moving or unlinking a
 * slot in a list far larger than the CPU cache then misses once on that slot instead
 * of twice, and on a 100k-entry LRU a `get` hit does little else.
 */
export class SlotList {
  // `capacity` itself is the "no slot" marker: it is never a slot.
  readonly #nil: number;
  readonly #links: Uint32Array;
  #head: number;
  #tail: number;

  /**
   * A list able to hold slots `0 … capacity - 1`.
   * @param capacity - an integer from 0 to 2^31 − 1 (it is also the "no slot" marker).
   * @param links - the links array, when several lists share one (see {@link disjoint}).
   * @throws TypeError for a `capacity` that is not a number or `links` that is not a
   *   `Uint32Array`; RangeError for a `capacity` out of range or `links` of another length.
   */
  constructor(capacity: number, links?: Uint32Array) {
    if (typeof capacity !== 'number') throw new TypeError(`macho/slotList: capacity must be a number; got ${describe(capacity)}`);
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > MAX_SLOTS)
      throw new RangeError(`macho/slotList: capacity must be an integer from 0 to ${MAX_SLOTS}; got ${describe(capacity)}`);
    if (links === undefined) links = new Uint32Array(2 * capacity);
    else if (!(links instanceof Uint32Array)) throw new TypeError(`macho/slotList: links must be a Uint32Array; got ${describe(links)}`);
    if (links.length !== 2 * capacity) throw new RangeError(`macho/slotList: links must hold 2 × ${capacity} numbers; got ${links.length}`);
    this.#nil = capacity;
    this.#links = links;
    this.#head = capacity;
    this.#tail = capacity;
  }

  /**
   * `count` lists over one links array, for a policy whose lists never hold the same
   * slot at once (W-TinyLFU's segments, ARC's T1 and T2): a slot's links then serve
   * whichever list it is in, and the policy pays 8 bytes per slot instead of 8 × count.
   * Moving a slot between them must unlink it from one before pushing it on another.
   */
  static disjoint(capacity: number, count: number): SlotList[] {
    const links = new Uint32Array(2 * capacity);
    return Array.from({ length: count }, () => new SlotList(capacity, links));
  }

  /** Puts `slot` (not in the list) at the front. */
  pushFront(slot: number): void {
    const links = this.#links;
    const head = this.#head;
    links[2 * slot] = head;
    links[2 * slot + 1] = this.#nil;
    if (head === this.#nil) this.#tail = slot;
    else links[2 * head + 1] = slot;
    this.#head = slot;
  }

  /** Moves `slot` (in the list) to the front. */
  moveToFront(slot: number): void {
    const head = this.#head;
    if (slot === head) return;
    // unlink + pushFront written out: this runs on every LRU hit, and two nested
    // calls here are what V8's inlining budget no longer covers in a cache's get.
    const links = this.#links;
    const nil = this.#nil;
    const next = links[2 * slot]!;
    const prev = links[2 * slot + 1]!; // not nil: slot is not the head
    links[2 * prev] = next;
    if (next === nil) this.#tail = prev;
    else links[2 * next + 1] = prev;
    links[2 * slot] = head;
    links[2 * slot + 1] = nil;
    links[2 * head + 1] = slot;
    this.#head = slot;
  }

  /** Takes `slot` (in the list) out. */
  unlink(slot: number): void {
    const links = this.#links;
    const next = links[2 * slot]!;
    const prev = links[2 * slot + 1]!;
    if (prev === this.#nil) this.#head = next;
    else links[2 * prev] = next;
    if (next === this.#nil) this.#tail = prev;
    else links[2 * next + 1] = prev;
  }

  /**
   * Puts `replacement` (not in the list) where `slot` (in the list) stands, and takes
   * `slot` out: an entry that changes its number keeps its place in the order.
   */
  replace(slot: number, replacement: number): void {
    const links = this.#links;
    const next = links[2 * slot]!;
    const prev = links[2 * slot + 1]!;
    links[2 * replacement] = next;
    links[2 * replacement + 1] = prev;
    if (prev === this.#nil) this.#head = replacement;
    else links[2 * prev] = replacement;
    if (next === this.#nil) this.#tail = replacement;
    else links[2 * next + 1] = replacement;
  }

  /** The slot at the front, or `capacity` when the list is empty. */
  front(): number {
    return this.#head;
  }

  /** The slot at the back, or `capacity` when the list is empty. */
  back(): number {
    return this.#tail;
  }

  /** Empties the list. */
  clear(): void {
    this.#head = this.#nil;
    this.#tail = this.#nil;
  }
}
