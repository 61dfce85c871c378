import { nothing, setAutoFreeze } from 'immer';
import { describe, expect, it } from 'vitest';
import type { CacheEvent, Command } from 'macho';
import { Cache, CacheDisposedError } from 'macho';
import { advance, virtualClock } from '../fixtures/virtualTime.js';

interface User {
  name: string;
  visits: number;
  tags: string[];
}

function setup(options: { ttl?: number } = {}) {
  const scheduler = virtualClock();
  const cache = new Cache<string, User>({ ttl: options.ttl ?? 0, scheduler });
  const events: CacheEvent<string, User>[] = [];
  const log: Command<string, User>[] = [];
  cache.events$.subscribe((event) => events.push(event));
  cache.commands$.subscribe((command) => log.push(command));
  return { scheduler, cache, events, log };
}

describe('lifecycle: update(key, recipe)', () => {
  it('applies an immer recipe; the result is new, frozen and stored; the old value is untouched', () => {
    const { cache, events } = setup();
    const original: User = { name: 'ada', visits: 1, tags: ['a'] };
    cache.set('u', original);
    const next = cache.update('u', (draft) => {
      draft.visits += 1;
      draft.tags.push('b');
    });
    expect(next).toEqual({ name: 'ada', visits: 2, tags: ['a', 'b'] });
    expect(next).not.toBe(original);
    expect(Object.isFrozen(next)).toBe(true);
    expect(Object.isFrozen(next!.tags)).toBe(true);
    expect(original).toEqual({ name: 'ada', visits: 1, tags: ['a'] });
    expect(cache.get('u')).toBe(next);
    expect(events.at(-2)).toMatchObject({ type: 'set', key: 'u', value: next, replaced: true });
    expect(cache.metrics()).toMatchObject({ sets: 2, size: 1 });
  });

  it('accepts a replacement value returned by the recipe, and works on primitive values', () => {
    const scheduler = virtualClock();
    const counters = new Cache<string, number>({ scheduler });
    counters.set('n', 1);
    expect(counters.update('n', (n) => n + 1)).toBe(2);
    expect(counters.get('n')).toBe(2);

    const { cache } = setup();
    cache.set('u', { name: 'ada', visits: 1, tags: [] });
    expect(cache.update('u', () => ({ name: 'bob', visits: 0, tags: [] }))).toEqual({ name: 'bob', visits: 0, tags: [] });
    expect(cache.peek('u')?.name).toBe('bob');
  });

  it('keeps the entry expiry', () => {
    const { scheduler, cache } = setup({ ttl: 100 });
    cache.set('u', { name: 'ada', visits: 0, tags: [] }); // expires at 100
    advance(scheduler, 60);
    cache.update('u', (draft) => void (draft.visits += 1));
    expect(cache.snapshot().entries).toEqual([
      { key: 'u', value: { name: 'ada', visits: 1, tags: [] }, shard: 0, expiresAt: 100 },
    ]);
    advance(scheduler, 39);
    expect(cache.peek('u')?.visits).toBe(1);
    advance(scheduler, 1);
    expect(cache.has('u')).toBe(false);
    expect(cache.metrics().expirations).toBe(1);
  });

  it('does nothing on a missing or expired key, and does not call the recipe', () => {
    const { scheduler, cache, events, log } = setup({ ttl: 10 });
    let calls = 0;
    const recipe = (draft: User): void => {
      calls++;
      draft.visits += 1;
    };
    expect(cache.update('missing', recipe)).toBeUndefined();
    cache.set('u', { name: 'ada', visits: 0, tags: [] });
    advance(scheduler, 10); // the timer expires it
    events.length = 0;
    log.length = 0;
    expect(cache.update('u', recipe)).toBeUndefined();
    expect(calls).toBe(0);
    expect(cache.has('u')).toBe(false);
    expect(events).toEqual([]);
    expect(log).toEqual([]);
    expect(cache.metrics().sets).toBe(1);
  });

  it('a recipe that changes nothing is not a write', () => {
    const { cache, events, log } = setup();
    const user: User = { name: 'ada', visits: 3, tags: ['x'] };
    cache.set('u', user);
    const snapshot = cache.snapshot();
    events.length = 0;
    log.length = 0;
    expect(cache.update('u', () => {})).toBe(user);
    expect(
      cache.update('u', (draft) => {
        draft.visits = 3;
        draft.name = 'ada';
      }),
    ).toBe(user);
    expect(cache.update('u', (draft) => draft)).toBe(user);
    expect(events).toEqual([]);
    expect(log).toEqual([]);
    expect(cache.metrics().sets).toBe(1);
    expect(cache.snapshot()).toBe(snapshot);
    // Nor does it touch the caller's object: it stays as mutable as it was stored.
    expect(Object.isFrozen(user)).toBe(false);
    expect(Object.isFrozen(user.tags)).toBe(false);
  });

  it('a recipe that changes nothing but writes or deletes the key itself returns what it left', () => {
    const { cache } = setup();
    const ada: User = { name: 'ada', visits: 0, tags: [] };
    cache.set('u', ada);
    expect(
      cache.update('u', () => {
        cache.delete('u');
      }),
    ).toBeUndefined();
    expect(cache.has('u')).toBe(false);
    const grace: User = { name: 'grace', visits: 9, tags: [] };
    cache.set('u', ada);
    expect(
      cache.update('u', () => {
        cache.set('u', grace);
      }),
    ).toBe(grace);
    expect(cache.peek('u')).toBe(grace);
  });

  it('a recipe that changes its draft and also writes or deletes the key itself: its own write, the newer, stays', () => {
    const { cache, log } = setup();
    const ada: User = { name: 'ada', visits: 0, tags: [] };
    const grace: User = { name: 'grace', visits: 9, tags: [] };
    cache.set('u', ada);
    log.length = 0;
    expect(
      cache.update('u', (draft) => {
        cache.set('u', grace);
        draft.visits = 2;
      }),
    ).toBe(grace);
    expect(cache.peek('u')).toBe(grace);
    expect(log.map((command) => command.type)).toEqual(['set']); // no update over it
    expect(
      cache.update('u', (draft) => {
        cache.delete('u');
        draft.visits = 3;
      }),
    ).toBeUndefined();
    expect(cache.has('u')).toBe(false);
  });

  it('a recipe that deletes its key and stores the same object again: that write stays too', () => {
    const { cache, events } = setup({ ttl: 100 });
    const user: User = { name: 'ada', visits: 3, tags: [] };
    cache.set('u', user);
    events.length = 0;
    const result = cache.update('u', (draft) => {
      draft.visits = 99;
      cache.delete('u');
      cache.set('u', user, { ttl: 0 }); // the same object, now never expiring
    });
    expect(result).toBe(user);
    expect(cache.peek('u')).toBe(user);
    expect(cache.snapshot().entries).toEqual([{ key: 'u', value: user, shard: 0 }]);
    expect(events.map((e) => e.type)).toEqual(['delete', 'set']);
    // Another key's write changes nothing for the recipe's own.
    const next = cache.update('u', (draft) => {
      draft.visits = 4;
      cache.set('other', { name: 'x', visits: 0, tags: [] });
    });
    expect(next).toMatchObject({ visits: 4 });
  });

  it('a no-change recipe during which the entry came due: the expiry is delivered first, and a dispose there is an update error', () => {
    const { scheduler, cache } = setup({ ttl: 50 });
    cache.set('u', { name: 'ada', visits: 0, tags: [] });
    cache.on('expire').subscribe(() => cache.dispose());
    // The clock moves past the TTL without running the timer (as during a long recipe).
    expect(() =>
      cache.update('u', () => {
        scheduler.frame = 60;
      }),
    ).toThrow(new CacheDisposedError('update'));
    expect(cache.disposed).toBe(true);
  });

  it("an entry that came due during the recipe, stored again by an 'expire' handler: that write stays", () => {
    const { scheduler, cache, events } = setup({ ttl: 50 });
    const user: User = { name: 'ada', visits: 0, tags: [] };
    cache.set('u', user);
    cache.on('expire').subscribe(({ key, value }) => cache.set(key, value, { ttl: 0 }));
    events.length = 0;
    const result = cache.update('u', (draft) => {
      draft.visits = 5;
      scheduler.frame = 60; // past the TTL, the timer not run (as during a long recipe)
    });
    expect(result).toBe(user);
    expect(cache.peek('u')).toBe(user);
    expect(events.map((e) => e.type)).toEqual(['expire', 'set']);
  });

  it('freezes the parts the new value shares with the old one (structural sharing), as documented', () => {
    const cache = new Cache<string, { n: number; nested: { b: number } }>({ ttl: 0 });
    const mine = { n: 1, nested: { b: 1 } };
    cache.set('k', mine);
    const next = cache.update('k', (draft) => void (draft.n += 1))!;
    expect(next.nested).toBe(mine.nested); // shared, not copied
    expect(Object.isFrozen(next.nested)).toBe(true);
    expect(Object.isFrozen(mine)).toBe(false); // the old root is not part of the new value
  });

  it("freezes its values whatever the application set on immer's own instance", () => {
    const { cache } = setup();
    cache.set('u', { name: 'ada', visits: 0, tags: [] });
    setAutoFreeze(false);
    try {
      const next = cache.update('u', (draft) => {
        draft.visits += 1;
      })!;
      expect(Object.isFrozen(next)).toBe(true);
      expect(Object.isFrozen(next.tags)).toBe(true);
    } finally {
      setAutoFreeze(true);
    }
    // …and the other way round: the app's autoFreeze does not freeze what a no-op touches.
    const user: User = { name: 'bob', visits: 0, tags: [] };
    cache.set('v', user);
    cache.update('v', () => {});
    expect(Object.isFrozen(user)).toBe(false);
  });

  it('is logged as an update command that replays to the same state', () => {
    const { scheduler, cache, log } = setup({ ttl: 50 });
    cache.set('u', { name: 'ada', visits: 0, tags: [] });
    advance(scheduler, 5);
    cache.update('u', (draft) => void draft.tags.push('t'));
    expect(log.map((command) => command.type)).toEqual(['set', 'update']);
    const replayed = Cache.replay(log, { ttl: 50, scheduler: virtualClock() });
    expect(replayed.snapshot()).toEqual(cache.snapshot());
  });

  it('deletes the entry when the recipe returns immer nothing, as set(key, undefined) does', () => {
    const { cache, events } = setup();
    cache.set('u', { name: 'ada', visits: 0, tags: [] });
    expect(cache.update('u', () => nothing as unknown as User)).toBeUndefined();
    expect(cache.has('u')).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'delete', key: 'u' });
  });

  it('drafts Map and Set values: a new frozen Map or Set is stored, the old one untouched', () => {
    const cache = new Cache<string, Map<string, number> | Set<string>>({ ttl: 0 });
    const before = new Map([['a', 1]]);
    cache.set('m', before);
    const after = cache.update('m', (draft) => void (draft as Map<string, number>).set('b', 2));
    expect([...(after as Map<string, number>)]).toEqual([['a', 1], ['b', 2]]);
    expect(cache.get('m')).toBe(after);
    expect([...before]).toEqual([['a', 1]]);
    expect(() => (after as Map<string, number>).set('c', 3)).toThrow();
    cache.set('s', new Set(['x']));
    cache.update('s', (draft) => void (draft as Set<string>).add('y'));
    expect([...(cache.get('s') as Set<string>)]).toEqual(['x', 'y']);
  });

  it.each([
    ['a Date', () => new Date(0), /a Date/],
    ['a class instance', () => new (class Money { cents = 1 })(), /an instance of Money/],
  ])('refuses %s (immer cannot draft it) with a TypeError naming the key, before calling the recipe', (_, make, kind) => {
    const { cache, events } = setup();
    const value = make() as unknown as User;
    cache.set('v', value);
    const count = events.length;
    let called = false;
    expect(() => cache.update('v', () => void (called = true))).toThrow(TypeError);
    expect(() => cache.update('v', () => {})).toThrow(kind);
    expect(() => cache.update('v', () => {})).toThrow(/macho: update\(\) cannot draft the value of "v"/);
    expect(called).toBe(false);
    expect(cache.get('v')).toBe(value);
    expect(events.slice(count).map((e) => e.type)).toEqual(['hit']);
  });

  it('refuses an async recipe with a TypeError: nothing is stored, and its promise cannot end the process', async () => {
    const { cache, events } = setup();
    cache.set('u', { name: 'u', visits: 1, tags: [] });
    const before = cache.peek('u');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const asyncRecipe = async (draft: User): Promise<void> => {
        await null;
        draft.visits = 2;
      };
      expect(() => cache.update('u', asyncRecipe as never)).toThrow(TypeError);
      expect(() => cache.update('u', asyncRecipe as never)).toThrow(/^macho: update\(\) of "u": the recipe returned a promise/);
      // Changing the draft before the first await makes immer refuse the result at once.
      const early = async (draft: User): Promise<void> => {
        draft.visits = 5;
        await null;
        draft.name = 'late';
      };
      const rejecting = (draft: User): Promise<void> => {
        draft.visits = 6;
        return Promise.reject(new Error('refused'));
      };
      for (const recipe of [early, rejecting]) expect(() => cache.update('u', recipe as never)).toThrow(/the recipe returned a promise/);
      await new Promise((resolve) => setTimeout(resolve, 5));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(cache.peek('u')).toBe(before);
    expect(before).toEqual({ name: 'u', visits: 1, tags: [] });
    expect(events.filter((e) => e.type === 'set')).toHaveLength(1);
  });

  it('a value of yours with a then() is no promise: a synchronous recipe updates it, and a returned one is stored', () => {
    const cache = new Cache<string, unknown>({ ttl: 0, scheduler: virtualClock() });
    cache.set('j', { n: 1, then() {} });
    expect(cache.update('j', (draft) => void ((draft as { n: number }).n = 2))).toMatchObject({ n: 2 });
    cache.set('k', 1);
    const thenable = { then(resolve: (n: number) => void) { resolve(5); } };
    expect(cache.update('k', () => thenable)).toBe(thenable);
    cache.dispose();
  });

  it("turns immer's refusal (a recipe that changes its draft and returns a value) into a TypeError naming the key", () => {
    const { cache } = setup();
    cache.set('u', { name: 'u', visits: 1, tags: [] });
    const both = (draft: User): User => {
      draft.visits = 9;
      return { name: 'v', visits: 0, tags: [] };
    };
    expect(() => cache.update('u', both)).toThrow(TypeError);
    expect(() => cache.update('u', both)).toThrow(/^macho: update\(\) of "u": \[Immer\]/);
    expect(cache.peek('u')).toEqual({ name: 'u', visits: 1, tags: [] });
  });
});
