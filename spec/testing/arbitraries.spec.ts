import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheOperation } from 'macho/testing';
import {
  applyOperation,
  cacheCommands,
  cacheOperation,
  cacheOperations,
  createVirtualCache,
  DEFAULT_OPERATION_WEIGHTS,
  describeOperation,
  OPERATION_TYPES,
} from 'macho/testing';

const KEYS = ['a', 'b', 'c'] as const;

describe('cacheOperation', () => {
  it('generates every operation type, with keys from the list and values from the arbitrary', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(cacheOperation(KEYS, fc.integer({ min: 10, max: 20 }), { maxAdvance: 50 }), (op) => {
        seen.add(op.type);
        expect(OPERATION_TYPES).toContain(op.type);
        if ('key' in op) expect(KEYS).toContain(op.key);
        if ('value' in op) expect(op.value).toBeGreaterThanOrEqual(10);
        if (op.type === 'advance') expect(op.ms).toBeGreaterThanOrEqual(0);
        if (op.type === 'advance') expect(op.ms).toBeLessThanOrEqual(50);
        if (op.type === 'set' && op.ttl !== undefined) expect(op.ttl).toBeLessThanOrEqual(500);
      }),
      { numRuns: 2_000 },
    );
    expect([...seen].sort()).toEqual([...OPERATION_TYPES].sort());
  });

  it('sets a per-entry ttl on some sets only, and never when told so', () => {
    const sets = fc.sample(cacheOperation(KEYS, fc.nat(), { weights: { ...zeroWeights(), set: 1 } }), 400);
    const withTtl = sets.filter((op) => op.type === 'set' && op.ttl !== undefined).length;
    expect(withTtl).toBeGreaterThan(20);
    expect(withTtl).toBeLessThan(380);
    const never = fc.sample(
      cacheOperation(KEYS, fc.nat(), { weights: { ...zeroWeights(), set: 1 }, ttl: fc.constant(undefined) }),
      200,
    );
    expect(never.every((op) => op.type === 'set' && !('ttl' in op))).toBe(true);
  });

  it('follows the weights; a zero weight leaves the type out', () => {
    const ops = fc.sample(cacheOperation(KEYS, fc.nat(), { weights: { ...zeroWeights(), get: 1, clear: 1 } }), 300);
    expect(new Set(ops.map((op) => op.type))).toEqual(new Set(['get', 'clear']));
    expect(DEFAULT_OPERATION_WEIGHTS.set).toBeGreaterThan(DEFAULT_OPERATION_WEIGHTS.clear);
  });

  it('takes an arbitrary of keys as well as a list, and lists of values', () => {
    const ops = fc.sample(cacheOperation(fc.constantFrom(1, 2), ['x', 'y']), 200);
    for (const op of ops) {
      if ('key' in op) expect([1, 2]).toContain(op.key);
      if ('value' in op) expect(['x', 'y']).toContain(op.value);
    }
  });

  it('rejects bad inputs with a RangeError or TypeError', () => {
    expect(() => cacheOperation([], fc.nat())).toThrow(RangeError);
    expect(() => cacheOperation(KEYS, [])).toThrow(RangeError);
    expect(() => cacheOperation('abc' as never, fc.nat())).toThrow(TypeError);
    expect(() => cacheOperation(KEYS, fc.nat(), { weights: zeroWeights() })).toThrow(RangeError);
    expect(() => cacheOperation(KEYS, fc.nat(), { weights: { get: -1 } })).toThrow(RangeError);
    expect(() => cacheOperation(KEYS, fc.nat(), { weights: { get: 0.5 } })).toThrow(RangeError);
    expect(() => cacheOperation(KEYS, fc.nat(), { maxAdvance: -1 })).toThrow(RangeError);
    expect(() => cacheOperation(KEYS, fc.nat(), { maxAdvance: null as never })).toThrow(/maxAdvance must be a number; got null/);
    expect(() => cacheOperation(KEYS, fc.nat(), { ttl: 100 as never })).toThrow(
      /^macho\/testing: ttl must be a fast-check arbitrary of TTLs in ms \(or undefined\); got 100$/,
    );
  });
});

