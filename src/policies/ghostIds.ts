/**
 * Numbers for a policy's ghosts (keys it remembers after evicting them): ids `0 … size -
 * 1`, handed out lowest first and recycled last-freed first, with no work per id until
 * it is first used. A policy keeps per-ghost state in arrays indexed by these ids.
 *
 * Why not a free list filled with every id up front: that is a pass over `size` ids when
 * the cache is built and at each `clear()`, and memory touched for ghosts that may never
 * exist (a cache built for 10^8 entries that holds a thousand). Here the free list only
 * holds ids given back, and ids never used come from a counter; the ids handed out are
 * the same, in the same order, as from a full list that starts at 0.
 *
 * @example
 * const ids = new GhostIds(3);
 * ids.take(); // 0
 * ids.take(); // 1
 * ids.release(0);
 * ids.take(); // 0 again (last freed first)
 * ids.take(); // 2
 * ids.full;   // true
 */
export class GhostIds {
  /** How many ids there are. */
  readonly size: number;
  readonly #free: Uint32Array;
  #freeCount = 0;
  #fresh = 0;

  constructor(size: number) {
    this.size = size;
    this.#free = new Uint32Array(size); // zero pages: only the ids given back are written
  }

  /** True when every id is in use: {@link take} needs a {@link release} first. */
  get full(): boolean {
    return this.#freeCount === 0 && this.#fresh === this.size;
  }

  /** Ids handed out since the last {@link reset}: per-id state below this may be set. */
  get used(): number {
    return this.#fresh;
  }

  /** A free id. Only when not {@link full}. */
  take(): number {
    return this.#freeCount !== 0 ? this.#free[--this.#freeCount]! : this.#fresh++;
  }

  /** `id`, taken before, is free again. */
  release(id: number): void {
    this.#free[this.#freeCount++] = id;
  }

  /** Every id is free again, as when new. */
  reset(): void {
    this.#freeCount = 0;
    this.#fresh = 0;
  }
}
