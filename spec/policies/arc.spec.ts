import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ArcPolicy, Command } from 'macho';
import { arcPolicy, BUILTIN_POLICIES, Cache } from 'macho';
import type { Key, Value } from '../fixtures/ops.js';
import { opsArb } from '../fixtures/ops.js';
import { advance, virtualClock } from '../fixtures/virtualTime.js';
import { gliHitRatios, hasGli } from '../support/gli.js';

/**
 * ARC exactly as the paper's pseudocode (Megiddo & Modha, FAST 2003, Fig. 4), on
 * arrays (index 0 = LRU), for a stream of requests: the incoming key x is known.
 */
class PaperArc {
  readonly t1: string[] = [];
  readonly t2: string[] = [];
  readonly b1: string[] = [];
  readonly b2: string[] = [];
  p = 0;

  constructor(readonly c: number) {}

  /** One request; returns the key removed from the cache, if any. */
  request(x: string): string | undefined {
    const { c, t1, t2, b1, b2 } = this;
    if (remove(t1, x) || remove(t2, x)) {
      t2.push(x); // Case I
      return undefined;
    }
    let evicted: string | undefined;
    if (b1.includes(x)) {
      // Case II
      this.p = Math.min(c, this.p + (b1.length >= b2.length ? 1 : Math.floor(b2.length / b1.length)));
      evicted = this.#replace(x);
      remove(b1, x);
      t2.push(x);
    } else if (b2.includes(x)) {
      // Case III
      this.p = Math.max(0, this.p - (b2.length >= b1.length ? 1 : Math.floor(b1.length / b2.length)));
      evicted = this.#replace(x);
      remove(b2, x);
      t2.push(x);
    } else {
      // Case IV
      if (t1.length + b1.length === c) {
        if (t1.length < c) {
          b1.shift();
          evicted = this.#replace(x);
        } else evicted = t1.shift();
      } else {
        const total = t1.length + t2.length + b1.length + b2.length;
        if (total >= c) {
          if (total === 2 * c) b2.shift();
          evicted = this.#replace(x);
        }
      }
      t1.push(x);
    }
    return evicted;
  }

  #replace(x: string): string {
    const { t1, t2, b1, b2 } = this;
    if (t1.length >= 1 && ((b2.includes(x) && t1.length === this.p) || t1.length > this.p)) {
      const k = t1.shift()!;
      b1.push(k);
      return k;
    }
    const k = t2.shift()!;
    b2.push(k);
    return k;
  }
}

function remove(list: string[], key: string): boolean {
  const i = list.indexOf(key);
  if (i !== -1) list.splice(i, 1);
  return i !== -1;
}

function arcCache(capacity: number, scheduler = new VirtualTimeScheduler()) {
  let policy: ArcPolicy | undefined;
  const cache = new Cache<string, number>({
    maxCacheSize: capacity,
    // Wrapped to reach the instance; a non-built-in factory also has its victims checked.
    strategy: (context) => (policy = arcPolicy(context)),
    ttl: 0,
    scheduler,
  });
  const evicted: string[] = [];
  cache.on('evict').subscribe((e) => evicted.push(e.key));
  return { cache, policy: () => policy!, evicted, scheduler };
}

/** The paper's bounds, whatever happened: the ones broken (none, hopefully). */
function brokenBounds(policy: ArcPolicy, capacity: number, size: number): string[] {
  const { t1, t2, b1, b2, p } = policy.lists;
  const c = capacity;
  const rules: [string, boolean][] = [
    ['|T1| + |T2| = size', t1 + t2 === size],
    ['|T1| + |T2| ≤ c', t1 + t2 <= c],
    ['|T1| + |B1| ≤ c', t1 + b1 <= c],
    ['|T1| + |T2| + |B1| + |B2| ≤ 2c', t1 + t2 + b1 + b2 <= 2 * c],
    ['|B1| + |B2| ≤ c', b1 + b2 <= c],
    ['0 ≤ p ≤ c', p >= 0 && p <= c],
  ];
  return rules.filter(([, ok]) => !ok).map(([rule]) => `${rule} (${JSON.stringify({ t1, t2, b1, b2, p, size })})`);
}

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
const key = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('a', 'b', 'c') }, { weight: 3, arbitrary: fc.constantFrom(...KEYS) });
const capacity = fc.constantFrom(1, 2, 3, 4, 5, 8);

