import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheSnapshot, ShardMetrics, SnapshotEntry } from 'macho';
import { Cache } from 'macho';
import type { CheckedMetrics, EventRecorder, InvariantSubject } from 'macho/testing';
import {
  applyOperation,
  assertInvariants,
  CacheModel,
  cacheOperations,
  checkInvariants,
  createVirtualCache,
  recordEvents,
} from 'macho/testing';

const CONFIGS = [
  { maxCacheSize: 3, ttl: 50 },
  { maxCacheSize: 5, shardCount: 2, ttl: 100, strategy: 'fifo' as const },
  { maxCacheSize: 6, shardCount: 3, ttl: 0, strategy: 'random' as const, bloom: true, seed: 7 },
];

describe('checkInvariants on real caches', () => {
  it.each(CONFIGS)('holds after every operation for %o', (config) => {
    fc.assert(
      fc.property(cacheOperations(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], fc.nat(5), { maxLength: 80 }), (ops) => {
        const virtual = createVirtualCache<string, number>(config);
        const recorder = recordEvents(virtual.cache);
        for (const op of ops) {
          applyOperation(virtual, op);
          const report = checkInvariants(virtual.cache, { recorder });
          expect(report.violations).toEqual([]);
          expect(report.ok).toBe(true);
        }
        virtual.dispose();
      }),
      { numRuns: 150 },
    );
  });

  it('works on a real-time cache and on a disposed one', () => {
    const cache = new Cache<string, number>({ maxCacheSize: 2, ttl: 1 });
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(checkInvariants(cache).violations).toEqual([]);
    cache.dispose();
    expect(checkInvariants(cache).violations).toEqual([]);
  });

  it('returns a frozen report', () => {
    const virtual = createVirtualCache();
    const report = checkInvariants(virtual.cache);
    expect(Object.isFrozen(report)).toBe(true);
    expect(Object.isFrozen(report.violations)).toBe(true);
    virtual.dispose();
  });
});

type Mutable<T> = { -readonly [P in keyof T]: T[P] };

// A cache-shaped fake, healthy as built; each test breaks one thing.
interface FakeState {
  now: number;
  maxCacheSize: number;
  shardCount: number;
  size: number;
  keys: string[];
  entries: Array<{ key: string; value: number; shard: number; expiresAt?: number }>;
  shards: Array<Omit<Mutable<ShardMetrics>, 'hitRatio'> & { hitRatio?: number }>;
  totals: Partial<CheckedMetrics>;
  freeze: { snapshot: boolean; entries: boolean; entry: boolean; metrics: boolean };
  throwsOn?: 'size' | 'keys' | 'snapshot' | 'metrics';
}

function healthy(): FakeState {
  return {
    now: 100,
    maxCacheSize: 4,
    shardCount: 2,
    size: 3,
    keys: ['a', 'b', 'c'],
    entries: [
      { key: 'a', value: 1, shard: 0, expiresAt: 150 },
      { key: 'b', value: 2, shard: 0 },
      { key: 'c', value: 3, shard: 1, expiresAt: 101 },
    ],
    shards: [
      { shard: 0, hits: 3, misses: 1, sets: 4, deletes: 1, evictions: 0, expirations: 1, size: 2, maxSize: 2 },
      { shard: 1, hits: 0, misses: 2, sets: 1, deletes: 0, evictions: 0, expirations: 0, size: 1, maxSize: 2 },
    ],
    totals: {},
    freeze: { snapshot: true, entries: true, entry: true, metrics: true },
  };
}

