import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { EvictionRule } from '../support/frequencyModels.js';
import { MfuModel, policyCache, policyCommands, runModel } from '../support/frequencyModels.js';
import { advance } from '../support/models.js';

// A small key pool, so that hits, overwrites and evictions of the same keys are common.
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
type Model = MfuModel<string, number>;

// The MFU rule, stated on its own: the victim has the highest use count of all live
// entries, and no entry with that count was touched less recently.
const mostFrequent: EvictionRule<Model> = (model) => {
  const before = model.entries().map((e) => ({ ...e }));
  return (victim) => {
    const highest = Math.max(...before.map((e) => e.count));
    const entry = before.find((e) => e.key === victim)!;
    expect(entry.count).toBe(highest);
    for (const other of before)
      if (other.count === highest) expect(entry.touchedAt).toBeLessThanOrEqual(other.touchedAt);
  };
};

function evictions(cache: ReturnType<typeof policyCache>): string[] {
  const evicted: string[] = [];
  cache.on('evict').subscribe((e) => evicted.push(e.key));
  return evicted;
}

describe("strategy 'mfu'", () => {
  it('matches a linear-scan model (results, contents, capacity, victims, maximum count)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.commands(policyCommands<Model>(KEYS, mostFrequent), { maxCommands: 80, size: 'large' }),
        (max, cmds) => runModel('mfu', () => new MfuModel<string, number>(max), cmds),
      ),
      { numRuns: 100 },
    );
  });

  it('matches the model with more keys and room (deep bucket lists)', () => {
    const keys = Array.from({ length: 24 }, (_, i) => `k${i}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 16 }),
        fc.commands(policyCommands<Model>(keys, mostFrequent), { maxCommands: 200, size: 'large' }),
        (max, cmds) => runModel('mfu', () => new MfuModel<string, number>(max), cmds),
      ),
      { numRuns: 20 },
    );
  });

  it('evicts the most frequently used; hits and overwrites count, peek and has do not', () => {
    const cache = policyCache('mfu', 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.get('a'); // a: 2
    cache.set('b', 20);
    cache.set('b', 21); // b: 3 (overwrites count)
    cache.peek('c');
    cache.has('c'); // c: still 1
    cache.set('d', 4);
    expect(evicted).toEqual(['b']);
    cache.set('e', 5); // a has 2, c and d 1
    expect(evicted).toEqual(['b', 'a']);
  });

  it('breaks ties by recency: the least recently used of the most frequent goes', () => {
    const cache = policyCache('mfu', 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.set('d', 4); // nothing reused: all at 1, so the oldest (as FIFO would)
    expect(evicted).toEqual(['a']);
    cache.get('c');
    cache.get('b'); // b and c at 2, c touched less recently
    cache.set('e', 5);
    expect(evicted).toEqual(['a', 'c']);
  });

  it('keeps working after a delete in the middle, expiry and clear', () => {
    const scheduler = new VirtualTimeScheduler();
    const cache = policyCache('mfu', 3, scheduler);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2, { ttl: 10 }).set('c', 3);
    cache.get('b');
    cache.get('b');
    cache.get('c'); // a: 1, b: 3, c: 2
    cache.delete('c'); // out of the middle of the counts
    cache.set('d', 4); // room: no eviction
    advance(scheduler, 10); // b, the most used, expires
    cache.set('e', 5);
    expect(evicted).toEqual([]);
    cache.set('f', 6); // a, d and e all at 1: a is the oldest
    expect(evicted).toEqual(['a']);
    cache.clear();
    cache.set('x', 1).set('y', 2).set('z', 3);
    cache.get('z');
    cache.set('w', 4);
    expect(evicted).toEqual(['a', 'z']);
    expect(new Set(cache.keys())).toEqual(new Set(['x', 'y', 'w']));
  });
});
