import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Cache } from 'macho';
import { LruModel } from '../support/models.js';

// A small key pool, so that overwrites, hits and evictions of the same keys are common.
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
const key = fc.constantFrom(...KEYS);
const value = fc.integer({ min: 0, max: 99 });
const capacity = fc.integer({ min: 1, max: 5 });

interface Real {
  cache: Cache<string, number>;
  /** Evictions reported by `on('evict')` since the last command took them. */
  evicted: { key: string; value: number }[];
}

function lruCache(maxCacheSize: number): Cache<string, number> {
  return new Cache<string, number>({ maxCacheSize, strategy: 'lru', ttl: 0, scheduler: new VirtualTimeScheduler() });
}

function setup(max: number): { model: LruModel<string, number>; real: Real } {
  const cache = lruCache(max);
  const evicted: Real['evicted'] = [];
  cache.on('evict').subscribe((e) => evicted.push({ key: e.key, value: e.value }));
  return { model: new LruModel<string, number>(max), real: { cache, evicted } };
}

/** The invariants after every command: same contents, within capacity, no stray eviction. */
function expectSameState(model: LruModel<string, number>, real: Real): void {
  expect(real.evicted).toEqual([]);
  expect(real.cache.size).toBe(model.size);
  expect(real.cache.size).toBeLessThanOrEqual(model.capacity);
  expect(new Set(real.cache.keys())).toEqual(new Set(model.keys()));
}

type Model = LruModel<string, number>;

/** One command of the model-based run: `apply` acts on both sides and compares. */
class Step implements fc.Command<Model, Real> {
  constructor(
    readonly label: string,
    readonly apply: (model: Model, real: Real) => void,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    this.apply(model, real);
    expectSameState(model, real);
  }
  toString(): string {
    return this.label;
  }
}

const commands = [
  fc.tuple(key, value).map(
    ([k, v]) =>
      new Step(`set(${k}, ${v})`, (model, real) => {
        const expected = model.set(k, v);
        const victim = expected && { key: expected.evicted, value: real.cache.peek(expected.evicted) };
        expect(real.cache.set(k, v)).toBe(real.cache);
        // Exactly the model's least recent key leaves, with its value, and nothing else.
        expect(real.evicted.splice(0)).toEqual(victim ? [victim] : []);
      }),
  ),
  key.map((k) => new Step(`get(${k})`, (model, real) => expect(real.cache.get(k)).toBe(model.get(k)))),
  key.map((k) => new Step(`peek(${k})`, (model, real) => expect(real.cache.peek(k)).toBe(model.peek(k)))),
  key.map((k) => new Step(`has(${k})`, (model, real) => expect(real.cache.has(k)).toBe(model.has(k)))),
  key.map((k) => new Step(`delete(${k})`, (model, real) => expect(real.cache.delete(k)).toBe(model.delete(k)))),
  fc.constant(
    new Step('clear()', (model, real) => {
      model.clear();
      real.cache.clear();
    }),
  ),
];

describe("strategy 'lru'", () => {
  it('matches a recency-ordered array model (results, contents, capacity, victims)', () => {
    fc.assert(
      fc.property(capacity, fc.commands(commands, { maxCommands: 80, size: 'large' }), (max, cmds) => {
        fc.modelRun(() => setup(max), cmds);
      }),
      { numRuns: 150 },
    );
  });

  it('get and set refresh recency; peek and has do not', () => {
    const cache = lruCache(3);
    const evicted: string[] = [];
    cache.on('evict').subscribe((e) => evicted.push(e.key));
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.peek('a');
    cache.has('a');
    cache.set('d', 4); // a is still the least recent
    expect(evicted).toEqual(['a']);
    cache.get('b');
    cache.set('e', 5); // c is now the least recent
    expect(evicted).toEqual(['a', 'c']);
    cache.set('d', 40); // an overwrite refreshes d: b is now the least recent
    cache.set('f', 6);
    expect(evicted).toEqual(['a', 'c', 'b']);
    expect(new Set(cache.keys())).toEqual(new Set(['d', 'e', 'f']));
  });
});

// The same operations, on lru-cache and on the cache.
type Op =
  | { op: 'set'; key: string; value: number | undefined }
  | { op: 'get' | 'peek' | 'has' | 'delete'; key: string }
  | { op: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), key, value }) },
  // set(k, undefined) deletes, in both.
  { weight: 1, arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.constant(undefined) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

function apply(
  target: {
    set(k: string, v: number | undefined): unknown;
    get(k: string): unknown;
    peek(k: string): unknown;
    has(k: string): unknown;
    delete(k: string): unknown;
    clear(): void;
  },
  o: Op,
): unknown {
  switch (o.op) {
    case 'set':
      target.set(o.key, o.value);
      return undefined;
    case 'clear':
      target.clear();
      return undefined;
    default:
      return target[o.op](o.key);
  }
}

describe("strategy 'lru' against lru-cache", () => {
  it('gives the same results and holds the same keys after every operation', () => {
    fc.assert(
      fc.property(capacity, fc.array(op, { maxLength: 120, size: 'large' }), (max, ops) => {
        const reference = new LRUCache<string, number>({ max });
        const cache = new Cache<string, number | undefined>({
          maxCacheSize: max,
          strategy: 'lru',
          ttl: 0,
          scheduler: new VirtualTimeScheduler(),
        });
        for (const o of ops) {
          expect(apply(cache, o)).toBe(apply(reference, o));
          expect(cache.size).toBe(reference.size);
          expect(new Set(cache.keys())).toEqual(new Set(reference.keys()));
        }
      }),
      { numRuns: 150 },
    );
  });
});
