import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { EvictionRule } from '../support/frequencyModels.js';
import { modelStep, policyCache, policyCommands, runModel, SieveModel } from '../support/frequencyModels.js';
import { advance } from '../support/models.js';

// A small key pool, so that hits, overwrites and evictions of the same keys are common.
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
type Model = SieveModel<string, number>;

// The SIEVE rule, stated on its own: SIEVE never evicts a visited entry while an
// unvisited one is ahead of the hand. Looking from the hand towards the head and
// wrapping to the tail, the victim is the first unvisited entry; when every entry is
// visited, the hand goes all the way round and evicts the entry it started on.
const firstUnvisitedFromHand: EvictionRule<Model> = (model) => {
  const order = model.scanOrder().map((e) => ({ key: e.key, visited: e.visited }));
  return (victim) => {
    const firstUnvisited = order.find((e) => !e.visited);
    expect(victim).toBe(firstUnvisited === undefined ? order[0]!.key : firstUnvisited.key);
  };
};

// Deleting the entry under the hand is where the hand must move on (to its neighbour
// towards the head); random deletes rarely hit it, since the hand mostly rests at the tail.
const deleteUnderHand = {
  weight: 2,
  arbitrary: fc.constant(
    modelStep<Model>('delete(<key under the hand>)', (model, real) => {
      const key = model.handKey();
      if (key !== undefined) expect(real.cache.delete(key)).toBe(model.delete(key));
    }),
  ),
};

function evictions(cache: ReturnType<typeof policyCache>): string[] {
  const evicted: string[] = [];
  cache.on('evict').subscribe((e) => evicted.push(e.key));
  return evicted;
}

describe("strategy 'sieve'", () => {
  it('matches the paper’s algorithm on an array (results, contents, capacity, victims, hand rule)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.commands(policyCommands<Model>(KEYS, firstUnvisitedFromHand, [deleteUnderHand]), {
          maxCommands: 80,
          size: 'large',
        }),
        (max, cmds) => runModel('sieve', () => new SieveModel<string, number>(max), cmds),
      ),
      { numRuns: 100 },
    );
  });

  it('matches the model with more keys and room', () => {
    const keys = Array.from({ length: 24 }, (_, i) => `k${i}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 16 }),
        fc.commands(policyCommands<Model>(keys, firstUnvisitedFromHand, [deleteUnderHand]), {
          maxCommands: 200,
          size: 'large',
        }),
        (max, cmds) => runModel('sieve', () => new SieveModel<string, number>(max), cmds),
      ),
      { numRuns: 20 },
    );
  });

  it('skips visited entries (clearing them) and resumes from where the hand stopped', () => {
    const cache = policyCache('sieve', 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3); // tail a, b, c head
    cache.get('a');
    cache.set('d', 4); // the hand passes a (clearing it) and stops at b
    expect(evicted).toEqual(['b']);
    cache.set('e', 5); // the hand resumes at c, unvisited
    expect(evicted).toEqual(['b', 'c']);
    // The queue is a, d, e; the hand is at d. a lost its bit when the hand passed.
    cache.get('d');
    cache.set('f', 6); // d visited → cleared; e unvisited
    expect(evicted).toEqual(['b', 'c', 'e']);
    cache.set('g', 7); // the hand wraps from the head to the tail: a, unvisited since it was passed
    expect(evicted).toEqual(['b', 'c', 'e', 'a']);
  });

  it('marks on hits and overwrites only: peek and has leave an entry unvisited', () => {
    const cache = policyCache('sieve', 2);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2);
    cache.peek('a');
    cache.has('a');
    cache.set('c', 3);
    expect(evicted).toEqual(['a']);
    cache.set('b', 20); // an overwrite marks b
    cache.set('d', 4);
    expect(evicted).toEqual(['a', 'c']);
  });

  it('with every entry visited, goes round once and evicts where it started', () => {
    const cache = policyCache('sieve', 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.get('a');
    cache.get('b');
    cache.get('c');
    cache.set('d', 4);
    expect(evicted).toEqual(['a']);
  });

  it('moves the hand to its entry’s neighbour towards the head when that entry is deleted', () => {
    const cache = policyCache('sieve', 4);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3).set('d', 4);
    cache.get('a');
    cache.get('c');
    cache.set('e', 5); // passes a, evicts b; the hand rests on c
    expect(evicted).toEqual(['b']);
    cache.delete('c'); // the hand moves on to d (c's bit would have been cleared and skipped anyway)
    cache.set('f', 6); // room again: no eviction
    cache.get('d');
    cache.set('g', 7); // from d (visited → cleared) to e, unvisited
    expect(evicted).toEqual(['b', 'e']);
  });

  // Why 'lfu' and 'sieve' print the same hit ratios on gli and ps at every size. Until
  // SIEVE's hand reaches the head (it then starts again from the tail, among entries it
  // already passed), it has passed only entries that were hit, so every entry never hit
  // is still ahead of it, and the first unvisited entry ahead is the oldest never-hit
  // entry. LFU evicts that entry too, as long as there is one: count 1, least recently
  // used = oldest inserted. On gli and ps (half the keys or more requested once) no
  // eviction ever finds every entry hit, nor takes the newest entry (which would send
  // the hand back to the tail), at any size.
  it('makes the same choices as LFU until an eviction finds no never-hit entry or takes the newest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `k${i}`)), { maxLength: 300 }),
        (max, requests) => {
          const [sieve, lfu] = [policyCache('sieve', max), policyCache('lfu', max)];
          const [bySieve, byLfu] = [evictions(sieve), evictions(lfu)];
          const neverHit = new Set<string>();
          let newest: string | undefined;
          for (const key of requests) {
            const hit = lfu.get(key) !== undefined;
            expect(sieve.get(key) !== undefined).toBe(hit);
            if (hit) {
              neverHit.delete(key);
              continue;
            }
            if (lfu.size === max && neverHit.size === 0) return; // LFU then weighs counts above 1
            const evictedBefore = byLfu.length;
            sieve.set(key, 0);
            lfu.set(key, 0);
            expect(bySieve).toEqual(byLfu);
            const victim = byLfu.length > evictedBefore ? byLfu[evictedBefore]! : undefined;
            if (victim !== undefined && victim === newest) return; // the hand now starts over from the tail
            if (victim !== undefined) neverHit.delete(victim);
            neverHit.add(key);
            newest = key;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sends the hand back to the tail when the head under it expires, and after clear', () => {
    const scheduler = new VirtualTimeScheduler();
    const cache = policyCache('sieve', 3, scheduler);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.get('a');
    cache.set('d', 4, { ttl: 10 }); // passes a (cleared), evicts b; the hand rests on c
    cache.set('e', 5); // evicts c; the hand rests on d
    expect(evicted).toEqual(['b', 'c']);
    cache.delete('e'); // d is now the head, under the hand
    advance(scheduler, 10); // d expires: no neighbour towards the head, so back to the tail
    cache.set('f', 6).set('g', 7); // the queue: a, f, g
    cache.get('a');
    cache.set('h', 8); // from the tail: a (visited → cleared), then f
    expect(evicted).toEqual(['b', 'c', 'f']);
    cache.clear();
    cache.set('x', 1).set('y', 2).set('z', 3);
    cache.set('w', 4); // a fresh queue, the hand at the tail
    expect(evicted).toEqual(['b', 'c', 'f', 'x']);
  });
});