describe('cacheOperations', () => {
  it('respects minLength and maxLength, and size spreads the lengths', () => {
    fc.assert(
      fc.property(cacheOperations(KEYS, fc.nat(), { minLength: 3, maxLength: 8 }), (ops) => {
        expect(ops.length).toBeGreaterThanOrEqual(3);
        expect(ops.length).toBeLessThanOrEqual(8);
      }),
    );
    const long = fc.sample(cacheOperations(KEYS, fc.nat(), { maxLength: 200, size: 'max' }), 100);
    expect(Math.max(...long.map((ops) => ops.length))).toBeGreaterThan(100);
  });

  it('shrinks a failing sequence to the one operation that breaks the property', () => {
    const result = fc.check(
      fc.property(cacheOperations(KEYS, fc.nat()), (ops) => ops.every((op) => op.type !== 'clear')),
      { seed: 42 },
    );
    expect(result.failed).toBe(true);
    expect(result.counterexample).toEqual([[{ type: 'clear' }]]);
  });
});

describe('applyOperation', () => {
  it('performs each operation and returns what the cache method returned', () => {
    const virtual = createVirtualCache<string, { n: number }>({ ttl: 100 });
    const one = { n: 1 };
    const two = { n: 2 };
    const run = (op: CacheOperation<string, { n: number }>) => applyOperation(virtual, op);
    expect(run({ type: 'set', key: 'a', value: one })).toBeUndefined();
    expect(run({ type: 'get', key: 'a' })).toBe(one);
    expect(run({ type: 'peek', key: 'a' })).toBe(one);
    expect(run({ type: 'has', key: 'a' })).toBe(true);
    expect(run({ type: 'update', key: 'a', value: two })).toBe(two);
    expect(virtual.cache.peek('a')).toBe(two);
    expect(run({ type: 'update', key: 'zz', value: two })).toBeUndefined();
    expect(run({ type: 'delete', key: 'a' })).toBe(true);
    expect(run({ type: 'delete', key: 'a' })).toBe(false);
    run({ type: 'set', key: 'b', value: one, ttl: 10 });
    run({ type: 'set', key: 'c', value: one });
    expect(run({ type: 'advance', ms: 10 })).toBeUndefined();
    expect(virtual.now()).toBe(10);
    expect(run({ type: 'has', key: 'b' })).toBe(false); // its own ttl passed
    expect(run({ type: 'has', key: 'c' })).toBe(true); // the cache's ttl has not
    expect(run({ type: 'clear' })).toBeUndefined();
    expect(virtual.cache.size).toBe(0);
    virtual.dispose();
  });

  it('describes operations as code', () => {
    expect(describeOperation({ type: 'set', key: 'a', value: 1, ttl: 50 })).toBe('set("a", 1, { ttl: 50 })');
    expect(describeOperation({ type: 'set', key: 1, value: { x: 'y' } })).toBe('set(1, {"x":"y"})');
    expect(describeOperation({ type: 'update', key: 'a', value: 2 })).toBe('update("a", () => 2)');
    expect(describeOperation({ type: 'peek', key: Symbol('s') })).toBe('peek(Symbol(s))');
    expect(describeOperation({ type: 'clear' })).toBe('clear()');
    expect(describeOperation({ type: 'advance', ms: 7 })).toBe('advance(7)');
  });
});

