import fc from 'fast-check';
import type { SchedulerAction, Subscription } from 'rxjs';
import { VirtualTimeScheduler, asyncScheduler, config as rxConfig } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { CacheOptions, PolicyFactory } from 'macho';
import { lruPolicy, PolicyContractError } from 'macho';
import { applyOperation, cacheCommands, cacheOperations, createVirtualCache, runCacheCommands, VirtualTimeError } from 'macho/testing';
import { delegatingPolicy } from '../support/delegatingPolicy.js';

describe('createVirtualCache', () => {
  it('starts at time 0 on a new VirtualTimeScheduler and passes the options on', () => {
    const virtual = createVirtualCache<string, number>({ maxCacheSize: 7, ttl: 100 });
    expect(virtual.now()).toBe(0);
    expect(virtual.scheduler).toBeInstanceOf(VirtualTimeScheduler);
    expect(virtual.cache.options.scheduler).toBe(virtual.scheduler);
    expect(virtual.cache.options.maxCacheSize).toBe(7);
    expect(virtual.cache.options.ttl).toBe(100);
    virtual.dispose();
  });

  it('moves time with advance and advanceTo, returning the new time', () => {
    const virtual = createVirtualCache();
    expect(virtual.advance(10)).toBe(10);
    expect(virtual.advance(0)).toBe(10);
    expect(virtual.advanceTo(25)).toBe(25);
    expect(virtual.now()).toBe(25);
    expect(virtual.scheduler.now()).toBe(25);
    virtual.dispose();
  });

  it('fires the expiry timer exactly at the TTL, with no read needed', () => {
    const { cache, advance, dispose } = createVirtualCache<string, number>({ ttl: 100 });
    const expired: Array<{ key: string; at: number }> = [];
    cache.on('expire').subscribe((e) => expired.push({ key: e.key, at: e.at }));
    cache.set('a', 1);
    advance(99);
    expect(expired).toEqual([]);
    expect(cache.peek('a')).toBe(1);
    advance(1);
    expect(expired).toEqual([{ key: 'a', at: 100 }]);
    expect(cache.get('a')).toBeUndefined();
    dispose();
  });

  it('runs every timer due on the way, each at its own time, and stops at the target', () => {
    const { cache, advanceTo, now, scheduler, dispose } = createVirtualCache<string, number>({ ttl: 0 });
    const expired: Array<[string, number]> = [];
    cache.on('expire').subscribe((e) => expired.push([e.key, e.at]));
    cache.set('a', 1, { ttl: 100 }).set('b', 2, { ttl: 200 }).set('c', 3, { ttl: 300 });
    advanceTo(250);
    expect(expired).toEqual([
      ['a', 100],
      ['b', 200],
    ]);
    expect(now()).toBe(250);
    expect(scheduler.frame).toBe(250);
    expect(cache.has('c')).toBe(true);
    advanceTo(300);
    expect(expired).toContainEqual(['c', 300]);
    dispose();
  });

  it('never runs a timer past the target and restores maxFrames', () => {
    const { cache, advance, scheduler, dispose } = createVirtualCache<string, number>({ ttl: 1_000 });
    let late = false;
    scheduler.schedule(() => {
      late = true;
    }, 600);
    cache.set('a', 1);
    advance(500);
    expect(late).toBe(false);
    expect(scheduler.frame).toBe(500);
    expect(scheduler.maxFrames).toBe(Infinity);
    expect(scheduler.actions.length).toBe(2); // our action at 600 and the cache's expiry at 1000
    expect(cache.peek('a')).toBe(1);
    advance(100);
    expect(late).toBe(true);
    dispose();
  });

  it('runs an action scheduled exactly at the target', () => {
    const virtual = createVirtualCache();
    let ran = 0;
    virtual.scheduler.schedule(() => ran++, 50);
    virtual.advance(50);
    expect(ran).toBe(1);
    virtual.dispose();
  });

  it('reaches a far expiry (beyond a 32-bit timer delay) in hops', () => {
    const { cache, advance, dispose } = createVirtualCache<string, number>({ ttl: 2 ** 32 });
    cache.set('a', 1);
    advance(2 ** 32 - 1);
    expect(cache.peek('a')).toBe(1);
    advance(1);
    expect(cache.metrics().expirations).toBe(1);
    dispose();
  });

  it('refuses to move time backwards or by a non-finite amount', () => {
    const virtual = createVirtualCache();
    virtual.advance(100);
    expect(() => virtual.advanceTo(99)).toThrow(RangeError);
    expect(() => virtual.advance(-1)).toThrow(RangeError);
    expect(() => virtual.advance(Number.NaN)).toThrow(RangeError);
    expect(() => virtual.advance(Infinity)).toThrow(RangeError);
    expect(() => virtual.advanceTo(Number.NaN)).toThrow(RangeError);
    expect(virtual.now()).toBe(100);
    virtual.dispose();
  });

  it('refuses to advance from inside a timer (a re-entrant flush)', () => {
    const { cache, advance, now, dispose } = createVirtualCache<string, number>({ ttl: 10 });
    const errors: unknown[] = [];
    cache.on('expire').subscribe(() => {
      try {
        advance(5);
      } catch (error) {
        errors.push(error);
      }
    });
    cache.set('a', 1);
    advance(20);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/from inside a timer/);
    expect(now()).toBe(20);
    dispose();
  });

  it('ends at the target even when a scheduled action throws', () => {
    const virtual = createVirtualCache();
    virtual.scheduler.schedule(() => {
      throw new Error('boom');
    }, 5);
    expect(() => virtual.advance(10)).toThrow('boom');
    expect(virtual.now()).toBe(10);
    expect(virtual.scheduler.maxFrames).toBe(Infinity);
    virtual.dispose();
  });

  it('after an advance that a throwing action cut short, later advances drive expiry again', () => {
    const scheduler = new VirtualTimeScheduler();
    const virtual = createVirtualCache<string, number>({ ttl: 10, scheduler });
    const expired: string[] = [];
    virtual.cache.on('expire').subscribe((event) => expired.push(event.key));
    virtual.cache.set('a', 1);
    scheduler.schedule(() => {
      throw new Error('user action');
    }, 5);
    expect(() => virtual.advance(20)).toThrow('user action'); // flush() dropped the cache's timer too
    virtual.advance(0);
    expect(expired).toEqual(['a']); // skipped by the failed advance, run by the next one
    virtual.cache.set('b', 2); // due at 30
    virtual.advance(100);
    expect(expired).toEqual(['a', 'b']);
    virtual.dispose();
  });

  it('after such an advance on a shared scheduler, every cache made on it expires on time again', () => {
    const scheduler = new VirtualTimeScheduler();
    const one = createVirtualCache<string, number>({ ttl: 100, scheduler });
    const two = createVirtualCache<string, number>({ ttl: 100, scheduler });
    const expired: string[] = [];
    one.cache.on('expire').subscribe((event) => expired.push(`one:${event.key}`));
    two.cache.on('expire').subscribe((event) => expired.push(`two:${event.key}`));
    one.cache.set('a', 1);
    two.cache.set('b', 2);
    scheduler.schedule(() => {
      throw new Error('user action');
    }, 10);
    expect(() => one.advance(50)).toThrow('user action');
    two.advance(100);
    expect(expired).toEqual(['one:a', 'two:b']);
    one.dispose();
    two.dispose();
  });

  it('shares a given VirtualTimeScheduler between caches', () => {
    const scheduler = new VirtualTimeScheduler();
    const one = createVirtualCache<string, number>({ scheduler, ttl: 10 });
    const two = createVirtualCache<string, number>({ scheduler, ttl: 10 });
    one.cache.set('a', 1);
    two.cache.set('a', 2);
    one.advance(10);
    expect(two.now()).toBe(10);
    expect(one.cache.metrics().expirations).toBe(1);
    expect(two.cache.metrics().expirations).toBe(1);
    one.dispose();
    two.dispose();
  });

  it('rejects a scheduler that is not virtual, and bad cache options', () => {
    const options = { scheduler: asyncScheduler } as unknown as CacheOptions;
    expect(() => createVirtualCache(options as never)).toThrow(TypeError);
    expect(() => createVirtualCache({ maxCacheSize: 0 })).toThrow(RangeError);
  });

  it('dispose disposes of the cache, once', () => {
    const virtual = createVirtualCache<string, number>({ ttl: 10 });
    virtual.cache.set('a', 1);
    virtual.dispose();
    virtual.dispose();
    expect(virtual.cache.disposed).toBe(true);
    expect(() => virtual.advance(100)).not.toThrow(); // the cancelled timer does not fire
  });
});

