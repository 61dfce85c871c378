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
    r.index.insert(this.key, slot, r.index.raw.get(this.key));
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

// With ghosts: the model also maps each ghost key to its id (a key is live or a ghost,
// never both), and the real index must answer ghosts.idOf as the model does.
interface GhostModel extends Model {
  readonly ghosts: Map<number, number>;
  // A ghost whose key was inserted and whose policy has not forgotten it yet: the index
  // still counts it, until its next removal or ghost added.
  arrived: { readonly key: number; readonly id: number } | undefined;
}

function agreeWithGhosts(m: GhostModel, r: Real): void {
  agree(m, r);
  expect(r.index.ghosts.count()).toBe(m.ghosts.size + (m.arrived === undefined ? 0 : 1));
  for (let key = 0; key < 10; key++) {
    if (m.map.has(key)) continue; // a live key's idOf is only asked in its onInsert (GhostAwareInsert)
    expect(r.index.ghosts.idOf(key)).toBe(m.ghosts.get(key) ?? -1);
    expect(r.index.lookup(key) === ABSENT || r.index.lookup(key) === GONE).toBe(true);
  }
}

// A command on one key and one ghost id.
abstract class KeyAndGhost implements fc.Command<GhostModel, Real> {
  constructor(
    readonly key: number,
    readonly id: number,
  ) {}
  abstract check(m: Readonly<GhostModel>): boolean;
  abstract run(m: GhostModel, r: Real): void;
}

// As a shard does: the raw lookup first, the insertion, then the policy's onInsert asks
// whether the key was a ghost (and, as every built-in does, forgets it when `consume`).
class GhostAwareInsert implements fc.Command<GhostModel, Real> {
  constructor(
    readonly key: number,
    readonly consume: boolean,
  ) {}
  check(m: Readonly<GhostModel>): boolean {
    return !m.map.has(this.key) && m.free.length > 0;
  }
  run(m: GhostModel, r: Real): void {
    const slot = m.free.pop()!;
    r.index.insert(this.key, slot, r.index.raw.get(this.key));
    const ghost = m.ghosts.get(this.key);
    expect(r.index.ghosts.idOf(this.key)).toBe(ghost ?? -1);
    if (ghost !== undefined && this.consume) r.index.ghosts.delete(this.key, ghost);
    m.ghosts.delete(this.key);
    if (ghost !== undefined) m.arrived = this.consume ? undefined : { key: this.key, id: ghost };
    m.map.set(this.key, slot);
    agreeWithGhosts(m, r);
  }
  toString(): string {
    return `insert(${String(this.key)}${this.consume ? '' : ', ghost kept'})`;
  }
}

class GhostAwareRemove extends Remove {
  override run(m: GhostModel, r: Real): void {
    m.arrived = undefined;
    super.run(m, r);
    agreeWithGhosts(m, r);
  }
}

// An eviction whose key the policy keeps: named from onRemove, before the entry goes.
// With `forgotten`, it is also forgotten within the same onRemove (CLOCK-Pro trims its
// ghosts there): the entry is deleted.
class EvictToGhost implements fc.Command<GhostModel, Real> {
  constructor(
    readonly key: number,
    readonly id: number,
    readonly forgotten: boolean,
  ) {}
  check(m: Readonly<GhostModel>): boolean {
    return m.map.has(this.key);
  }
  run(m: GhostModel, r: Real): void {
    const slot = m.map.get(this.key)!;
    r.index.ghosts.add(this.key, this.id);
    m.arrived = undefined;
    expect(r.index.ghosts.idOf(this.key)).toBe(this.id); // named, not yet gone
    if (this.forgotten) r.index.ghosts.delete(this.key, this.id);
    r.index.remove(this.key, slot, false);
    m.map.delete(this.key);
    m.free.push(slot);
    if (!this.forgotten) m.ghosts.set(this.key, this.id);
    agreeWithGhosts(m, r);
  }
  toString(): string {
    return `evict(${String(this.key)}) as ghost ${String(this.id)}${this.forgotten ? ', forgotten at once' : ''}`;
  }
}

// A key not in the cache made a ghost (ARC and S3-FIFO add the victim's key after it left).
class AddGhost extends KeyAndGhost {
  override check(m: Readonly<GhostModel>): boolean {
    return !m.map.has(this.key);
  }
  override run(m: GhostModel, r: Real): void {
    r.index.ghosts.add(this.key, this.id);
    m.arrived = undefined;
    m.ghosts.set(this.key, this.id);
    agreeWithGhosts(m, r);
  }
  override toString(): string {
    return `ghost(${String(this.key)}, ${String(this.id)})`;
  }
}