describe('option names', () => {
  const known = 'set, get, peek, has, delete, clear, update, advance';

  it('refuses an unknown weight name, naming it and the operations, in every entry point', () => {
    const typo = { weights: { sett: 5 } } as never;
    const message = `macho/testing: unknown operation "sett" in weights; the operations are ${known}`;
    expect(() => cacheOperation(KEYS, [1], typo)).toThrow(new TypeError(message));
    expect(() => cacheOperations(KEYS, [1], typo)).toThrow(new TypeError(message));
    expect(() => cacheCommands(KEYS, [1], typo)).toThrow(new TypeError(message));
    expect(() => cacheOperation(KEYS, [1], { weights: 5 } as never)).toThrow(/weights must be an object of operation types to numbers; got 5/);
    // Known names with any spelling of a weight still go through the weight check.
    expect(() => cacheOperation(KEYS, [1], { weights: { set: -1 } })).toThrow(RangeError);
  });

  it('refuses an unknown option name, naming it and the known ones', () => {
    expect(() => cacheOperation(KEYS, [1], { maxAdvanse: 5 } as never)).toThrow(
      new TypeError('macho/testing: cacheOperation: unknown option "maxAdvanse"; known options are weights, ttl, maxAdvance'),
    );
    expect(() => cacheOperations(KEYS, [1], { maxLenght: 5 } as never)).toThrow(
      /cacheOperations: unknown option "maxLenght"; known options are weights, ttl, maxAdvance, minLength, maxLength, size/,
    );
    expect(() => cacheCommands(KEYS, [1], { invariant: false } as never)).toThrow(
      /cacheCommands: unknown option "invariant"; known options are weights, ttl, maxAdvance, invariants/,
    );
    expect(() => cacheOperations(KEYS, [1], { minLength: 1, maxLength: 2, size: 'max', maxAdvance: 3, invariants: true } as never)).toThrow(
      /unknown option "invariants"/,
    );
    expect(() => cacheCommands(KEYS, [1], { invariants: false, maxAdvance: 3, weights: { clear: 0 }, ttl: fc.constant(undefined) })).not.toThrow();
  });
});

describe('bad input to the kit is refused, not defaulted', () => {
  it('cacheOperations: lengths and size are checked, and named as ours', () => {
    expect(() => cacheOperations(KEYS, [1], { minLength: 5, maxLength: 2 })).toThrow(
      new RangeError('macho/testing: cacheOperations option "minLength" (5) must not exceed "maxLength" (2)'),
    );
    expect(() => cacheOperations(KEYS, [1], { maxLength: -1 })).toThrow(/option "maxLength" must be an integer from 0/);
    expect(() => cacheOperations(KEYS, [1], { minLength: '5' } as never)).toThrow(TypeError);
    expect(() => cacheOperations(KEYS, [1], { size: 'huge' } as never)).toThrow(/cacheOperations option "size" must be one of .*"max"; got "huge"/);
  });

  it('cacheCommands: invariants must be a boolean', () => {
    expect(() => cacheCommands(KEYS, [1], { invariants: 'no' } as never)).toThrow(
      new TypeError('macho/testing: cacheCommands option "invariants" must be a boolean; got "no"'),
    );
  });

  it('applyOperation: an unknown type, or a set without a value, is refused', () => {
    const virtual = createVirtualCache<string, number>();
    expect(() => applyOperation(virtual, { type: 'sett', key: 'a', value: 1 } as never)).toThrow(
      new TypeError(`macho/testing: unknown operation type "sett"; known types are ${OPERATION_TYPES.join(', ')}`),
    );
    virtual.cache.set('a', 1);
    expect(() => applyOperation(virtual, { type: 'set', key: 'a' } as never)).toThrow(/a set operation needs a value/);
    expect(virtual.cache.peek('a')).toBe(1);
    expect(applyOperation(virtual, { type: 'set', key: 'a', value: undefined } as never)).toBeUndefined(); // a delete, as documented
    expect(virtual.cache.peek('a')).toBeUndefined();
    virtual.dispose();
  });

  it('createVirtualCache: options that are not an object are refused; getters and inherited options reach the cache', () => {
    for (const bad of [null, [], 5]) expect(() => createVirtualCache(bad as never)).toThrow(TypeError);
    class Config {
      readonly #size = 5; // a getter reading a #private field must run on the object itself
      get maxCacheSize(): number {
        return this.#size;
      }
    }
    const fromGetter = createVirtualCache(new Config() as never);
    expect(fromGetter.cache.options.maxCacheSize).toBe(5);
    fromGetter.dispose();
    const inherited = createVirtualCache(Object.create({ ttl: 40 }) as never);
    expect(inherited.cache.options.ttl).toBe(40);
    inherited.dispose();
    expect(() => createVirtualCache(Object.create({ maxSize: 5 }) as never)).toThrow(/unknown option "maxSize"/);
    // As new Cache() reads them: a Proxy answering reads only, a "__proto__" key from
    // JSON (an unknown option, not a prototype), a getter read once.
    const proxy = new Proxy({}, { get: (_target, name) => (name === 'maxCacheSize' ? 11 : undefined) });
    const fromProxy = createVirtualCache(proxy as never);
    expect(fromProxy.cache.options.maxCacheSize).toBe(11);
    fromProxy.dispose();
    expect(() => createVirtualCache(JSON.parse('{"__proto__": {"maxCacheSize": 17}}') as never)).toThrow(/unknown option "__proto__"/);
    let reads = 0;
    const counted = createVirtualCache({
      get scheduler() {
        reads++;
        return undefined;
      },
    } as never);
    expect(reads).toBe(1);
    counted.dispose();
  });
});