// LRU, except that onRemove throws while `armed()` says so: during a timer-driven
// expiry the cache has no caller to throw to, and reports the error instead.
function throwingOnRemove(armed: () => boolean = () => true): PolicyFactory {
  return delegatingPolicy(
    'throwsOnRemove',
    lruPolicy,
    (hook) => {
      if (hook === 'onRemove' && armed()) throw new Error('onRemove bug');
    },
    'after',
  );
}

// A virtual scheduler whose schedule() throws while `failing` is set.
class FlakyScheduler extends VirtualTimeScheduler {
  failing = false;
  override schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    if (this.failing) throw new Error('cannot schedule now');
    return super.schedule(work, delay, state);
  }
}

describe('createVirtualCache: a failing schedule() of the expiry timer', () => {
  it('when the timer re-arms itself, is collected by advance, also when advance runs inside a subscriber', () => {
    const scheduler = new FlakyScheduler();
    const { cache, advance } = createVirtualCache<string, number>({ ttl: 0, scheduler });
    cache.set('a', 1, { ttl: 10 }).set('b', 2, { ttl: 50 });
    scheduler.schedule(() => void (scheduler.failing = true), 5);
    let thrown: unknown;
    cache.on('set').subscribe(({ key }) => {
      if (key !== 'go') return;
      try {
        advance(20); // 'a' expires at 10; re-arming for 'b' fails
      } catch (error) {
        thrown = error;
      }
    });
    cache.set('go', 0);
    expect(thrown).toBeInstanceOf(VirtualTimeError);
    expect(String((thrown as VirtualTimeError).cause)).toMatch(/cannot schedule now/);
  });

  it('when the timer is re-armed after a flush cut short, is reported at once, not at the next touch', () => {
    const scheduler = new FlakyScheduler();
    const { cache, advance } = createVirtualCache<string, number>({ ttl: 0, scheduler });
    cache.set('a', 1, { ttl: 100 });
    scheduler.schedule(() => {
      scheduler.failing = true;
      throw new Error('boom');
    }, 10);
    const reported: unknown[] = [];
    const previous = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = (error) => reported.push(error);
    try {
      expect(() => advance(20)).toThrow('boom');
      expect(reported.map(String)).toEqual(['Error: cannot schedule now']);
    } finally {
      rxConfig.onUnhandledError = previous;
    }
  });
});