function fake(state: FakeState): InvariantSubject<string, number> {
  const ratio = (hits: number, misses: number) => (hits + misses === 0 ? 0 : hits / (hits + misses));
  const maybeFreeze = <T extends object>(yes: boolean, value: T): T => (yes ? Object.freeze(value) : value);
  const thrower = (what: FakeState['throwsOn']) => {
    if (state.throwsOn === what) throw new Error(`${what} is broken`);
  };
  return {
    get size() {
      thrower('size');
      return state.size;
    },
    options: { maxCacheSize: state.maxCacheSize, shardCount: state.shardCount, scheduler: { now: () => state.now } },
    keys() {
      thrower('keys');
      return state.keys.values();
    },
    snapshot(): CacheSnapshot<string, number> {
      thrower('snapshot');
      const entries = state.entries.map((e) => maybeFreeze(state.freeze.entry, { ...e }) as SnapshotEntry<string, number>);
      return maybeFreeze(state.freeze.snapshot, {
        version: 1,
        at: state.now,
        size: entries.length,
        entries: maybeFreeze(state.freeze.entries, entries),
      });
    },
    metrics(): CheckedMetrics {
      thrower('metrics');
      const shards = state.shards.map((s) => ({ ...s, hitRatio: s.hitRatio ?? ratio(s.hits, s.misses) }));
      const sum = (name: 'hits' | 'misses' | 'sets' | 'deletes' | 'evictions' | 'expirations' | 'size') =>
        shards.reduce((total, s) => total + s[name], 0);
      const hits = sum('hits');
      const misses = sum('misses');
      return maybeFreeze(state.freeze.metrics, {
        hits,
        misses,
        hitRatio: ratio(hits, misses),
        sets: sum('sets'),
        deletes: sum('deletes'),
        evictions: sum('evictions'),
        expirations: sum('expirations'),
        size: sum('size'),
        maxSize: shards.reduce((total, s) => total + s.maxSize, 0),
        shards,
        ...state.totals,
      });
    },
  };
}

describe('checkInvariants catches violations', () => {
  it('finds nothing wrong with the healthy fake', () => {
    expect(checkInvariants(fake(healthy()))).toEqual({ ok: true, violations: [] });
  });

  const cases: Array<[string, (s: FakeState) => void, RegExp]> = [
    [
      'size above maxCacheSize',
      (s) => {
        s.maxCacheSize = 2;
      },
      /size 3 exceeds maxCacheSize 2/,
    ],
    [
      'a shard above its maxSize',
      (s) => {
        s.shards[0]!.maxSize = 1;
        s.shards[1]!.maxSize = 3;
      },
      /shard 0: size 2 exceeds its maxSize 1/,
    ],
    [
      'size differing from the snapshot',
      (s) => {
        s.size = 2;
      },
      /size 2 differs from the 3 entries of snapshot\(\)/,
    ],
    [
      'keys() differing from size',
      (s) => {
        s.keys = ['a', 'b'];
      },
      /keys\(\) yields 2 keys but size is 3/,
    ],
    [
      'keys() differing from the snapshot',
      (s) => {
        s.keys = ['a', 'b', 'z'];
      },
      /keys\(\) yields "z", absent from snapshot\(\)/,
    ],
    [
      'an expired entry in the snapshot',
      (s) => {
        s.entries[2]!.expiresAt = 100;
      },
      /expired at or before now \(100\): "c"@100/,
    ],
    [
      'a key twice in the snapshot',
      (s) => {
        s.entries[1]!.key = 'a';
      },
      /holds a key more than once: "a"/,
    ],
    [
      'snapshot entries and shard sizes disagreeing',
      (s) => {
        s.entries[1]!.shard = 1;
      },
      /shard 0: metrics size 2 differs from its 1 snapshot entries/,
    ],
    [
      'an entry in no shard',
      (s) => {
        s.entries[1]!.shard = 5;
      },
      /entries in no shard of metrics\(\): "b"/,
    ],
    [
      'a negative count',
      (s) => {
        s.shards[1]!.deletes = -1;
        s.shards[0]!.deletes = 1;
      },
      /shard 1: deletes is -1, not an integer ≥ 0/,
    ],
    [
      'a fractional count',
      (s) => {
        s.totals = { evictions: 0.5 };
      },
      /metrics\(\): evictions is 0.5/,
    ],
    [
      'a hitRatio out of [0, 1]',
      (s) => {
        s.totals = { hitRatio: 1.5 };
      },
      /hitRatio 1.5 is outside \[0, 1\]/,
    ],
    [
      'a hitRatio that is not hits / (hits + misses)',
      (s) => {
        s.shards[1]!.hitRatio = 0.5;
      },
      /shard 1: hitRatio 0.5 is not hits \/ \(hits \+ misses\) = 0/,
    ],
    [
      'totals that are not the sums of the shards',
      (s) => {
        s.totals = { hits: 4 };
      },
      /shard hits add up to 3, not metrics\(\).hits 4/,
    ],
    [
      'metrics().size differing from size',
      (s) => {
        s.totals = { size: 2 };
      },
      /size 3 differs from metrics\(\).size 2/,
    ],
    [
      'maxSize differing from maxCacheSize',
      (s) => {
        s.maxCacheSize = 5;
      },
      /metrics\(\).maxSize 4 is not maxCacheSize 5/,
    ],
    [
      'a wrong number of shards',
      (s) => {
        s.shardCount = 3;
      },
      /metrics\(\) has 2 shards; shardCount is 3/,
    ],
    [
      'a snapshot that is not frozen',
      (s) => {
        s.freeze.snapshot = false;
      },
      /snapshot\(\) is not frozen/,
    ],
    [
      'a snapshot entries array that is not frozen',
      (s) => {
        s.freeze.entries = false;
      },
      /snapshot\(\).entries is not frozen/,
    ],
    [
      'snapshot entries that are not frozen',
      (s) => {
        s.freeze.entry = false;
      },
      /snapshot\(\) entries not frozen: "a", "b", "c"/,
    ],
    [
      'metrics that are not frozen',
      (s) => {
        s.freeze.metrics = false;
      },
      /metrics\(\) is not frozen/,
    ],
    [
      'a read that throws',
      (s) => {
        s.throwsOn = 'keys';
      },
      /keys\(\) threw: keys is broken/,
    ],
  ];

  it.each(cases)('reports %s', (_name, breakIt, expected) => {
    const state = healthy();
    breakIt(state);
    const report = checkInvariants(fake(state));
    expect(report.ok).toBe(false);
    expect(report.violations.join('\n')).toMatch(expected);
  });

  it('does not compare figures read while a moving clock could expire entries between reads', () => {
    const state = healthy();
    const subject = fake(state);
    const ticking: InvariantSubject<string, number> = {
      ...subject,
      get size() {
        state.now++; // real time passed: "c" (expiresAt 101) expired during this read
        return 2;
      },
      options: { ...subject.options, scheduler: { now: () => state.now } },
      keys: () => subject.keys(),
      metrics: () => subject.metrics(),
      snapshot: () => subject.snapshot(),
    };
    expect(checkInvariants(ticking).violations).toEqual([]);
  });

  it('reports the metrics that disagree with recorded events', () => {
    const virtual = createVirtualCache<string, number>({ maxCacheSize: 1 });
    const recorder = recordEvents(virtual.cache);
    virtual.cache.set('a', 1).set('b', 2); // one eviction
    virtual.cache.get('b');
    expect(checkInvariants(virtual.cache, { recorder }).ok).toBe(true);
    // A recorder that missed the eviction (as a cache whose metrics drift from its events would look).
    const missed: EventRecorder<string, number> = {
      ...recorder,
      final: undefined,
      stopped: false,
      counts: () => ({ ...recorder.counts(), evict: 0 }),
    };
    const report = checkInvariants(virtual.cache, { recorder: missed });
    expect(report.violations).toEqual([
      "metrics().evictions moved by 1 but 0 'evict' event(s) were recorded",
      'metrics().size is 1 but the recorded events leave 2',
    ]);
    virtual.dispose();
  });
});

