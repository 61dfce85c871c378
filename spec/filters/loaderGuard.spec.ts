import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FilterKind, MembershipFilter, XorFilter } from 'macho';
import {
  Cache,
  CuckooFilter,
  FilterCapacityError,
  KeyNotFoundError,
  LoaderGuard,
  StaticFilterError,
  filterFromKeys,
  loaderGuard,
} from 'macho';
import { collidingKeys } from '../support/collidingKeys.js';

const KNOWN = Array.from({ length: 1_000 }, (_, i) => `p${i}`);
const KINDS: FilterKind[] = ['xor', 'cuckoo', 'bloom'];

/** A fake origin that counts the loader calls and knows only KNOWN (and what is created). */
function origin(known: Iterable<string> = KNOWN) {
  const rows = new Set(known);
  const calls: string[] = [];
  const load = (id: string): Promise<string> => {
    calls.push(id);
    return rows.has(id) ? Promise.resolve(`row ${id}`) : Promise.reject(new Error(`no row ${id}`));
  };
  return { rows, calls, load };
}

const caches: Cache<string, string>[] = [];
function cache(options: ConstructorParameters<typeof Cache<string, string>>[0] = {}): Cache<string, string> {
  const c = new Cache<string, string>({ maxCacheSize: 500, scheduler: new VirtualTimeScheduler(), ...options });
  caches.push(c);
  return c;
}
afterEach(() => {
  for (const c of caches.splice(0)) c.dispose();
});

/** Strangers (not in KNOWN) that `guard` lets through: its false positives. */
function falsePositives(guard: LoaderGuard<string>, count: number): string[] {
  const found: string[] = [];
  for (let i = 0; found.length < count; i++) {
    if (guard.filter!.mightContain(`bogus${i}`)) found.push(`bogus${i}`);
  }
  return found;
}

describe.each(KINDS)('a %s guard from known keys (cache option loaderGuard)', (kind) => {
  it('never calls the loader for a key it rules out: rejects at once with KeyNotFoundError', async () => {
    const db = origin();
    const guard = loaderGuard.fromKeys(KNOWN, { kind });
    const c = cache({ loaderGuard: guard });
    let ruledOut = 0;
    for (let i = 0; i < 2_000; i++) {
      const id = `bogus${i}`;
      if (guard.filter!.mightContain(id)) continue; // a false positive: covered below
      ruledOut++;
      const error: unknown = await c.getOrLoad(id, db.load).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KeyNotFoundError);
      expect((error as KeyNotFoundError).key).toBe(id);
      expect((error as KeyNotFoundError).name).toBe('KeyNotFoundError');
      expect((error as Error).message).toBe(
        `macho: "${id}" does not exist at the origin (ruled out by the loader guard); the loader was not called`,
      );
    }
    expect(ruledOut).toBeGreaterThan(1_900);
    expect(db.calls).toEqual([]);
    expect(guard.stats()).toEqual({ checked: ruledOut, passed: 0, rejected: ruledOut });
  });

  it('loads every known key (no false negatives), once, then serves it from the cache', async () => {
    const db = origin();
    const guard = loaderGuard.fromKeys(KNOWN, { kind });
    const c = cache({ loaderGuard: guard });
    for (const id of KNOWN.slice(0, 300)) expect(await c.getOrLoad(id, db.load)).toBe(`row ${id}`);
    for (const id of KNOWN.slice(0, 300)) expect(await c.getOrLoad(id, db.load)).toBe(`row ${id}`);
    expect(db.calls).toEqual(KNOWN.slice(0, 300));
    // Only misses reach the guard; hits never ask it.
    expect(guard.stats()).toEqual({ checked: 300, passed: 300, rejected: 0 });
  });

  it('lets false positives through: they load as they would without a guard', async () => {
    const db = origin();
    const guard = loaderGuard.fromKeys(KNOWN, { kind });
    const c = cache({ loaderGuard: guard });
    const fps = falsePositives(guard, 3);
    for (const id of fps) await expect(c.getOrLoad(id, db.load)).rejects.toThrow(`no row ${id}`);
    expect(db.calls).toEqual(fps);
    expect(guard.passed).toBe(3);
    expect(guard.rejected).toBe(0);
  });
});

