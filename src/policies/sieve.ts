/**
 * SIEVE: Y. Zhang, J. Yang, Y. Yue, Y. Vigfusson and K. V. Rashmi, "SIEVE is Simpler
 * than LRU: an Efficient Turn-Key Eviction Algorithm for Web Caches", NSDI 2024.
 *
 * Design: one FIFO queue of slots (new entries at the head) with a visited bit per
 * slot, and a *hand* that walks from the tail towards the head. A hit only sets the
 * bit: no list surgery on the read path, which is what makes SIEVE cheaper than LRU.
 * To evict, the hand skips visited entries, clearing their bit as it passes (wrapping
 * from the head back to the tail), and stops at the first unvisited entry: the victim.
 * The hand then rests on the victim's neighbour towards the head, and the next
 * eviction resumes there. Unlike CLOCK, survivors are not moved to the head: they keep
 * their place, so new entries (at the head, behind the hand) are judged quickly, while
 * popular old ones sift towards the tail and stay.
 *
 * Until the hand reaches the head (and starts again from the tail), it has passed only
 * entries that were hit, so the first unvisited entry ahead of it is the oldest entry
 * never hit: the victim LFU picks too, while there is one. On traces where that always
 * holds (gli and ps, at every size measured) `'sieve'` and `'lfu'` evict exactly the
 * same keys; `spec/policies/sieve.spec.ts` checks the equivalence.
 *
 * The queue is a doubly linked list in typed arrays sized by the capacity, the bits a
 * `Uint8Array`; every operation is O(1) except `victim()`, which is amortised O(1):
 * each step of the hand clears a bit that a hit set.
 *
 * @module
 */
import type { EvictionPolicy, PolicyContext } from './policy.js';

/**
 * SIEVE eviction (NSDI 2024): a FIFO queue with a visited bit and a moving hand.
 *
 * - A hit (`get`) and a write to an existing key (`set` or `update`) mark the entry
 *   visited; `peek` and `has` do not. New entries arrive unvisited at the head.
 * - The victim is the first unvisited entry from the hand towards the head (wrapping
 *   to the tail); the visited entries the hand passes lose their bit. If every entry
 *   is visited, the hand goes round once and evicts the entry it started from.
 * - When the entry under the hand leaves for another reason (delete, expiry), the hand
 *   moves to that entry's neighbour towards the head, where it would have gone next;
 *   at the head, it goes back to the tail. `clear` puts it back at the tail.
 *
 * @example
 * const cache = new Cache<string, number>({ maxCacheSize: 3, strategy: 'sieve' });
 * cache.set('a', 1).set('b', 2).set('c', 3);
 * cache.get('a'); // a is visited
 * cache.set('d', 4); // the hand passes a (clearing its bit) and evicts b
 * cache.set('e', 5); // the hand resumes at c, unvisited: c goes
 */
export function sievePolicy({ capacity }: PolicyContext): EvictionPolicy {
  // `capacity` is the "no slot" marker. The paper's `prev` (towards the head) is
  // `newer` here, its `next` (towards the tail) is `older`.
  const nil = capacity;
  const newer = new Uint32Array(capacity);
  const older = new Uint32Array(capacity);
  const visited = new Uint8Array(capacity);
  let head = nil; // the newest entry
  let tail = nil; // the oldest entry
  let hand = nil; // where the next eviction starts looking; nil: at the tail

  return {
    name: 'sieve',
    onInsert(slot) {
      visited[slot] = 0;
      newer[slot] = nil;
      older[slot] = head;
      if (head === nil) tail = slot;
      else newer[head] = slot;
      head = slot;
    },
    onAccess(slot) {
      visited[slot] = 1;
    },
    onUpdate(slot) {
      visited[slot] = 1;
    },
    onRemove(slot) {
      if (slot === hand) hand = newer[slot]!;
      const towardsHead = newer[slot]!;
      const towardsTail = older[slot]!;
      if (towardsHead === nil) head = towardsTail;
      else older[towardsHead] = towardsTail;
      if (towardsTail === nil) tail = towardsHead;
      else newer[towardsTail] = towardsHead;
    },
    victim() {
      let slot = hand === nil ? tail : hand;
      while (visited[slot] === 1) {
        visited[slot] = 0;
        slot = newer[slot]!;
        if (slot === nil) slot = tail;
      }
      // The victim stays linked: the shard calls onRemove(victim) next, and by then the
      // hand has already moved past it.
      hand = newer[slot]!;
      return slot;
    },
    onClear() {
      head = nil;
      tail = nil;
      hand = nil;
    },
  };
}