describe('checkInvariants and CacheModel: a misspelt option is an error, not a check switched off', () => {
  it('names the unknown option', () => {
    const cache = new Cache({ ttl: 0 });
    expect(() => checkInvariants(cache, { recoder: {} } as never)).toThrow(
      new TypeError('macho/testing: checkInvariants: unknown option "recoder"; known options are recorder'),
    );
    expect(() => new CacheModel({ ttl: 0, capacity: 1, nwo: 50 } as never)).toThrow(/CacheModel: unknown option "nwo"/);
    cache.dispose();
  });
});

describe('assertInvariants', () => {
  it('passes quietly when every invariant holds', () => {
    const virtual = createVirtualCache<string, number>({ maxCacheSize: 2 });
    virtual.cache.set('a', 1).set('b', 2).set('c', 3);
    expect(() => assertInvariants(virtual.cache)).not.toThrow();
    virtual.dispose();
  });

  it('throws an Error listing every violation', () => {
    const state = healthy();
    state.maxCacheSize = 2;
    state.keys = ['a'];
    expect(() => assertInvariants(fake(state))).toThrowError(
      /cache invariant\(s\) broken:\n {2}- size 3 exceeds maxCacheSize 2\n[\s\S]*keys\(\) yields 1 keys but size is 3/,
    );
  });
});
