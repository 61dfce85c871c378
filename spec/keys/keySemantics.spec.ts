import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Cache } from 'macho';
import { sameKeySet } from '../support/models.js';

// Keys follow Map semantics (SameValueZero), whatever the shard count.

function mapLike(shardCount: number): Cache<unknown, unknown> {
  return new Cache<unknown, unknown>({ maxCacheSize: 64, shardCount, ttl: 0, scheduler: new VirtualTimeScheduler() });
}

describe.each([1, 3, 8])('keys with shardCount %i', (shardCount) => {
  it('NaN is one key', () => {
    const cache = mapLike(shardCount);
    cache.set(NaN, 'first');
    cache.set(Number('not a number'), 'second');
    cache.set(0 / 0, 'third');
    expect(cache.size).toBe(1);
    expect(cache.get(NaN)).toBe('third');
    expect(cache.has(Math.sqrt(-1))).toBe(true);
    expect([...cache.keys()]).toEqual([NaN]);
    expect(cache.delete(NaN)).toBe(true);
    expect(cache.size).toBe(0);
  });

  it('-0 is 0', () => {
    const cache = mapLike(shardCount);
    cache.set(-0, 'minus zero');
    expect(cache.get(0)).toBe('minus zero');
    expect(cache.has(0)).toBe(true);
    cache.set(0, 'zero');
    expect(cache.size).toBe(1);
    expect(cache.peek(-0)).toBe('zero');
    const keys = [...cache.keys()];
    expect(keys).toHaveLength(1);
    expect(Object.is(keys[0], 0)).toBe(true); // as Map: the key is +0
    expect(cache.delete(-0)).toBe(true);
    expect(cache.has(0)).toBe(false);
  });

  it('objects and functions are keys by identity', () => {
    const cache = mapLike(shardCount);
    const a = { id: 1 };
    const b = { id: 1 }; // equal-looking, another key
    const f = () => 1;
    const g = () => 1;
    const list: unknown[] = [];
    cache.set(a, 'a').set(b, 'b').set(f, 'f').set(g, 'g').set(list, 'array');
    expect(cache.size).toBe(5);
    expect(cache.get(a)).toBe('a');
    expect(cache.get(b)).toBe('b');
    expect(cache.get(f)).toBe('f');
    expect(cache.get({ id: 1 })).toBeUndefined();
    expect(cache.has([])).toBe(false);
    cache.set(a, 'a again');
    expect(cache.size).toBe(5);
    expect(cache.peek(a)).toBe('a again');
    expect(cache.delete(b)).toBe(true);
    expect(cache.get(a)).toBe('a again');
    expect(sameKeySet(cache.keys(), [a, f, g, list])).toBe(true);
  });

  it('symbols are keys: each Symbol() its own, Symbol.for() shared', () => {
    const cache = mapLike(shardCount);
    const s1 = Symbol('s');
    const s2 = Symbol('s'); // same description, another key
    cache.set(s1, 1).set(s2, 2).set(Symbol.for('shared'), 3);
    expect(cache.size).toBe(3);
    expect(cache.get(s1)).toBe(1);
    expect(cache.get(s2)).toBe(2);
    expect(cache.get(Symbol.for('shared'))).toBe(3);
    expect(cache.has(Symbol('s'))).toBe(false);
    expect(sameKeySet(cache.keys(), [s1, s2, Symbol.for('shared')])).toBe(true);
  });

  it('null, undefined, booleans and bigints are keys, distinct from look-alikes', () => {
    const cache = mapLike(shardCount);
    const keys: unknown[] = [null, undefined, true, false, 1n, 1, '1', 0, '', 0n, 'null', 'undefined', 'true'];
    keys.forEach((k, i) => cache.set(k, i));
    expect(cache.size).toBe(keys.length);
    keys.forEach((k, i) => {
      expect(cache.has(k)).toBe(true);
      expect(cache.get(k)).toBe(i);
    });
    expect(cache.get(BigInt(1))).toBe(4); // bigints compare by value
    expect(cache.delete(undefined)).toBe(true);
    expect(cache.has(undefined)).toBe(false);
    expect(cache.has(null)).toBe(true);
  });

  it('null, 0, false and "" are values like any other', () => {
    const cache = mapLike(shardCount);
    const values: unknown[] = [null, 0, false, '', NaN];
    values.forEach((v, i) => cache.set(`k${i}`, v));
    expect(cache.size).toBe(values.length);
    values.forEach((v, i) => {
      expect(cache.has(`k${i}`)).toBe(true);
      expect(cache.get(`k${i}`)).toBe(v);
      expect(cache.peek(`k${i}`)).toBe(v);
    });
    expect(cache.metrics().hits).toBe(values.length);
    expect(cache.metrics().misses).toBe(0);
    expect(new Set(cache.values())).toEqual(new Set(values));
  });

  it('set(key, undefined) is delete(key)', () => {
    const cache = mapLike(shardCount);
    const deleted: unknown[] = [];
    cache.on('delete').subscribe((e) => deleted.push(e.key));
    cache.set('a', 1).set('b', 2);
    expect(cache.set('a', undefined)).toBe(cache);
    expect(cache.has('a')).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(deleted).toEqual(['a']);
    cache.set('missing', undefined); // nothing to delete: nothing happens
    expect(cache.has('missing')).toBe(false);
    expect(cache.size).toBe(1);
    expect(deleted).toEqual(['a']);
  });
});

