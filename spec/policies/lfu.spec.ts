import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { lfuPolicy } from 'macho';
import type { EvictionRule } from '../support/frequencyModels.js';
import { LfuModel, policyCache, policyCommands, runModel } from '../support/frequencyModels.js';
import { advance } from '../support/models.js';

// A small key pool, so that hits, overwrites and evictions of the same keys are common.
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
type Model = LfuModel<string, number>;

// The LFU rule, stated on its own: the victim has the lowest use count of all live
// entries, and no entry with that count was touched less recently.
const leastFrequent: EvictionRule<Model> = (model) => {
  const before = model.entries().map((e) => ({ ...e }));
  return (victim) => {
    const lowest = Math.min(...before.map((e) => e.count));
    const entry = before.find((e) => e.key === victim)!;
    expect(entry.count).toBe(lowest);
    for (const other of before)
      if (other.count === lowest) expect(entry.touchedAt).toBeLessThanOrEqual(other.touchedAt);
  };
};

function evictions(cache: ReturnType<typeof policyCache>): string[] {
  const evicted: string[] = [];
  cache.on('evict').subscribe((e) => evicted.push(e.key));
  return evicted;
}

describe("strategy 'lfu'", () => {
  it('orders hundreds of distinct counts at once (the bucket arrays grow as needed)', () => {
    // 300 entries, entry i read i times: 300 buckets, past the 64 made at first.
    const size = 300;
    const cache = policyCache('lfu', size);
    const keys = Array.from({ length: size }, (_, i) => `k${String(i)}`);
    for (const key of keys) cache.set(key, 0);
    keys.forEach((key, i) => {
      for (let n = 0; n < i; n++) cache.get(key);
    });
    const evicted = evictions(cache);
    for (let i = 0; i < size; i++) cache.set(`new${String(i)}`, i);
    // k0 and the newcomers have count 1: k0 goes first (least recently used), then each
    // newcomer is evicted by the next one.
    expect(evicted.slice(0, 2)).toEqual(['k0', 'new0']);
    // Now fill with hits on the newcomer so the old entries go, lowest count first.
    const fresh = policyCache('lfu', size);
    const order: string[] = [];
    fresh.on('evict').subscribe((e) => order.push(e.key));
    for (const key of keys) fresh.set(key, 0);
    keys.forEach((key, i) => {
      for (let n = 0; n < i; n++) fresh.get(key);
    });
    for (let i = 0; i < size; i++) {
      const key = `hot${String(i)}`;
      fresh.set(key, i);
      for (let n = 0; n < 2 * size; n++) fresh.get(key); // above every old count
    }
    expect(order).toEqual(keys);
  });

  it('matches a linear-scan model (results, contents, capacity, victims, minimum count)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.commands(policyCommands<Model>(KEYS, leastFrequent), { maxCommands: 80, size: 'large' }),
        (max, cmds) => runModel('lfu', () => new LfuModel<string, number>(max), cmds),
      ),
      { numRuns: 100 },
    );
  });

  it('matches the model with more keys and room (deep bucket lists)', () => {
    const keys = Array.from({ length: 24 }, (_, i) => `k${i}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 16 }),
        fc.commands(policyCommands<Model>(keys, leastFrequent), { maxCommands: 200, size: 'large' }),
        (max, cmds) => runModel('lfu', () => new LfuModel<string, number>(max), cmds),
      ),
      { numRuns: 20 },
    );
  });

  it('evicts the least frequently used; hits and overwrites count, peek and has do not', () => {
    const cache = policyCache('lfu', 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.get('a'); // a: 2
    cache.set('b', 20); // b: 2 (an overwrite counts)
    cache.peek('c');
    cache.has('c'); // c: still 1
    cache.set('d', 4);
    expect(evicted).toEqual(['c']);
    cache.get('d');
    cache.get('d'); // d: 3
    cache.set('e', 5); // a and b have 2: a was touched less recently
    expect(evicted).toEqual(['c', 'a']);
    expect(new Set(cache.keys())).toEqual(new Set(['b', 'd', 'e']));
  });

  it('breaks ties by recency: the least recently used of the least frequent goes', () => {
    const cache = policyCache('lfu', 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3); // all at 1
    cache.get('a');
    cache.get('b');
    cache.get('c'); // all at 2, touched a, b, c
    cache.get('a');
    cache.get('a'); // a: 4
    cache.set('d', 4); // chosen before d arrives: b and c have 2, and b was touched less recently
    expect(evicted).toEqual(['b']);
    cache.set('e', 5); // d (1) is now the least frequent
    expect(evicted).toEqual(['b', 'd']);
  });

  it('forgets the count of a deleted or expired key: set again, it starts at 1', () => {
    const cache = policyCache('lfu', 2);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2);
    for (let i = 0; i < 5; i++) cache.get('a');
    cache.delete('a');
    cache.set('a', 1); // a: 1, b: 1; b is older
    cache.get('b'); // b: 2
    cache.set('c', 3);
    expect(evicted).toEqual(['a']);
  });

  it('keeps working after a delete in the middle, expiry and clear', () => {
    const scheduler = new VirtualTimeScheduler();
    const cache = policyCache('lfu', 3, scheduler);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3, { ttl: 10 });
    cache.get('b');
    cache.get('c'); // a: 1, b: 2, c: 2
    cache.delete('b'); // out of the middle of the counts
    cache.set('d', 4);
    advance(scheduler, 10); // c expires
    cache.set('e', 5); // room again: no eviction
    expect(evicted).toEqual([]);
    cache.get('e');
    cache.set('f', 6); // a and d have 1; a is older
    expect(evicted).toEqual(['a']);
    cache.clear();
    cache.set('x', 1).set('y', 2).set('z', 3).set('w', 4);
    expect(evicted).toEqual(['a', 'x']);
    expect(new Set(cache.keys())).toEqual(new Set(['y', 'z', 'w']));
  });

  it('recycles its buckets: one bucket per entry, emptied and refilled, never runs out', () => {
    // Slot i gets count i + 1, so every entry has a bucket of its own; the victims then
    // come out in count order, and the next round reuses the freed buckets.
    const capacity = 8;
    const policy = lfuPolicy({ capacity, shard: 0, random: () => 0, keyOf: (slot) => slot, valueOf: (slot) => slot });
    for (let round = 0; round < 3; round++) {
      for (let slot = capacity - 1; slot >= 0; slot--) {
        policy.onInsert(slot);
        for (let i = 0; i < slot; i++) policy.onAccess(slot);
      }
      for (let expected = 0; expected < capacity; expected++) {
        const victim = policy.victim();
        expect(victim).toBe(expected);
        policy.onRemove(victim);
      }
    }
  });
});