describe("strategy 'arc'", () => {
  it('is registered under its name', () => {
    expect(BUILTIN_POLICIES.arc).toBe(arcPolicy);
    const cache = new Cache<string, number>({ maxCacheSize: 2, strategy: 'arc', ttl: 0, scheduler: new VirtualTimeScheduler() });
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(cache.size).toBe(2);
  });

  it('cache-aside (get, then set on a miss) follows the paper exactly: hits, victims, list sizes and p', () => {
    fc.assert(
      fc.property(
        capacity,
        fc.array(fc.tuple(key, fc.constantFrom('request', 'request', 'request', 'peek', 'has')), { maxLength: 150, size: 'max' }),
        (c, ops) => {
          const paper = new PaperArc(c);
          const { cache, policy, evicted } = arcCache(c);
          for (const [k, op] of ops) {
            if (op !== 'request') {
              cache[op](k); // no effect on the policy
              continue;
            }
            const resident = paper.t1.includes(k) || paper.t2.includes(k);
            const victim = paper.request(k);
            if (cache.get(k) === undefined) cache.set(k, 1);
            else expect(resident).toBe(true);
            expect(evicted.splice(0)).toEqual(victim === undefined ? [] : [victim]);
            const { t1, t2, b1, b2, p } = policy().lists;
            expect({ t1, t2, b1, b2, p }).toEqual({
              t1: paper.t1.length,
              t2: paper.t2.length,
              b1: paper.b1.length,
              b2: paper.b2.length,
              p: paper.p,
            });
            expect(new Set(cache.keys())).toEqual(new Set([...paper.t1, ...paper.t2]));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any mix of operations (sets without a get, deletes, expiry, clear) keeps results right and lists bounded', () => {
    interface Live {
      value: number;
      expiresAt: number;
    }
    fc.assert(
      fc.property(
        capacity,
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('set' as const), key, value: fc.nat(99), ttl: fc.constantFrom(0, 0, 5, 20) }),
            fc.record({ op: fc.constantFrom('get' as const, 'get' as const, 'peek' as const, 'has' as const, 'delete' as const), key }),
            fc.record({ op: fc.constant('request' as const), key, value: fc.nat(99) }),
            fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 10 }) }),
            fc.constant({ op: 'clear' as const }),
          ),
          { maxLength: 150, size: 'max' },
        ),
        (c, ops) => {
          const { cache, policy, scheduler } = arcCache(c);
          const model = new Map<string, Live>(); // the last value written, per key
          let now = 0;
          const live = (k: string): Live | undefined => {
            const entry = model.get(k);
            return entry !== undefined && entry.expiresAt > now ? entry : undefined;
          };
          for (const o of ops) {
            switch (o.op) {
              case 'set':
                cache.set(o.key, o.value, { ttl: o.ttl });
                model.set(o.key, { value: o.value, expiresAt: o.ttl === 0 ? Infinity : now + o.ttl });
                expect(cache.peek(o.key)).toBe(o.value); // a set key is always there afterwards
                break;
              case 'request':
                if (cache.get(o.key) === undefined) {
                  cache.set(o.key, o.value);
                  model.set(o.key, { value: o.value, expiresAt: Infinity });
                }
                break;
              case 'advance':
                advance(scheduler, o.ms);
                now += o.ms;
                break;
              case 'clear':
                cache.clear();
                model.clear();
                break;
              case 'delete':
                cache.delete(o.key);
                model.delete(o.key);
                break;
              default: {
                // get, peek, has: whatever the policy kept, never a stale, deleted or expired value.
                const result = o.op === 'has' ? cache.has(o.key) : cache[o.op](o.key);
                const expected = live(o.key);
                if (o.op === 'has') expect(!result || expected !== undefined).toBe(true);
                else expect(result === undefined || result === expected?.value).toBe(true);
              }
            }
            // One assertion per step (expect() is slow in a loop).
            const stale = [...cache.keys()].filter((k) => cache.peek(k) !== live(k)?.value);
            expect({ over: cache.size > c, stale, broken: brokenBounds(policy(), c, cache.size) }).toEqual({
              over: false,
              stale: [],
              broken: [],
            });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a ghost hit in B1 grows T1’s target; one in B2 shrinks it', () => {
    const { cache, policy, evicted } = arcCache(2);
    const request = (k: string) => cache.get(k) !== undefined || (cache.set(k, 0), false);
    request('a');
    request('a'); // a: T2
    request('b'); // b: T1
    request('c'); // |T1| = 1 > p = 0: b, T1's LRU, becomes a B1 ghost
    expect(evicted.splice(0)).toEqual(['b']);
    expect(policy().lists).toEqual({ t1: 1, t2: 1, b1: 1, b2: 0, p: 0 });
    request('b'); // B1 hit: p 0 → 1; |T1| = 1 is not above 1: a, T2's LRU, goes to B2
    expect(evicted.splice(0)).toEqual(['a']);
    expect(policy().lists).toEqual({ t1: 1, t2: 1, b1: 0, b2: 1, p: 1 });
    request('a'); // B2 hit: p 1 → 0; c, T1's LRU, goes to B1
    expect(evicted.splice(0)).toEqual(['c']);
    expect(policy().lists).toEqual({ t1: 0, t2: 2, b1: 1, b2: 0, p: 0 });
  });

  it('T1 alone full: its LRU leaves without a ghost (case IV-A, B1 empty)', () => {
    const { cache, policy, evicted } = arcCache(2);
    cache.set('a', 1).set('b', 2).set('c', 3);
    expect(evicted).toEqual(['a']);
    expect(policy().lists).toEqual({ t1: 2, t2: 0, b1: 0, b2: 0, p: 0 });
  });

  it('a set with no get before it runs the paper\'s steps for that key (the cache passes it to victim)', () => {
    const { cache, policy, evicted } = arcCache(2);
    cache.set('a', 0);
    cache.get('a'); // a: T2
    cache.set('b', 0).set('c', 0); // b → B1
    expect(policy().lists).toEqual({ t1: 1, t2: 1, b1: 1, b2: 0, p: 0 });
    // b is in B1: p adapts to 1 first, so |T1| = 1 is not above it, and REPLACE takes
    // T2's LRU, a (to B2); b enters T2.
    cache.set('b', 1);
    expect(evicted).toEqual(['b', 'a']);
    expect(policy().lists).toEqual({ t1: 1, t2: 1, b1: 0, b2: 1, p: 1 });
    expect(cache.get('b')).toBe(1);
    expect(cache.peek('c')).toBe(0);
  });

  it('loads that overlap: each insertion is decided for its own key', () => {
    const { cache, policy, evicted } = arcCache(2);
    cache.set('a', 0);
    cache.get('a'); // a: T2
    cache.set('b', 0).set('c', 0); // b → B1
    // Two misses, then their sets in the other order: b's ghost hit still decides b's eviction.
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('d')).toBeUndefined();
    cache.set('b', 1);
    expect(evicted).toEqual(['b', 'a']);
    expect(policy().lists.p).toBe(1);
  });

  it('clear forgets the ghosts and p', () => {
    const { cache, policy } = arcCache(2);
    cache.set('a', 1).set('b', 2).set('c', 3).set('a', 4);
    cache.clear();
    expect(policy().lists).toEqual({ t1: 0, t2: 0, b1: 0, b2: 0, p: 0 });
  });

  it('a replayed log rebuilds the same snapshot', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), opsArb({ maxCommands: 60 }), (extra, shardCount, ops) => {
        const options = { maxCacheSize: shardCount + extra, shardCount, strategy: 'arc' as const, ttl: 0 };
        const scheduler = virtualClock();
        const cache = new Cache<Key, Value>({ ...options, scheduler });
        const log: Command<Key, Value>[] = [];
        cache.commands$.subscribe((command) => log.push(command));
        fc.modelRun(() => ({ model: {}, real: { cache, scheduler } }), ops);
        const snapshot = cache.snapshot();
        expect(Cache.replay(log, { ...options, scheduler: virtualClock() }).snapshot()).toEqual(snapshot);
      }),
      { numRuns: 100 },
    );
  });

  // The recorded trace lives beside the repository; the published ARC row comes from
  // Caffeine's simulator, which runs the paper with integer p, as here.
  it.skipIf(!hasGli)('reproduces the published ARC row on gli exactly (cache-aside)', () => {
    expect(gliHitRatios('arc').map((ratio) => ratio.toFixed(2))).toEqual(['1.38', '1.38', '1.41', '21.30', '34.43', '50.44', '55.06', '57.41']);
  });
});
