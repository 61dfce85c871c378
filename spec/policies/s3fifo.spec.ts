import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Cache, s3fifoPolicy } from 'macho';
import type { EvictionRule } from '../support/frequencyModels.js';
import { policyCache, policyCommands, runModel, S3FifoModel } from '../support/frequencyModels.js';
import { advance } from '../support/models.js';

// A small key pool, so that hits, overwrites, evictions and returns from the ghost are common.
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
type Model = S3FifoModel<string, number>;

// The S3-FIFO rules, stated on their own and checked on every eviction:
// - with the small queue at its share, its oldest entry accessed at most once is the
//   victim (the older ones, accessed more than once, move to main instead);
// - with the small queue under its share, the victim comes from main;
// - a new key that the ghost remembers goes into the main queue, any other into small.
const s3fifoRules: EvictionRule<Model> = (model, incoming) => {
  const small = model.small.map((e) => ({ key: e.key, frequency: e.frequency }));
  const fromSmall = model.small.length >= model.smallShare || model.main.length === 0;
  const remembered = model.inGhost(incoming);
  return (victim) => {
    // Small at its share: the entries at its tail accessed more than once move to main,
    // and the first one accessed at most once is the victim. If there is none (every
    // small entry moved), or small is under its share, the victim comes from main.
    const firstStaying = fromSmall ? small.find((e) => e.frequency <= 1) : undefined;
    if (firstStaying !== undefined) expect(victim).toBe(firstStaying.key);
    else if (!fromSmall) expect(small.map((e) => e.key)).not.toContain(victim);
    expect(model.queueOf(incoming)).toBe(remembered ? 'main' : 'small');
  };
};

function evictions(cache: ReturnType<typeof policyCache>): string[] {
  const evicted: string[] = [];
  cache.on('evict').subscribe((e) => evicted.push(e.key));
  return evicted;
}