describe('createVirtualCache: errors reported while timers run', () => {
  it('throws them from advance, as a VirtualTimeError with the first as cause, after every due timer ran', () => {
    const { cache, advance, now, dispose } = createVirtualCache<string, number>({ ttl: 10, strategy: throwingOnRemove() });
    cache.set('a', 1).set('b', 2, { ttl: 20 });
    let thrown: unknown;
    try {
      advance(30);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(VirtualTimeError);
    const error = thrown as VirtualTimeError;
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.name).toBe('VirtualTimeError');
    expect(error.errors).toHaveLength(2); // one per timer-driven expiry (at 10 and at 20)
    expect(error.cause).toBe(error.errors[0]);
    expect(error.cause).toBeInstanceOf(PolicyContractError);
    expect((error.cause as Error).cause).toEqual(new Error('onRemove bug'));
    expect(error.message).toMatch(
      /^macho\/testing: 2 errors were reported while the timers due from 0 to 30 ms \(virtual time\) ran: PolicyContractError: .*onRemove bug/,
    );
    expect([error.from, error.to]).toEqual([0, 30]);
    // The clock is at the target, and both entries expired all the same.
    expect(now()).toBe(30);
    expect(cache.size).toBe(0);
    expect(cache.metrics().expirations).toBe(2);
    dispose();
  });

  it('restores config.onUnhandledError, whether the advance throws or not, and leaves errors outside advances alone', () => {
    const mine = (): void => {};
    const previous = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = mine;
    try {
      let armed = false;
      const { cache, advance, dispose } = createVirtualCache<string, number>({ ttl: 10, strategy: throwingOnRemove(() => armed) });
      cache.set('a', 1);
      advance(10); // expires quietly
      expect(rxConfig.onUnhandledError).toBe(mine);
      armed = true;
      cache.set('b', 1);
      expect(() => advance(10)).toThrow(VirtualTimeError);
      expect(rxConfig.onUnhandledError).toBe(mine);
      expect(() => advance(10)).not.toThrow(); // nothing left to report
      dispose();
    } finally {
      rxConfig.onUnhandledError = previous;
    }
  });

  it('lets an error thrown by a timer of yours go up unchanged, and hands what was reported before it on as usual', () => {
    const reported: unknown[] = [];
    const hook = (error: unknown): void => {
      reported.push(error);
    };
    const previous = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = hook;
    try {
      const { cache, scheduler, advance, now, dispose } = createVirtualCache<string, number>({
        ttl: 10,
        strategy: throwingOnRemove(),
      });
      cache.set('a', 1);
      const mine = new Error('my timer failed');
      scheduler.schedule(() => {
        throw mine;
      }, 15);
      expect(() => advance(20)).toThrow(mine);
      expect(now()).toBe(20);
      expect(reported).toHaveLength(1); // the expiry at 10, reported where it would have gone
      expect(reported[0]).toBeInstanceOf(PolicyContractError);
      expect(rxConfig.onUnhandledError).toBe(hook);
      dispose();
    } finally {
      rxConfig.onUnhandledError = previous;
    }
  });

  it('makes a property over such a policy fail and shrink to a write and the advance that expires it', () => {
    const result = fc.check(
      fc.property(cacheOperations(['a', 'b', 'c'], fc.nat(9), { weights: { delete: 0, clear: 0 }, maxLength: 30 }), (ops) => {
        const virtual = createVirtualCache<string, number>({ maxCacheSize: 10, ttl: 100, strategy: throwingOnRemove() });
        try {
          for (const op of ops) applyOperation(virtual, op);
        } finally {
          virtual.dispose();
        }
      }),
      { numRuns: 200, seed: 42 },
    );
    expect(result.failed).toBe(true);
    expect(result.errorInstance).toBeInstanceOf(VirtualTimeError);
    const [ops] = result.counterexample!;
    expect(ops.map((op) => op.type)).toEqual(['set', 'advance']);
    expect(ops[1]).toEqual({ type: 'advance', ms: 100 });
  });

  it('makes runCacheCommands fail too', () => {
    const result = fc.check(
      fc.property(fc.commands(cacheCommands(['a', 'b', 'c'], fc.nat(9), { weights: { delete: 0, clear: 0 } })), (commands) => {
        runCacheCommands(commands, { maxCacheSize: 10, ttl: 100, strategy: throwingOnRemove() });
      }),
      { numRuns: 200, seed: 42 },
    );
    expect(result.failed).toBe(true);
    expect(result.errorInstance).toBeInstanceOf(VirtualTimeError);
  });
});
