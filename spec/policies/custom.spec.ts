import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Command, PolicyContext, PolicyFactory } from 'macho';
import { Cache, PolicyContractError } from 'macho';
import { UnorderedModel } from '../support/models.js';

/** Evicts the most recently inserted entry: a stack of slots (the example in the docs). */
const lifo: PolicyFactory = () => {
  const stack: number[] = [];
  return {
    name: 'lifo',
    onInsert: (slot) => void stack.push(slot),
    onAccess: () => {},
    onUpdate: () => {},
    onRemove: (slot) => void stack.splice(stack.lastIndexOf(slot), 1),
    victim: () => stack[stack.length - 1]!,
    onClear: () => void (stack.length = 0),
  };
};

/** Evicts the entry with the largest (numeric) value, looked up through the context. */
const largestValue: PolicyFactory = ({ valueOf }) => {
  const live = new Set<number>();
  return {
    name: 'largest-value',
    onInsert: (slot) => void live.add(slot),
    onAccess: () => {},
    onUpdate: () => {},
    onRemove: (slot) => void live.delete(slot),
    victim: () => {
      let best = -1;
      for (const slot of live) if (best < 0 || (valueOf(slot) as number) > (valueOf(best) as number)) best = slot;
      return best;
    },
    onClear: () => live.clear(),
  };
};

/** A policy that keeps no books and names `pick(capacity)` as its victim. */
function broken(pick: (capacity: number) => number): PolicyFactory {
  return ({ capacity }) => ({
    name: 'broken',
    onInsert: () => {},
    onAccess: () => {},
    onUpdate: () => {},
    onRemove: () => {},
    victim: () => pick(capacity),
    onClear: () => {},
  });
}

function cacheWith<V>(strategy: PolicyFactory, maxCacheSize: number, shardCount = 1): Cache<string, V> {
  return new Cache<string, V>({ maxCacheSize, shardCount, strategy, ttl: 0, scheduler: new VirtualTimeScheduler() });
}

function evictions<V>(cache: Cache<string, V>): string[] {
  const evicted: string[] = [];
  cache.on('evict').subscribe((e) => evicted.push(e.key));
  return evicted;
}

describe('a custom policy (strategy: factory)', () => {
  it('LIFO: evicts the most recent insertion', () => {
    const cache = cacheWith<number>(lifo, 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.set('d', 4);
    expect(evicted).toEqual(['c']);
    cache.set('e', 5);
    expect(evicted).toEqual(['c', 'd']);
    cache.delete('b'); // the policy is told, and b's slot is reused
    cache.set('f', 6).set('g', 7);
    expect(evicted).toEqual(['c', 'd', 'f']);
    expect(new Set(cache.keys())).toEqual(new Set(['a', 'e', 'g']));
    expect(cache.metrics().evictions).toBe(3);
  });

  it('evict-largest-value: the victim always holds the largest value present', () => {
    const keys = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
    const write = fc.tuple(keys, fc.integer({ min: 0, max: 1000 }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(write, { maxLength: 60, size: 'large' }), (max, writes) => {
        const cache = cacheWith<number>(largestValue, max);
        const evicted: { key: string; value: number }[] = [];
        cache.on('evict').subscribe((e) => evicted.push({ key: e.key, value: e.value }));
        const model = new UnorderedModel<string, number>(max);
        for (const [k, v] of writes) {
          const largest = Math.max(...model.entries.map((e) => e.value));
          cache.set(k, v);
          const victims = evicted.splice(0);
          model.set(k, v, victims.map((e) => e.key)); // throws on an eviction that was not allowed
          for (const victim of victims) expect(victim.value).toBe(largest);
          expect(new Set(cache.keys())).toEqual(new Set(model.keys()));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gets one instance per shard, told its shard and that shard’s capacity', () => {
    const contexts: { shard: number; capacity: number }[] = [];
    const spy: PolicyFactory = (context: PolicyContext) => {
      contexts.push({ shard: context.shard, capacity: context.capacity });
      return lifo(context);
    };
    cacheWith(spy, 10, 4);
    expect(contexts).toEqual([
      { shard: 0, capacity: 3 },
      { shard: 1, capacity: 3 },
      { shard: 2, capacity: 2 },
      { shard: 3, capacity: 2 },
    ]);
  });

  it.each([
    { what: 'the "no slot" index (capacity)', pick: (capacity: number) => capacity },
    { what: 'a slot past the end', pick: (capacity: number) => capacity + 5 },
    { what: 'a negative slot', pick: () => -1 },
    { what: 'slot -2 (what the key index answers for an absent key)', pick: () => -2 },
    { what: 'a large negative slot', pick: () => -7 },
    { what: 'NaN', pick: () => NaN },
    { what: 'a fractional slot', pick: () => 0.5 },
  ])('naming a slot that holds no entry ($what) throws PolicyContractError and changes nothing', ({ pick }) => {
    const cache = cacheWith<number>(broken(pick), 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3);
    const before = cache.snapshot();
    const metricsBefore = cache.metrics();

    expect(() => cache.set('d', 4)).toThrow(PolicyContractError);

    expect(cache.size).toBe(3);
    expect(cache.has('d')).toBe(false);
    expect(cache.snapshot().entries).toEqual(before.entries);
    expect(evicted).toEqual([]);
    const metricsAfter = cache.metrics();
    expect({ sets: metricsAfter.sets, evictions: metricsAfter.evictions, size: metricsAfter.size }).toEqual({
      sets: metricsBefore.sets,
      evictions: metricsBefore.evictions,
      size: metricsBefore.size,
    });
    // Still usable: overwrites need no victim, and room made by a delete is used.
    cache.set('a', 10);
    expect(cache.get('a')).toBe(10);
    cache.delete('b');
    cache.set('d', 4);
    expect(new Set(cache.keys())).toEqual(new Set(['a', 'c', 'd']));
  });

  it('names the policy in the PolicyContractError message', () => {
    const cache = cacheWith<number>(broken(() => -1), 1);
    cache.set('a', 1);
    expect(() => cache.set('b', 2)).toThrow(/broken/);
  });

  it('keeps a failed command out of the log, so the log still replays', () => {
    const options = { maxCacheSize: 2, strategy: broken(() => -1), ttl: 0 };
    const cache = new Cache<string, number>({ ...options, scheduler: new VirtualTimeScheduler() });
    const log: Command<string, number>[] = [];
    cache.commands$.subscribe((c) => log.push(c));
    cache.set('a', 1).set('b', 2);
    expect(() => cache.set('c', 3)).toThrow(PolicyContractError);
    cache.get('a');
    expect(log.map((c) => c.type)).toEqual(['set', 'set', 'get']);
    const replayed = Cache.replay(log, { ...options, scheduler: new VirtualTimeScheduler() });
    expect(replayed.snapshot()).toEqual(cache.snapshot());
  });
});
