import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABSENT, GONE, KeyIndex } from '../../src/shard/keyIndex.js';

// The model: a Map from key to slot, and the slots in use. KeyIndex must answer as a
// Map would (lookups, size, iteration in insertion order) whatever the churn.
interface Model {
  readonly map: Map<number, number>;
  readonly free: number[];
}
interface Real {
  readonly index: KeyIndex<number>;
}
const CAPACITY = 6;

class Insert implements fc.Command<Model, Real> {
  constructor(readonly key: number) {}
  check(m: Readonly<Model>): boolean {
    return !m.map.has(this.key) && m.free.length > 0;
  }
  run(m: Model, r: Real): void {
    const slot = m.free.pop()!;
    const found = r.index.lookup(this.key);
    expect(found === ABSENT || found === GONE).toBe(true);
    r.index.insert(this.key, slot, found === GONE);
    m.map.set(this.key, slot);
    agree(m, r);
  }
  toString(): string {
    return `insert(${String(this.key)})`;
  }
}

class Remove implements fc.Command<Model, Real> {
  constructor(
    readonly key: number,
    readonly keep: boolean,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.map.has(this.key);
  }
  run(m: Model, r: Real): void {
    const slot = m.map.get(this.key)!;
    expect(r.index.lookup(this.key)).toBe(slot);
    r.index.remove(this.key, slot, this.keep);
    m.map.delete(this.key);
    m.free.push(slot);
    agree(m, r);
  }
  toString(): string {
    return `remove(${String(this.key)}, ${this.keep ? 'tombstone' : 'evict'})`;
  }
}

class Clear implements fc.Command<Model, Real> {
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    for (const slot of m.map.values()) m.free.push(slot);
    m.map.clear();
    r.index.clear();
    agree(m, r);
  }
  toString(): string {
    return 'clear()';
  }
}

function agree(m: Model, r: Real): void {
  expect(r.index.size).toBe(m.map.size);
  const seen: Array<[number, number]> = [];
  r.index.forEach((key, slot) => seen.push([key, slot]));
  expect(seen).toEqual([...m.map]);
  expect(new Set(r.index.keys())).toEqual(new Set(m.map.keys()));
  expect([...r.index.slots()].sort()).toEqual([...m.map.values()].sort());
  for (let key = 0; key < 10; key++) {
    const slot = r.index.lookup(key);
    expect(slot >= 0 ? slot : undefined).toBe(m.map.get(key));
    expect(r.index.has(key)).toBe(m.map.has(key));
  }
}

describe('KeyIndex (a shard key index that tombstones recent removals)', () => {
  it('answers as a Map would, in insertion order, through any churn', () => {
    const key = fc.integer({ min: 0, max: 5 });
    const commands = [
      key.map((k) => new Insert(k)),
      fc.tuple(key, fc.boolean()).map(([k, keep]) => new Remove(k, keep)),
      fc.constant(new Clear()),
    ];
    fc.assert(
      fc.property(
        fc.commands(commands, { maxCommands: 120, size: 'large' }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }), // above the capacity: never rebuilt by count
        (cmds, ringSize, reorderAt) => {
          const model: Model = { map: new Map(), free: Array.from({ length: CAPACITY }, (_, i) => CAPACITY - 1 - i) };
          fc.modelRun(() => ({ model, real: { index: new KeyIndex<number>(CAPACITY, ringSize, reorderAt) } }), cmds);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keys revived in the opposite order of their first insertion come out in revival order', () => {
    const index = new KeyIndex<string>(4, 16);
    const add = (key: string, slot: number) => index.insert(key, slot, index.lookup(key) === GONE);
    add('a', 0);
    add('b', 1);
    add('c', 2);
    index.remove('a', 0, true);
    index.remove('b', 1, true);
    add('b', 1); // revived in place, behind 'a''s old place
    add('d', 3);
    add('a', 0);
    const order: string[] = [];
    index.forEach((key) => order.push(key));
    expect(order).toEqual(['c', 'b', 'd', 'a']);
  });

  it('a key deleted and set again many times reads as in a Map, and comes last', () => {
    // What this is for (bench/hotKeyChurn.ts): with plain Map deletes, 100k
    // invalidations of one key in a full 100k-entry Map make each of its misses walk
    // ~100k holes; here it is revived in place, or leaves one hole per ring of removals.
    const index = new KeyIndex<string>(4, 16);
    for (let i = 0; i < 4; i++) index.insert(`k${String(i)}`, i, index.lookup(`k${String(i)}`) === GONE);
    for (let round = 0; round < 10_000; round++) {
      index.remove('k0', 0, true);
      const found = index.lookup('k0');
      expect([GONE, ABSENT]).toContain(found);
      expect(index.has('k0')).toBe(false);
      index.insert('k0', 0, found === GONE);
    }
    const order: string[] = [];
    index.forEach((key) => order.push(key));
    expect(order).toEqual(['k1', 'k2', 'k3', 'k0']); // k0 set last, as in a Map
  });
});