class DeleteGhost implements fc.Command<GhostModel, Real> {
  constructor(readonly key: number) {}
  check(m: Readonly<GhostModel>): boolean {
    return m.ghosts.has(this.key);
  }
  run(m: GhostModel, r: Real): void {
    r.index.ghosts.delete(this.key, m.ghosts.get(this.key)!);
    m.ghosts.delete(this.key);
    agreeWithGhosts(m, r);
  }
  toString(): string {
    return `forget ghost ${String(this.key)}`;
  }
}

// Another ghost's id, or a live key: nothing changes.
class DeleteWrongGhost extends KeyAndGhost {
  override check(m: Readonly<GhostModel>): boolean {
    return m.ghosts.get(this.key) !== this.id;
  }
  override run(m: GhostModel, r: Real): void {
    r.index.ghosts.delete(this.key, this.id);
    if (m.arrived?.key === this.key && m.arrived.id === this.id) m.arrived = undefined; // the arrived one's own id
    agreeWithGhosts(m, r);
  }
  override toString(): string {
    return `forget ghost ${String(this.key)} under the wrong id ${String(this.id)}`;
  }
}

class GhostAwareClear extends Clear {
  override run(m: GhostModel, r: Real): void {
    m.ghosts.clear();
    m.arrived = undefined;
    super.run(m, r);
    agreeWithGhosts(m, r);
  }
}

class ClearGhosts implements fc.Command<GhostModel, Real> {
  check(): boolean {
    return true;
  }
  run(m: GhostModel, r: Real): void {
    r.index.ghosts.clear();
    m.ghosts.clear();
    m.arrived = undefined;
    agreeWithGhosts(m, r);
  }
  toString(): string {
    return 'clear ghosts';
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

  it('keeps a policy’s ghosts beside the live entries: never seen as live, found by key, counted, last when they come back', () => {
    const key = fc.integer({ min: 0, max: 5 });
    const id = fc.integer({ min: 0, max: 40 });
    const commands = [
      fc.tuple(key, fc.boolean()).map(([k, consume]) => new GhostAwareInsert(k, consume)),
      fc.tuple(key, fc.boolean()).map(([k, keep]) => new GhostAwareRemove(k, keep)),
      fc.tuple(key, id, fc.boolean()).map(([k, g, forgotten]) => new EvictToGhost(k, g, forgotten)),
      fc.tuple(key, id).map(([k, g]) => new AddGhost(k, g)),
      key.map((k) => new DeleteGhost(k)),
      fc.tuple(key, id).map(([k, g]) => new DeleteWrongGhost(k, g)),
      fc.constant(new GhostAwareClear()),
      fc.constant(new ClearGhosts()),
    ];
    fc.assert(
      fc.property(
        fc.commands(commands, { maxCommands: 150, size: 'large' }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }), // small: iterations rebuild the Map, which must keep the ghosts
        (cmds, ringSize, reorderAt) => {
          const model: GhostModel = { map: new Map(), free: Array.from({ length: CAPACITY }, (_, i) => CAPACITY - 1 - i), ghosts: new Map(), arrived: undefined };
          fc.modelRun(() => ({ model, real: { index: new KeyIndex<number>(CAPACITY, ringSize, reorderAt) } }), cmds);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('refuses a ghost id outside 0 … 2^30, which would read as a live slot or a tombstone', () => {
    const index = new KeyIndex<string>(4, 16);
    index.insert('a', 0, undefined);
    for (const bad of [-1, -2049, 1.5, Number.NaN, 2 ** 30 + 1]) expect(() => index.ghosts.add('b', bad)).toThrow(RangeError);
    expect(() => index.ghosts.add('a', -2048 - 3)).toThrow(/ghost id/);
    expect(index.lookup('a')).toBe(0);
    expect(index.lookup('b')).toBe(ABSENT);
    expect(() => new KeyIndex<string>(4, 4096)).toThrow(RangeError);
  });

  it('keys revived in the opposite order of their first insertion come out in revival order', () => {
    const index = new KeyIndex<string>(4, 16);
    const add = (key: string, slot: number) => index.insert(key, slot, index.raw.get(key));
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
    for (let i = 0; i < 4; i++) index.insert(`k${String(i)}`, i, index.raw.get(`k${String(i)}`));
    for (let round = 0; round < 10_000; round++) {
      index.remove('k0', 0, true);
      const found = index.lookup('k0');
      expect([GONE, ABSENT]).toContain(found);
      expect(index.has('k0')).toBe(false);
      index.insert("k0", 0, index.raw.get("k0"));
    }
    const order: string[] = [];
    index.forEach((key) => order.push(key));
    expect(order).toEqual(['k1', 'k2', 'k3', 'k0']); // k0 set last, as in a Map
  });
});