describe("strategy 's3fifo'", () => {
  it('matches a three-array model (results, contents, capacity, victims, queue rules)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.commands(policyCommands<Model>(KEYS, s3fifoRules), { maxCommands: 80, size: 'large' }),
        (max, cmds) => runModel('s3fifo', () => new S3FifoModel<string, number>(max), cmds),
      ),
      { numRuns: 100 },
    );
  });

  it('matches the model with a small queue of several slots and a ghost that wraps', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 25 }),
        fc.commands(policyCommands<Model>(keys, s3fifoRules), { maxCommands: 250, size: 'large' }),
        (max, cmds) => runModel('s3fifo', () => new S3FifoModel<string, number>(max), cmds),
      ),
      { numRuns: 20 },
    );
  });

  it('sends a key evicted from the small queue, and soon set again, to the main queue', () => {
    // Capacity 10: a small queue of 1 slot, a main queue of 9, a ghost of 9 keys.
    const cache = policyCache('s3fifo', 10);
    const evicted = evictions(cache);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i); // all in the small queue while there is room
    cache.set('x0', 0); // k0 leaves the small queue, into the ghost
    expect(evicted).toEqual(['k0']);
    cache.set('k0', 0); // the ghost remembers k0: straight into the main queue (k1 goes)
    // A stream of one-hit wonders flows through the small queue only; k0 stays.
    for (let i = 1; i <= 30; i++) cache.set(`x${i}`, i);
    expect(cache.has('k0')).toBe(true);
    expect(evicted.slice(1)).not.toContain('k0');
    expect(evicted.slice(0, 10)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
  });

  it('treats a key as new once the ghost has forgotten it', () => {
    const cache = policyCache('s3fifo', 10); // ghost: the last 9 keys evicted from small
    const evicted = evictions(cache);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i);
    for (let i = 0; i < 10; i++) cache.set(`x${i}`, i); // k0 … k9 evicted: k0 has been forgotten
    expect(evicted).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
    cache.set('k0', 0); // into the small queue, behind x0 … x9
    for (let i = 10; i < 20; i++) cache.set(`x${i}`, i);
    expect(evicted).toContain('k0');
  });

  it('moves an entry accessed more than once from small to main; once is not enough', () => {
    const cache = policyCache('s3fifo', 10);
    const evicted = evictions(cache);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i);
    cache.get('k0');
    cache.get('k0'); // twice: promoted when it reaches the tail of the small queue
    cache.get('k1'); // once: evicted there
    cache.set('x', 0);
    expect(evicted).toEqual(['k1']);
    for (let i = 0; i < 8; i++) cache.set(`y${i}`, i);
    expect(evicted).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
    expect(cache.has('k0')).toBe(true);
  });

  it('evicts from main when small is under its share: a 2-bit CLOCK, counters capped at 3', () => {
    // Capacity 3: small 1, main 2, ghost 2.
    const cache = policyCache('s3fifo', 3);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.get('a');
    cache.get('a');
    cache.get('b');
    cache.get('b');
    cache.set('d', 4); // a and b move to main (counters cleared); c leaves small, into the ghost
    expect(evicted).toEqual(['c']);
    cache.delete('d'); // small is empty
    cache.set('c', 3); // remembered: into main, which now holds everything
    for (let i = 0; i < 5; i++) cache.get('a');
    for (let i = 0; i < 3; i++) cache.get('b');
    for (let i = 0; i < 4; i++) cache.get('c'); // capped: a, b and c all at 3
    // From main: three rounds take every counter down to 0; a, the oldest, goes. (With
    // uncapped counters b, at 3 against a's 5, would go.)
    cache.set('e', 5);
    expect(evicted).toEqual(['c', 'a']);
    cache.set('f', 6); // small has its share again (e): e goes
    expect(evicted).toEqual(['c', 'a', 'e']);
    expect(new Set(cache.keys())).toEqual(new Set(['b', 'c', 'f']));
  });

  it('consults the ghost before the eviction that makes room (a ghost of one key)', () => {
    // Capacity 2: small 1, main 1, ghost 1. Remembering the victim first would push out
    // the returning key, and it would land in small again.
    const cache = policyCache('s3fifo', 2);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2);
    cache.set('c', 3); // a leaves small, into the ghost
    cache.set('a', 1); // remembered: into main; b leaves small (and is the ghost now)
    cache.set('d', 4); // c leaves small
    cache.set('e', 5); // d leaves small; a, in main, stays
    expect(evicted).toEqual(['a', 'b', 'c', 'd']);
    expect(cache.has('a')).toBe(true);
  });

  it('keeps working after a delete in the middle, expiry and clear', () => {
    const scheduler = new VirtualTimeScheduler();
    const cache = policyCache('s3fifo', 10, scheduler);
    const evicted = evictions(cache);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i, i % 2 === 0 ? { ttl: 50 } : undefined);
    cache.delete('k3');
    cache.set('k3', 3); // deleted, not evicted: the ghost does not know it, so small again
    cache.set('x0', 0);
    expect(evicted).toEqual(['k0']);
    advance(scheduler, 50); // k2, k4, k6, k8 expire (k0 is gone already)
    expect(cache.size).toBe(6);
    for (let i = 1; i <= 4; i++) cache.set(`x${i}`, i); // room for four: no eviction
    expect(evicted).toEqual(['k0']);
    cache.set('x5', 5);
    expect(evicted).toEqual(['k0', 'k1']);
    cache.clear();
    cache.set('k1', 1); // the ghost was cleared too: k1 is new again
    for (let i = 0; i < 9; i++) cache.set(`z${i}`, i);
    cache.set('z9', 9);
    expect(evicted).toEqual(['k0', 'k1', 'k1']);
  });

  it('works with one slot: the small queue takes it, the main queue has none', () => {
    const cache = policyCache('s3fifo', 1);
    const evicted = evictions(cache);
    cache.set('a', 1).set('b', 2); // a leaves small, into the ghost
    cache.set('a', 1); // remembered: into main, b leaves small
    cache.get('a');
    cache.set('c', 3); // main over its share (0): a loses its access, then goes
    expect(evicted).toEqual(['a', 'b', 'a']);
    expect([...cache.keys()]).toEqual(['c']);
  });

  it('takes the largest capacity the cache allows without allocating for slots it never uses', () => {
    // Its ghost keys were a packed array of `capacity` undefined: a fatal, uncatchable
    // out-of-memory at 2^30, where every other built-in builds at once.
    const cache = new Cache<number, number>({ maxCacheSize: 2 ** 30, strategy: 's3fifo', ttl: 0 });
    for (let i = 0; i < 1_000; i++) cache.set(i, i);
    expect(cache.size).toBe(1_000);
    expect(cache.get(1)).toBe(1);
    cache.dispose();
  });

  it('chooses a victim without removing it, and only occupied slots (direct policy calls)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.constantFrom('insert', 'access', 'remove')), {
          maxLength: 300,
        }),
        (capacity, ops) => {
          const keys: (number | undefined)[] = new Array<number | undefined>(capacity).fill(undefined);
          const slotOf = new Map<number, number>();
          const keyOf = (slot: number): unknown => keys[slot];
          const policy = s3fifoPolicy({ capacity, shard: 0, random: () => 0, keyOf, valueOf: keyOf });
          for (const [key, op] of ops) {
            const slot = slotOf.get(key);
            if (op === 'insert' && slot === undefined) {
              if (slotOf.size === capacity) {
                const victim = policy.victim();
                const victimKey = keys[victim];
                expect(victimKey).toBeDefined();
                policy.onRemove(victim);
                slotOf.delete(victimKey!);
                keys[victim] = undefined;
              }
              const free = keys.indexOf(undefined);
              keys[free] = key;
              slotOf.set(key, free);
              policy.onInsert(free);
            } else if (op === 'access' && slot !== undefined) policy.onAccess(slot);
            else if (op === 'remove' && slot !== undefined) {
              policy.onRemove(slot);
              slotOf.delete(key);
              keys[slot] = undefined;
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
