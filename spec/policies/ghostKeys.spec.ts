import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { PolicyContext, PolicyFactory } from 'macho';
import { BUILTIN_POLICIES, Cache, clockPro, lirs } from 'macho';
import { advance } from '../support/models.js';
import { delegatingPolicy } from '../support/delegatingPolicy.js';

// The ghost policies keep their ghosts' keys in the shard's key index when they run in
// a cache, and in a Map of their own when built with a context a caller made. Both
// must make the same decisions: the same evictions, the same contents, whatever the
// mix of reads, writes, deletes, expiries, clears and iterations.

type Op =
  | { readonly type: 'get' | 'delete'; readonly key: number }
  | { readonly type: 'set'; readonly key: number; readonly ttl: number }
  | { readonly type: 'advance'; readonly ms: number }
  | { readonly type: 'clear' | 'iterate' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('get' as const), key: fc.integer({ min: 0, max: 29 }) }) },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('set' as const), key: fc.integer({ min: 0, max: 29 }), ttl: fc.constantFrom(0, 0, 0, 5, 40) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 29 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('iterate' as const) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'clear' as const }) },
);

// A context with only the public members: the policy keeps its ghosts in a Map.
function ownContext(factory: PolicyFactory): PolicyFactory {
  return (context) => {
    const { capacity, shard, random, keyOf, valueOf }: PolicyContext = context;
    return factory({ capacity, shard, random, keyOf, valueOf });
  };
}

interface Run {
  readonly evicted: unknown[];
  readonly reads: unknown[];
  readonly cache: Cache<number, number>;
  readonly scheduler: VirtualTimeScheduler;
}

function start(strategy: PolicyFactory | 'arc' | 'lirs' | 's3fifo' | 'clockpro', capacity: number, shardCount: number): Run {
  const scheduler = new VirtualTimeScheduler();
  const cache = new Cache<number, number>({ maxCacheSize: capacity, shardCount, strategy, ttl: 0, scheduler });
  const evicted: unknown[] = [];
  cache.on('evict').subscribe((event) => evicted.push(event.key));
  return { evicted, reads: [], cache, scheduler };
}

function apply(run: Run, step: Op): void {
  switch (step.type) {
    case 'get':
      run.reads.push(run.cache.get(step.key));
      break;
    case 'set':
      run.cache.set(step.key, step.key * 10, { ttl: step.ttl });
      break;
    case 'delete':
      run.reads.push(run.cache.delete(step.key));
      break;
    case 'advance':
      advance(run.scheduler, step.ms);
      break;
    case 'iterate':
      run.reads.push([...run.cache.keys()]);
      break;
    case 'clear':
      run.cache.clear();
  }
}

const GHOST_POLICIES: ReadonlyArray<readonly [string, PolicyFactory]> = [
  ['arc', BUILTIN_POLICIES.arc],
  ['lirs', BUILTIN_POLICIES.lirs],
  ['s3fifo', BUILTIN_POLICIES.s3fifo],
  ['clockpro', BUILTIN_POLICIES.clockpro],
  ['clockPro({ nonResidentMultiplier: 3, minColdPercent: 0.3 })', clockPro({ nonResidentMultiplier: 3, minColdPercent: 0.3 })],
  ['lirs({ nonResidentMultiplier: 0.5, hirPercent: 0.3 })', lirs({ nonResidentMultiplier: 0.5, hirPercent: 0.3 })],
];

describe('ghost keys kept in the shard’s key index', () => {
  for (const [name, factory] of GHOST_POLICIES) {
    it(`${name}: decides as with a Map of its own, also when wrapped as a custom policy`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), fc.array(op, { minLength: 20, maxLength: 300, size: 'max' }), (capacity, shardCount, ops) => {
          const shards = Math.min(shardCount, capacity);
          const inIndex = start(factory, capacity, shards);
          const ownMap = start(ownContext(factory), capacity, shards);
          const wrapped = start(delegatingPolicy('wrapped', factory), capacity, shards);
          for (const step of ops) for (const run of [inIndex, ownMap, wrapped]) apply(run, step);
          for (const run of [ownMap, wrapped]) {
            expect(run.evicted).toEqual(inIndex.evicted);
            expect(run.reads).toEqual(inIndex.reads);
            expect(run.cache.snapshot().entries).toEqual(inIndex.cache.snapshot().entries);
          }
        }),
        { numRuns: 200 },
      );
    });
  }

  it('two built-ins on one context (one deciding, one watched) each keep their own ghosts', () => {
    // A custom policy that feeds a second built-in the same hooks, to compare them online.
    const watchedBeside =
      (deciding: PolicyFactory, watched: PolicyFactory): PolicyFactory =>
      (context) => {
        const main = deciding(context);
        const shadow = watched(context);
        return {
          name: 'with-shadow',
          onInsert: (slot) => (main.onInsert(slot), shadow.onInsert(slot)),
          onAccess: (slot) => (main.onAccess(slot), shadow.onAccess(slot)),
          onUpdate: (slot) => (main.onUpdate(slot), shadow.onUpdate(slot)),
          onRemove: (slot) => (main.onRemove(slot), shadow.onRemove(slot)),
          onClear: () => (main.onClear(), shadow.onClear()),
          victim: (incoming) => (shadow.victim(incoming), main.victim(incoming)),
        };
      };
    const factories = GHOST_POLICIES.slice(0, 4).map(([, factory]) => factory);
    fc.assert(
      fc.property(
        fc.constantFrom(...factories),
        fc.constantFrom(...factories),
        fc.integer({ min: 1, max: 8 }),
        fc.array(op.filter((step) => step.type !== 'clear'), { minLength: 20, maxLength: 300, size: 'max' }),
        (deciding, watched, capacity, ops) => {
          const alone = start(deciding, capacity, 1);
          const beside = start(watchedBeside(deciding, watched), capacity, 1);
          for (const step of ops) for (const run of [alone, beside]) apply(run, step);
          expect(beside.evicted).toEqual(alone.evicted);
          expect(beside.cache.snapshot().entries).toEqual(alone.cache.snapshot().entries);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a custom factory gets the public context only (built-ins it builds keep their ghosts in a Map)', () => {
    let symbols: symbol[] | undefined;
    const spy: PolicyFactory = (context) => {
      symbols = Object.getOwnPropertySymbols(context);
      return BUILTIN_POLICIES.lirs(context);
    };
    new Cache({ maxCacheSize: 4, strategy: spy, ttl: 0, scheduler: new VirtualTimeScheduler() });
    expect(symbols).toEqual([]);
  });

  it('a ghost is never an entry: has, peek, delete and iteration pass it by, and its key comes back as new', () => {
    const cache = new Cache<string, number>({ maxCacheSize: 2, strategy: 'clockpro', ttl: 0, scheduler: new VirtualTimeScheduler() });
    const evicted: string[] = [];
    cache.on('evict').subscribe((event) => evicted.push(event.key));
    cache.set('a', 1).set('b', 2).set('c', 3); // b, cold in its test period, is evicted and kept as a ghost
    expect(evicted).toEqual(['b']);
    expect(cache.has('b')).toBe(false);
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.delete('b')).toBe(false);
    expect([...cache.keys()].sort()).toEqual(['a', 'c']);
    expect(cache.size).toBe(2);
    cache.set('b', 20);
    expect(cache.get('b')).toBe(20);
    expect(cache.size).toBe(2);
    expect(cache.metrics()).toMatchObject({ size: 2, evictions: 2, deletes: 0 });
  });
});