describe('loader guards', () => {
  it('count a guarded-out getOrLoad as a miss, and leave the other metrics alone', async () => {
    const db = origin();
    const c = cache({ loaderGuard: loaderGuard.fromKeys(KNOWN, { kind: 'xor', probability: 1e-4 }) });
    await expect(c.getOrLoad('nope', db.load)).rejects.toBeInstanceOf(KeyNotFoundError);
    await c.getOrLoad('p1', db.load);
    const m = c.metrics();
    expect([m.hits, m.misses, m.sets, m.size]).toEqual([0, 2, 1, 1]);
  });

  it('return a cached value whatever the guard says (a stale guard does not hide what the cache holds)', async () => {
    const db = origin();
    const guard = loaderGuard.fromKeys(KNOWN, { kind: 'xor', probability: 1e-4 });
    const c = cache({ loaderGuard: guard });
    c.set('new-id', 'written directly');
    expect(await c.getOrLoad('new-id', db.load)).toBe('written directly');
    expect(guard.checked).toBe(0);
  });

  it('learn keys created at the origin with add (cuckoo, bloom), or rebuild (xor: add throws)', async () => {
    const db = origin();
    const cuckoo = loaderGuard.fromKeys(KNOWN, { kind: 'cuckoo', capacity: 2_000, probability: 0.001 });
    const xor = loaderGuard.fromKeys(KNOWN, { kind: 'xor', probability: 0.001 });
    const c = cache();
    db.rows.add('p-new');
    await expect(c.getOrLoad('p-new', db.load, { guard: cuckoo })).rejects.toBeInstanceOf(KeyNotFoundError);
    cuckoo.add('p-new');
    expect(await c.getOrLoad('p-new', db.load, { guard: cuckoo })).toBe('row p-new');
    c.delete('p-new');
    expect(() => xor.add('p-new')).toThrow(StaticFilterError);
    await expect(c.getOrLoad('p-new', db.load, { guard: xor })).rejects.toBeInstanceOf(KeyNotFoundError);
    xor.rebuild([...KNOWN, 'p-new']);
    expect(xor.kind).toBe('xor');
    expect(await c.getOrLoad('p-new', db.load, { guard: xor })).toBe('row p-new');
    expect(db.calls).toEqual(['p-new', 'p-new']);
    cuckoo.remove('p-new');
    expect(cuckoo.mightExist('p-new')).toBe(false);
  });

  it('report a full cuckoo guard instead of dropping a key', () => {
    const guard = loaderGuard.fromKeys(['a'], { kind: 'cuckoo' }); // capacity 1: one bucket and the stash
    expect(() => {
      for (let i = 0; i < 100; i++) guard.add(`k${i}`);
    }).toThrow(FilterCapacityError);
    expect(guard.mightExist('a')).toBe(true);
  });

  it.each(['cuckoo', 'bloom'] as const)(
    'a %s guard turns no existing key away after removes of ids it does not hold (twice deleted, never added)',
    async (kind) => {
      const db = origin();
      const guard = loaderGuard.fromKeys(KNOWN, { kind, capacity: 2_000, probability: 0.01 });
      const c = cache({ loaderGuard: guard });
      for (const id of KNOWN.slice(0, 10)) {
        db.rows.delete(id);
        guard.remove(id);
        guard.remove(id); // a retried delete
      }
      for (let i = 0; i < 500; i++) guard.remove(`gone${i}`); // DELETE of ids that never existed
      for (const id of KNOWN.slice(10)) expect(guard.mightExist(id)).toBe(true);
      for (const id of KNOWN.slice(10, 110)) expect(await c.getOrLoad(id, db.load)).toBe(`row ${id}`);
      // The removed ids are ruled out exactly, false positives of the filter or not.
      for (const id of KNOWN.slice(0, 10)) await expect(c.getOrLoad(id, db.load)).rejects.toBeInstanceOf(KeyNotFoundError);
      expect(db.calls).toEqual(KNOWN.slice(10, 110));
    },
  );

  it.each(['cuckoo', 'bloom'] as const)('a %s guard takes adds and removes in any order: the last call for a key decides', (kind) => {
    const guard = loaderGuard.fromKeys(KNOWN, { kind, capacity: 2_000 });
    guard.remove('p1');
    guard.add('p1');
    guard.add('p1');
    expect(guard.mightExist('p1')).toBe(true);
    guard.remove('p1');
    expect(guard.mightExist('p1')).toBe(false);
    expect(guard.removed).toBe(1);
    guard.add('p-new');
    guard.remove('p-new');
    guard.remove('p-new');
    expect(guard.mightExist('p-new')).toBe(false);
    guard.add('p-new');
    expect(guard.mightExist('p-new')).toBe(true);
    expect(guard.removed).toBe(1);
  });

  it('a cuckoo guard takes the same key added again and again (an upsert adding on every write)', () => {
    const small = loaderGuard.fromKeys(['a'], { kind: 'cuckoo' }); // capacity 1: one bucket and the stash
    for (let i = 0; i < 1_000; i++) small.add('a');
    expect(small.mightExist('a')).toBe(true);

    const guard = loaderGuard.fromKeys(['p1', 'p2', 'p3'], { kind: 'cuckoo', capacity: 10_000 });
    for (let i = 0; i < 1_000; i++) guard.add('p1');
    for (let i = 0; i < 1_000; i++) {
      guard.remove('p2');
      guard.add('p2'); // deleted and re-created: takes no new room either
    }
    expect((guard.filter as CuckooFilter<string>).size).toBe(3);
    guard.add('p-new');
    expect(['p1', 'p2', 'p3', 'p-new'].map((id) => guard.mightExist(id))).toEqual([true, true, true, true]);
  });

  it('forget the removed keys on rebuild, and keep an xor guard static (add and remove throw)', () => {
    const guard = loaderGuard.fromKeys(KNOWN, { kind: 'cuckoo', capacity: 2_000 });
    guard.remove('p1');
    guard.remove('p2');
    expect(guard.removed).toBe(2);
    guard.rebuild(KNOWN.filter((id) => id !== 'p2'));
    expect(guard.removed).toBe(0);
    expect(guard.mightExist('p1')).toBe(true); // the origin's key set says it exists again
    const xor = loaderGuard.fromKeys(KNOWN, { kind: 'xor' });
    expect(() => xor.remove('p1')).toThrow(StaticFilterError);
    expect(() => xor.add('p1')).toThrow(StaticFilterError); // even a key it holds: static is static
    expect(() => xor.add('p1')).toThrow(/^macho: cannot add "p1": an "xor" loader guard is static/);
    expect(xor.mightExist('p1')).toBe(true);
    expect(() => loaderGuard.of((id: string) => id !== '').remove('a')).toThrow(
      /^macho: a predicate loader guard cannot remove keys/,
    );
  });

  it('build and rebuild from any ids, even many crafted to share one filter hash', () => {
    // Ids a user chooses (names, slugs) can be crafted to collide: 64 of one hash here.
    // Keys equal in every hash (unique symbols of one description) are the worst case.
    const crafted = collidingKeys('user:', 6);
    const alike = Array.from({ length: 64 }, () => Symbol('id'));
    for (const kind of ['cuckoo', 'bloom'] as const) {
      for (const ids of [crafted, alike] as const) {
        const all: (string | symbol)[] = [...KNOWN, ...ids];
        const guard = loaderGuard.fromKeys(all, { kind, capacity: 2_000 });
        for (const id of all) expect(guard.mightExist(id)).toBe(true);
        guard.rebuild([...ids, ...KNOWN]);
        for (const id of ids) expect(guard.mightExist(id)).toBe(true);
      }
    }
    // filterFromKeys gives a filter you may delete from, so it stores each key: a cuckoo
    // filter takes the strings (their fingerprints differ) but cannot place that many
    // keys equal in both its hashes, and says why (no capacity would help).
    expect(filterFromKeys('cuckoo', crafted, { capacity: 1_000 }).mightContain(crafted[63]!)).toBe(true);
    expect(() => filterFromKeys('cuckoo', alike, { capacity: 1_000_000 })).toThrow(FilterCapacityError);
    expect(() => filterFromKeys('cuckoo', alike, { capacity: 1_000_000 })).toThrow(
      /share its hash .*a larger capacity would not help/,
    );
  });

  it('refuse a capacity below the number of keys instead of building a filter that lets everything through', () => {
    // A bloom filter at 100 keys per key of capacity answers "maybe" to every stranger.
    expect(() => loaderGuard.fromKeys(KNOWN, { kind: 'bloom', capacity: 10 })).toThrow(FilterCapacityError);
    expect(() => loaderGuard.fromKeys(KNOWN, { kind: 'bloom', capacity: 10 })).toThrow(
      '1000 distinct keys do not fit a bloom filter of capacity 10',
    );
    expect(() => loaderGuard.fromKeys(KNOWN, { kind: 'cuckoo', capacity: 999 })).toThrow(FilterCapacityError);
    expect(() => filterFromKeys('bloom', ['a', 'b', 'a'], { capacity: 2 })).not.toThrow(); // distinct keys count
    // A rebuild past the capacity the guard was made with throws, and keeps the old filter.
    const guard = loaderGuard.fromKeys(KNOWN.slice(0, 10), { kind: 'bloom', capacity: 10 });
    expect(() => guard.rebuild(KNOWN)).toThrow(FilterCapacityError);
    expect(guard.mightExist('p9')).toBe(true);
    // 'xor' sizes itself and ignores capacity, but a bad one is still a mistake.
    expect(() => loaderGuard.fromKeys(KNOWN, { kind: 'xor', capacity: -1 })).toThrow(RangeError);
    expect(() => loaderGuard.fromKeys(KNOWN, { kind: 'xor', capacity: 'x' as never })).toThrow(TypeError);
  });

  it('a bloom guard is full at its capacity: add past it throws instead of letting strangers through', async () => {
    const guard = loaderGuard.fromKeys(KNOWN.slice(0, 90), { kind: 'bloom', capacity: 100, probability: 1e-6 });
    for (let i = 0; i < 10; i++) guard.add(`new${i}`);
    guard.add('new3'); // already held: takes no room
    expect(() => guard.add('one-too-many')).toThrow(FilterCapacityError);
    expect(() => guard.add('one-too-many')).toThrow(/the "bloom" loader guard holds all the ids its capacity allows/);
    expect(guard.mightExist('one-too-many')).toBe(false);
    guard.remove('new0'); // a removed id keeps its place: still full
    expect(() => guard.add('one-too-many')).toThrow(FilterCapacityError);
    guard.rebuild(KNOWN.slice(0, 50)); // a rebuild starts afresh
    for (let i = 0; i < 50; i++) guard.add(`again${i}`);
    expect(() => guard.add('again-50')).toThrow(FilterCapacityError);
    // A refresh replays the adds made meanwhile into the new filter, room counted.
    let read!: (keys: Iterable<string>) => void;
    const refreshed = guard.refresh(() => new Promise<Iterable<string>>((resolve) => (read = resolve)));
    guard.remove('again0');
    guard.add('again0'); // the last call decides
    read(KNOWN.slice(0, 99));
    await refreshed;
    expect(guard.mightExist('again0')).toBe(true); // re-added after the read
    expect(() => guard.add('past-100')).toThrow(FilterCapacityError); // 99 read + 'again0'
    await expect(guard.refresh(() => KNOWN.slice(0, 101))).rejects.toThrow(FilterCapacityError);
    expect(guard.mightExist('p98') && guard.mightExist('again0')).toBe(true); // unchanged
  });

  it('refresh: the adds and removes made while the keys are read are applied to the new filter', async () => {
    const guard = loaderGuard.fromKeys(KNOWN, { kind: 'cuckoo', capacity: 2_000 });
    let read!: (keys: Iterable<string>) => void;
    const refreshed = guard.refresh(() => new Promise<Iterable<string>>((resolve) => (read = resolve)));
    const snapshot = KNOWN.filter((id) => id !== 'p7'); // the origin's keys when it read them
    guard.add('created'); // after the read: not in the snapshot
    guard.remove('p5'); //   after the read: still in it
    guard.add('p7'); //      deleted before the read, created again after it
    guard.add('brief');
    guard.remove('brief');
    expect(guard.mightExist('created')).toBe(true); // the current filter answers meanwhile
    read(snapshot);
    await refreshed;
    expect(guard.mightExist('created')).toBe(true);
    expect(guard.mightExist('p7')).toBe(true);
    expect(guard.mightExist('p5')).toBe(false);
    expect(guard.mightExist('brief')).toBe(false);
    expect(guard.mightExist('p6')).toBe(true);
  });

  it('refresh: older keys never replace newer ones, and a failed read leaves the guard as it was', async () => {
    const guard = loaderGuard.fromKeys(['a'], { kind: 'cuckoo', capacity: 100 });
    let readOld!: (keys: Iterable<string>) => void;
    const old = guard.refresh(() => new Promise<Iterable<string>>((resolve) => (readOld = resolve)));
    await guard.refresh(() => ['a', 'b']); // started later, done first
    readOld(['a']);
    await old; // resolves, and changes nothing: its keys are older
    expect(guard.mightExist('b')).toBe(true);
    guard.rebuild(['a', 'c']); // a synchronous rebuild is newer than any refresh started before it
    let readStale!: (keys: Iterable<string>) => void;
    const stale = guard.refresh(() => new Promise<Iterable<string>>((resolve) => (readStale = resolve)));
    guard.rebuild(['a', 'd']);
    readStale(['a']);
    await stale;
    expect(guard.mightExist('d')).toBe(true);

    const failing = guard.refresh(() => Promise.reject(new Error('origin down')));
    guard.add('e');
    await expect(failing).rejects.toThrow('origin down');
    expect(guard.mightExist('d')).toBe(true);
    expect(guard.mightExist('e')).toBe(true);
    await expect(guard.refresh(() => ['a', ...KNOWN])).rejects.toThrow(FilterCapacityError); // outgrew capacity 100
    expect(guard.mightExist('e')).toBe(true);
    await guard.refresh(() => new Set(['f'])); // any iterable, returned synchronously too
    expect(guard.mightExist('f') && !guard.mightExist('e')).toBe(true);
  });

  it('refresh: only for guards from fromKeys, and only with a function', () => {
    expect(() => loaderGuard.of((id: string) => id !== '').refresh(() => [])).toThrow(
      /^macho: only a guard made by LoaderGuard.fromKeys can refresh itself/,
    );
    expect(() => loaderGuard.of(new CuckooFilter<string>(10, 0.01)).refresh(() => [])).toThrow(TypeError);
    const guard = loaderGuard.fromKeys(['a']);
    expect(() => guard.refresh(['a'] as never)).toThrow(/^macho: guard.refresh needs a function/);
  });

  it('property: with refreshes reading the origin at any moment, a guard never turns away an existing key', async () => {
    const id = fc.integer({ min: 0, max: 29 }).map((n) => `id${n}`);
    const op = fc.oneof(
      fc.record({ type: fc.constantFrom('add' as const, 'remove' as const), id }),
      fc.record({ type: fc.constantFrom('start' as const, 'read' as const, 'resolve' as const, 'fail' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('cuckoo' as const, 'bloom' as const, 'xor' as const),
        fc.uniqueArray(id, { maxLength: 15 }),
        fc.array(op, { maxLength: 60 }),
        async (kind, initial, ops) => {
          const guard = loaderGuard.fromKeys(initial, { kind, capacity: 200, probability: 0.2 });
          const exists = new Set(initial);
          interface Pending {
            resolve: (keys: Iterable<string>) => void;
            reject: (error: Error) => void;
            done: Promise<void>;
            snapshot?: string[];
          }
          let pending: Pending[] = [];
          for (const step of ops) {
            if (step.type === 'add' || step.type === 'remove') {
              if (kind === 'xor') continue; // static: the origin changes only through refreshes below
              if (step.type === 'add') exists.add(step.id);
              else exists.delete(step.id);
              guard[step.type](step.id);
            } else if (step.type === 'start') {
              const entry = {} as Pending;
              entry.done = guard
                .refresh(() => new Promise<Iterable<string>>((resolve, reject) => Object.assign(entry, { resolve, reject })))
                .catch(() => {});
              pending.push(entry);
            } else if (pending.length !== 0 && 'pick' in step) {
              const entry = pending[step.pick % pending.length]!;
              if (step.type === 'read') entry.snapshot ??= [...exists];
              else if (entry.snapshot !== undefined || step.type === 'fail') {
                if (step.type === 'fail') entry.reject(new Error('read failed'));
                else entry.resolve(entry.snapshot!);
                await entry.done;
                pending = pending.filter((p) => p !== entry);
              }
            }
            for (const key of exists) expect(guard.mightExist(key)).toBe(true);
          }
          for (const entry of pending) {
            entry.resolve((entry.snapshot ??= [...exists]));
            await entry.done;
            for (const key of exists) expect(guard.mightExist(key)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: under any adds and removes (unpaired, repeated, of unknown ids) a guard never turns away an existing key', () => {
    const id = fc.integer({ min: 0, max: 39 }).map((n) => `id${n}`);
    const op = fc.record({ type: fc.constantFrom('add' as const, 'remove' as const), id });
    fc.assert(
      fc.property(
        fc.constantFrom('cuckoo' as const, 'bloom' as const),
        fc.uniqueArray(id, { maxLength: 20 }),
        fc.array(op, { maxLength: 80 }),
        (kind, initial, ops) => {
          // Small and crowded on purpose (p = 0.2): keys share counters and fingerprints.
          const guard = loaderGuard.fromKeys(initial, { kind, capacity: 40, probability: 0.2 });
          const exists = new Set(initial);
          for (const { type, id: key } of ops) {
            if (type === 'add') {
              guard.add(key);
              exists.add(key);
            } else {
              guard.remove(key);
              exists.delete(key);
              // Ruled out at once (later adds may make it a false positive, as for any id).
              expect(guard.mightExist(key)).toBe(false);
            }
            for (const k of exists) expect(guard.mightExist(k)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accept a bare filter or predicate (cache option or per call), wrapped with counters', async () => {
    const db = origin();
    const filter = new CuckooFilter<string>(1_000, 0.001);
    for (const id of KNOWN) filter.add(id);
    const byFilter = cache({ loaderGuard: filter });
    await expect(byFilter.getOrLoad('zzz', db.load)).rejects.toBeInstanceOf(KeyNotFoundError);
    expect(byFilter.options.loaderGuard).toBeInstanceOf(LoaderGuard);
    expect(byFilter.options.loaderGuard!.filter).toBe(filter);
    expect(byFilter.options.loaderGuard!.stats()).toEqual({ checked: 1, passed: 0, rejected: 1 });

    const shaped = (id: string): boolean => /^p\d+$/.test(id);
    const byPredicate = cache({ loaderGuard: shaped });
    await expect(byPredicate.getOrLoad('DROP TABLE', db.load)).rejects.toBeInstanceOf(KeyNotFoundError);
    expect(await byPredicate.getOrLoad('p7', db.load)).toBe('row p7');
    // Per call, a bare predicate also works; it replaces the cache's guard for that call.
    expect(await byPredicate.getOrLoad('DROP TABLE', () => 'ok', { guard: () => true })).toBe('ok');
    await expect(cache().getOrLoad('x', db.load, { guard: new Set(['y']) as unknown as MembershipFilter<string> })).rejects.toThrow(
      /^macho: option "guard" must be a LoaderGuard, a membership filter/,
    );
    expect(db.calls).toEqual(['p7']);
  });

  it('share counts across caches when one LoaderGuard is given to several', async () => {
    const db = origin();
    const guard = loaderGuard.fromKeys(KNOWN, { kind: 'xor', probability: 1e-4 });
    const a = cache({ loaderGuard: guard });
    const b = cache();
    await expect(a.getOrLoad('x1', db.load)).rejects.toBeInstanceOf(KeyNotFoundError);
    await expect(b.getOrLoad('x2', db.load, { guard })).rejects.toBeInstanceOf(KeyNotFoundError);
    await a.getOrLoad('p2', db.load);
    expect(guard.stats()).toEqual({ checked: 3, passed: 1, rejected: 2 });
    expect(Object.isFrozen(guard.stats())).toBe(true);
    guard.resetStats();
    expect(guard.stats()).toEqual({ checked: 0, passed: 0, rejected: 0 });
  });

  it('count only what they answered: a predicate that throws rejects the call and passes nothing', async () => {
    const guard = loaderGuard.of<string>((id) => {
      if (id === 'bad') throw new Error('boom');
      return id.startsWith('p');
    });
    const c = cache({ loaderGuard: guard });
    let calls = 0;
    await expect(c.getOrLoad('bad', () => String(++calls))).rejects.toThrow('boom');
    await expect(c.getOrLoad('p1', () => String(++calls))).resolves.toBe('1');
    expect(calls).toBe(1);
    expect(guard.stats()).toEqual({ checked: 1, passed: 1, rejected: 0 });
  });

  it('reject concurrent callers of a guarded-out key without a load, and still share loads of real keys', async () => {
    const db = origin();
    const c = cache({ loaderGuard: loaderGuard.fromKeys(KNOWN, { kind: 'xor', probability: 1e-4 }) });
    const results = await Promise.allSettled([
      c.getOrLoad('nope', db.load),
      c.getOrLoad('nope', db.load),
      c.getOrLoad('p3', db.load),
      c.getOrLoad('p3', db.load),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect(db.calls).toEqual(['p3']);
  });

  it('turn a throwing guard into a rejection, without calling the loader', async () => {
    const db = origin();
    const c = cache({
      loaderGuard: () => {
        throw new Error('guard down');
      },
    });
    await expect(c.getOrLoad('p1', db.load)).rejects.toThrow('guard down');
    expect(db.calls).toEqual([]);
  });

  it('reject bad guards with named errors', () => {
    expect(() => cache({ loaderGuard: 42 as unknown as () => boolean })).toThrow(TypeError);
    expect(() => cache({ loaderGuard: 42 as unknown as () => boolean })).toThrow(
      /^macho: option "loaderGuard" must be a LoaderGuard, a membership filter .* or a function \(key\) => boolean; got 42/,
    );
    expect(() => new LoaderGuard({} as unknown as () => boolean)).toThrow(/^macho: a loader guard needs/);
    expect(() => loaderGuard.fromKeys(['a'], { kind: 'lru' as FilterKind })).toThrow(RangeError);
    expect(() => loaderGuard.fromKeys(['a'], { capacty: 10 } as never)).toThrow(/unknown option "capacty"; known options are kind, probability, capacity/);
    expect(() => loaderGuard.fromKeys(['a'], { kind: 'xor', probability: 1e-6 })).toThrow(/^macho\/xor: probability/);
    expect(() => loaderGuard.fromKeys(['a'], { kind: 'cuckoo', probability: 1e-6 })).toThrow(/^macho\/cuckoo: probability/);
    const predicate = loaderGuard.of((id: string) => id !== '');
    expect(() => predicate.add('a')).toThrow(/^macho: a predicate loader guard cannot add keys/);
    expect(() => predicate.rebuild(['a'])).toThrow(/only a guard made by LoaderGuard.fromKeys can rebuild/);
    expect(LoaderGuard.from(predicate)).toBe(predicate);
  });

  it('pick their filter from kind and probability', () => {
    expect(loaderGuard.fromKeys(KNOWN).kind).toBe('cuckoo');
    expect(loaderGuard.fromKeys(KNOWN).filter).toBeInstanceOf(CuckooFilter);
    const xor8 = loaderGuard.fromKeys(KNOWN, { kind: 'xor', probability: 0.01 }).filter as XorFilter<string>;
    const xor16 = loaderGuard.fromKeys(KNOWN, { kind: 'xor', probability: 0.001 }).filter as XorFilter<string>;
    expect([xor8.fingerprintBits, xor16.fingerprintBits]).toEqual([8, 16]);
  });

  it('property: the loader runs only for keys the guard lets through, and every existing key loads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }),
        fc.constantFrom<FilterKind>('xor', 'cuckoo', 'bloom'),
        async (existing, requests, kind) => {
          const rows = new Set(existing);
          const guard = loaderGuard.fromKeys(existing, { kind, probability: 0.01 });
          const c = new Cache<number, string>({ maxCacheSize: 20, scheduler: new VirtualTimeScheduler(), loaderGuard: guard });
          const calls: number[] = [];
          try {
            for (const id of requests) {
              const cached = c.has(id);
              const passes = guard.filter!.mightContain(id);
              const callsBefore = calls.length;
              const outcome = await c
                .getOrLoad(id, (key) => {
                  calls.push(key);
                  return rows.has(key) ? `row ${key}` : Promise.reject(new Error('missing'));
                })
                .then(
                  (value) => value,
                  (error: unknown) => error,
                );
              if (rows.has(id)) expect(outcome).toBe(`row ${id}`); // no false negatives
              else if (!passes) expect(outcome).toBeInstanceOf(KeyNotFoundError);
              else expect(outcome).toEqual(new Error('missing')); // a false positive: loaded, found nothing
              // The loader ran exactly when the key was neither cached nor ruled out.
              expect(calls.length - callsBefore).toBe(!cached && passes ? 1 : 0);
            }
            for (const id of calls) expect(guard.filter!.mightContain(id)).toBe(true);
            expect(guard.passed + guard.rejected).toBe(guard.checked);
          } finally {
            c.dispose();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a guard over your own filter passes add and remove straight to it: create/delete churn never fills it', () => {
    const filter = new CuckooFilter<string>(1_000, 0.01);
    const guard = new LoaderGuard<string>(filter);
    for (let i = 0; i < 20_000; i++) {
      guard.add(`id:${i}`);
      if (i >= 100) guard.remove(`id:${i - 100}`);
    }
    expect(filter.size).toBe(100);
    expect(guard.removed).toBe(0);
    expect(guard.mightExist('id:19999')).toBe(true);
  });
});