describe('describeOperation: values that differ never read alike', () => {
  class Money {
    constructor(readonly cents: number) {}
  }

  it('tells a Date from its ISO string, a class instance from a plain object, and more', () => {
    const set = (value: unknown) => describeOperation({ type: 'set', key: 'a', value });
    expect(set(new Date(0))).toBe('set("a", new Date("1970-01-01T00:00:00.000Z"))');
    expect(set('1970-01-01T00:00:00.000Z')).toBe('set("a", "1970-01-01T00:00:00.000Z")');
    expect(set(new Date(Number.NaN))).toBe('set("a", new Date(NaN))');
    expect(set(new Money(5))).toBe('set("a", Money {"cents":5})');
    expect(set({ cents: 5 })).toBe('set("a", {"cents":5})');
    expect(set(new Map([['k', 1]]))).toBe('set("a", new Map([["k",1]]))');
    expect(set(new Set(['k']))).toBe('set("a", new Set(["k"]))');
    expect(set(-0)).toBe('set("a", -0)');
    expect(set(1n)).toBe('set("a", 1n)');
    expect(set(new Number(1))).toBe('set("a", new Number(1))');
    expect(set([undefined, null])).toBe('set("a", [undefined,null])');
    expect(set(Object.assign(Object.create(null) as object, { a: 1 }))).toBe('set("a", [Object: null prototype] {"a":1})');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(set(cyclic)).toBe('set("a", {"a":1,"self":[Circular]})');
    expect(describeOperation({ type: 'update', key: new Date(1), value: /x/g })).toBe('update(new Date("1970-01-01T00:00:00.001Z"), () => /x/g)');
  });

  it('never renders two values alike unless fast-check prints them alike (property)', () => {
    const value = fc.anything({
      maxDepth: 2,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withTypedArray: true,
      withObjectString: true,
    });
    fc.assert(
      fc.property(value, value, (a, b) => {
        const [shownA, shownB] = [a, b].map((v) => describeOperation({ type: 'set', key: 'k', value: v }));
        if (shownA === shownB && !shownA!.includes('…')) expect(fc.stringify(a)).toBe(fc.stringify(b));
      }),
      { numRuns: 2_000 },
    );
    // Look-alikes on purpose: a value and its JSON round trip (a Date becomes its ISO
    // string, a Map {}, -0 0, a boxed number the number…), which the old JSON rendering
    // printed alike.
    fc.assert(
      fc.property(value, (v) => {
        let copy: unknown;
        try {
          copy = JSON.parse(JSON.stringify(v) ?? 'null') as unknown;
        } catch {
          return; // a bigint: not JSON
        }
        const same = fc.stringify(copy) === fc.stringify(v);
        const [shownV, shownCopy] = [v, copy].map((x) => describeOperation({ type: 'set', key: 'k', value: x }));
        if (!same && !shownV!.includes('…')) expect(shownV).not.toBe(shownCopy);
      }),
      { numRuns: 2_000 },
    );
    // and a value against its printed form, as a string
    fc.assert(
      fc.property(value, (v) => {
        const asString = describeOperation({ type: 'set', key: 'k', value: fc.stringify(v) });
        const asValue = describeOperation({ type: 'set', key: 'k', value: v });
        expect(asValue).not.toBe(asString);
      }),
      { numRuns: 1_000 },
    );
  });
});

function zeroWeights(): Record<(typeof OPERATION_TYPES)[number], number> {
  return Object.fromEntries(OPERATION_TYPES.map((type) => [type, 0])) as Record<(typeof OPERATION_TYPES)[number], number>;
}
