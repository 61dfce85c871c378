import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Cache } from 'macho';
import { FifoModel } from '../support/models.js';

// A small key pool, so that overwrites, hits and evictions of the same keys are common.
const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const value = fc.integer({ min: 0, max: 99 });

type Model = FifoModel<string, number>;

interface Real {
  cache: Cache<string, number>;
  /** Evictions reported by `on('evict')` since the last command took them. */
  evicted: { key: string; value: number }[];
}

function fifoCache(maxCacheSize: number): Cache<string, number> {
  return new Cache<string, number>({ maxCacheSize, strategy: 'fifo', ttl: 0, scheduler: new VirtualTimeScheduler() });
}

function setup(max: number): { model: Model; real: Real } {
  const cache = fifoCache(max);
  const evicted: Real['evicted'] = [];
  cache.on('evict').subscribe((e) => evicted.push({ key: e.key, value: e.value }));
  return { model: new FifoModel<string, number>(max), real: { cache, evicted } };
}

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
    expect(real.evicted).toEqual([]);
    expect(real.cache.size).toBe(model.size);
    expect(real.cache.size).toBeLessThanOrEqual(model.capacity);
    expect(new Set(real.cache.keys())).toEqual(new Set(model.keys()));
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
        real.cache.set(k, v);
        // Exactly the oldest insertion leaves, with its value, and nothing else.
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

describe("strategy 'fifo'", () => {
  it('matches an insertion-ordered array model (results, contents, capacity, victims)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.commands(commands, { maxCommands: 80, size: 'large' }), (max, cmds) => {
        fc.modelRun(() => setup(max), cmds);
      }),
      { numRuns: 150 },
    );
  });

  it('evicts in insertion order', () => {
    const cache = fifoCache(2);
    const evicted: string[] = [];
    cache.on('evict').subscribe((e) => evicted.push(e.key));
    cache.set('a', 1).set('b', 2).set('c', 3).set('d', 4);
    expect(evicted).toEqual(['a', 'b']);
    expect(new Set(cache.keys())).toEqual(new Set(['c', 'd']));
  });

  it('keeps the place of a key that is set again, and of a key that is read', () => {
    const cache = fifoCache(3);
    const evicted: string[] = [];
    cache.on('evict').subscribe((e) => evicted.push(e.key));
    cache.set('a', 1).set('b', 2).set('c', 3);
    cache.set('a', 10); // still the oldest insertion
    expect(cache.get('a')).toBe(10); // a read does not refresh it either
    cache.set('d', 4);
    expect(evicted).toEqual(['a']);
    cache.get('b');
    cache.set('e', 5);
    expect(evicted).toEqual(['a', 'b']);
  });

  it('treats a key deleted and set again as a new insertion', () => {
    const cache = fifoCache(2);
    const evicted: string[] = [];
    cache.on('evict').subscribe((e) => evicted.push(e.key));
    cache.set('a', 1).set('b', 2);
    cache.delete('a');
    cache.set('a', 3); // now newer than b
    cache.set('c', 4);
    expect(evicted).toEqual(['b']);
  });
});