// The same random operations on a Map and on a cache too large to evict.
const obj1 = { k: 1 };
const obj2 = { k: 1 };
const sym1 = Symbol('s');
const sym2 = Symbol('s');
const KEY_POOL: unknown[] = [
  NaN, 0, -0, 1, 1.5, '1', '', 'a', null, undefined, true, false, 0n, 1n, sym1, sym2, Symbol.for('g'), obj1, obj2, [],
];
const key = fc.constantFrom(...KEY_POOL);
const value = fc.constantFrom<unknown>(null, 0, -0, false, '', NaN, 1, 'x', obj1, undefined);

type Op =
  | { op: 'set'; key: unknown; value: unknown }
  | { op: 'get' | 'peek' | 'has' | 'delete'; key: unknown }
  | { op: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), key, value }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const), key }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

/** What a Map answers; `set(k, undefined)` deletes, as documented for the cache. */
function onMap(map: Map<unknown, unknown>, o: Op): unknown {
  switch (o.op) {
    case 'set':
      if (o.value === undefined) map.delete(o.key);
      else map.set(o.key, o.value);
      return undefined;
    case 'get':
    case 'peek':
      return map.get(o.key);
    case 'has':
      return map.has(o.key);
    case 'delete':
      return map.delete(o.key);
    case 'clear':
      map.clear();
      return undefined;
  }
}

function onCache(cache: Cache<unknown, unknown>, o: Op): unknown {
  switch (o.op) {
    case 'set':
      cache.set(o.key, o.value);
      return undefined;
    case 'clear':
      cache.clear();
      return undefined;
    default:
      return cache[o.op](o.key);
  }
}

describe.each([1, 4])('a cache with room for everything, shardCount %i', (shardCount) => {
  it('behaves exactly like a Map over mixed keys', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100, size: 'large' }), (ops) => {
        const map = new Map<unknown, unknown>();
        const cache = mapLike(shardCount);
        for (const o of ops) {
          expect(onCache(cache, o)).toBe(onMap(map, o));
          expect(cache.size).toBe(map.size);
          // By identity: two equal-looking objects must not stand in for each other.
          expect(sameKeySet(cache.keys(), map.keys())).toBe(true);
          // One shard iterates in the Map's own order, deletes and re-sets included.
          if (shardCount === 1) {
            const ours = [...cache.keys()];
            const theirs = [...map.keys()];
            expect(ours.every((key, i) => Object.is(key, theirs[i]))).toBe(true);
          }
          for (const [k, v] of cache.entries()) expect(v).toBe(map.get(k));
        }
      }),
      { numRuns: 100 },
    );
  });
});
