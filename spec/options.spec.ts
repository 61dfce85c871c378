import { animationFrameScheduler, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { CacheOptions, Command } from 'macho';
import { Cache, DEFAULT_OPTIONS, resolveOptions } from 'macho';
import { advance } from './support/models.js';

type ErrorClass = typeof TypeError | typeof RangeError;

// Each bad option, the error class it must throw, and the option name the message must contain.
const BAD: ReadonlyArray<{ options: Record<string, unknown>; error: ErrorClass; names: string }> = [
  { options: { maxCacheSize: 0 }, error: RangeError, names: 'maxCacheSize' },
  { options: { maxCacheSize: -1 }, error: RangeError, names: 'maxCacheSize' },
  { options: { maxCacheSize: 1.5 }, error: RangeError, names: 'maxCacheSize' },
  { options: { maxCacheSize: NaN }, error: RangeError, names: 'maxCacheSize' },
  { options: { maxCacheSize: Infinity }, error: RangeError, names: 'maxCacheSize' },
  { options: { maxCacheSize: '10' }, error: TypeError, names: 'maxCacheSize' },
  { options: { maxCacheSize: null }, error: TypeError, names: 'maxCacheSize' },
  { options: { shardCount: 0 }, error: RangeError, names: 'shardCount' },
  { options: { shardCount: 2.5 }, error: RangeError, names: 'shardCount' },
  { options: { shardCount: NaN }, error: RangeError, names: 'shardCount' },
  { options: { maxCacheSize: 4, shardCount: 5 }, error: RangeError, names: 'shardCount' },
  { options: { shardCount: '2' }, error: TypeError, names: 'shardCount' },
  { options: { probability: 0 }, error: RangeError, names: 'probability' },
  { options: { probability: 1 }, error: RangeError, names: 'probability' },
  { options: { probability: -0.1 }, error: RangeError, names: 'probability' },
  { options: { probability: 2 }, error: RangeError, names: 'probability' },
  { options: { probability: NaN }, error: RangeError, names: 'probability' },
  { options: { bloom: true, probability: '0.1' }, error: TypeError, names: 'probability' },
  { options: { strategy: 'lfu2' }, error: RangeError, names: 'strategy' },
  { options: { strategy: 'LRU' }, error: RangeError, names: 'strategy' },
  { options: { strategy: 'toString' }, error: RangeError, names: 'strategy' },
  { options: { strategy: 42 }, error: TypeError, names: 'strategy' },
  { options: { strategy: null }, error: TypeError, names: 'strategy' },
  { options: { ttl: -1 }, error: RangeError, names: 'ttl' },
  { options: { ttl: -Infinity }, error: RangeError, names: 'ttl' },
  { options: { ttl: NaN }, error: RangeError, names: 'ttl' },
  { options: { ttl: '5' }, error: TypeError, names: 'ttl' },
  { options: { ttl: null }, error: TypeError, names: 'ttl' },
  { options: { bloom: 'yes' }, error: TypeError, names: 'bloom' },
  { options: { bloom: 1 }, error: TypeError, names: 'bloom' },
  { options: { bloom: null }, error: TypeError, names: 'bloom' },
  { options: { seed: 1.5 }, error: RangeError, names: 'seed' },
  { options: { seed: '1' }, error: TypeError, names: 'seed' },
  { options: { scheduler: {} }, error: TypeError, names: 'scheduler' },
  { options: { scheduler: { now: () => 0 } }, error: TypeError, names: 'scheduler' },
  { options: { scheduler: null }, error: TypeError, names: 'scheduler' },
  { options: { scheduler: { now: () => Number.NaN, schedule: () => ({ unsubscribe() {} }) } }, error: TypeError, names: 'scheduler' },
  { options: { scheduler: { now: () => '5', schedule: () => ({ unsubscribe() {} }) } }, error: TypeError, names: 'scheduler' },
  {
    options: {
      scheduler: {
        now: () => {
          throw new Error('no clock');
        },
        schedule: () => ({ unsubscribe() {} }),
      },
    },
    error: TypeError,
    names: 'scheduler',
  },
  { options: { latencySampleEvery: -1 }, error: RangeError, names: 'latencySampleEvery' },
  { options: { maxSize: 10 }, error: TypeError, names: 'maxSize' },
  { options: { max_cache_size: 10 }, error: TypeError, names: 'max_cache_size' },
  // Names on the prototype are read as options too, so they are checked as options.
  { options: Object.create({ maxSize: 10 }) as Record<string, unknown>, error: TypeError, names: 'maxSize' },
  // Shard i draws from seed + i: an inexact sum would give two shards one seed.
  { options: { seed: 2 ** 53 }, error: RangeError, names: 'seed' },
  { options: { seed: -(2 ** 53) }, error: RangeError, names: 'seed' },
  { options: { seed: Number.MAX_SAFE_INTEGER, shardCount: 2 }, error: RangeError, names: 'seed' },
  // `policy` is only ever what cache.options reports for the strategy.
  { options: { policy: () => ({}) }, error: RangeError, names: 'policy' },
];

const quote = (name: string) => new RegExp(`\\b${name}\\b`);

describe('options: validation at construction', () => {
  it.each(BAD)('$options throws a $error.name naming "$names"', ({ options, error, names }) => {
    let thrown: unknown;
    try {
      new Cache(options as CacheOptions);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(error);
    expect((thrown as Error).message).toMatch(quote(names));
  });

  it('names the options when they ask for a shard filter too large to build', () => {
    expect(() => new Cache({ maxCacheSize: 2 ** 30, bloom: true, probability: 1e-9 })).toThrow(RangeError);
    expect(() => new Cache({ maxCacheSize: 2 ** 30, bloom: true, probability: 1e-9 })).toThrow(
      /options "maxCacheSize" \(1073741824\), "shardCount" \(1\) and "probability" \(1e-9\) ask for a bloom filter too large/,
    );
  });

  it('refuses a scheduler that cannot schedule work here (animationFrameScheduler outside a browser)', () => {
    expect(() => new Cache({ scheduler: animationFrameScheduler })).toThrow(TypeError);
    expect(() => new Cache({ scheduler: animationFrameScheduler })).toThrow(/option "scheduler" cannot schedule work here/);
  });

  it('refuses options that are not an object', () => {
    expect(() => new Cache(5 as unknown as CacheOptions)).toThrow(TypeError);
    expect(() => new Cache(null as unknown as CacheOptions)).toThrow(TypeError);
    // An array's methods ("filter") must not be read as options.
    expect(() => new Cache([] as unknown as CacheOptions)).toThrow(/option "options" must be an object; got an array/);
  });

  it('accepts the boundaries of each range', () => {
    const scheduler = new VirtualTimeScheduler();
    const good: CacheOptions[] = [
      { maxCacheSize: 1 },
      { maxCacheSize: 5, shardCount: 5 },
      { probability: 0.000001, bloom: true },
      { probability: 0.999999, bloom: true },
      { ttl: 0 },
      { ttl: Infinity },
      { ttl: 0.5 },
      { seed: -7 },
      { seed: 0 },
      { strategy: 'fifo' },
      { strategy: 'random' },
      { latencySampleEvery: 0 },
      { maxCacheSize: undefined, ttl: undefined }, // an absent option takes its default
      { seed: Number.MAX_SAFE_INTEGER },
      { seed: Number.MAX_SAFE_INTEGER - 3, maxCacheSize: 4, shardCount: 4 },
      { seed: -Number.MAX_SAFE_INTEGER },
      // A filter kind kept while bloom is switched off (a config flag, DEFAULT_OPTIONS spread).
      { bloom: false, filter: 'cuckoo' },
      { bloom: false, filter: 'bloom' },
      { bloom: false, filter: 'cuckoo', probability: 1e-6 }, // the floor of a filter switched off is not checked
    ];
    for (const options of good) expect(() => new Cache({ scheduler, ...options }).dispose()).not.toThrow();
  });
});

describe('options: taken back', () => {
  it('cache.options builds an identical cache, and replays its log', () => {
    const scheduler = new VirtualTimeScheduler();
    const options: CacheOptions<string> = { maxCacheSize: 6, shardCount: 2, strategy: 'random', seed: 9, bloom: true, filter: 'cuckoo', ttl: 50, scheduler };
    const original = new Cache<string, number>(options);
    const log: Command<string, number>[] = [];
    original.commands$.subscribe((command) => log.push(command));
    for (let i = 0; i < 20; i++) original.set(`k${i % 9}`, i);
    advance(scheduler, 60);
    for (let i = 0; i < 12; i++) original.set(`k${i}`, i);

    const copy = new Cache<string, number>(original.options);
    expect(copy.options).toEqual(original.options);
    const replayed = Cache.replay(log, original.options);
    expect(replayed.snapshot().entries).toEqual(original.snapshot().entries);
    for (const cache of [original, copy, replayed]) cache.dispose();
  });

  it('accepts DEFAULT_OPTIONS spread, and resolved options resolved again', () => {
    const cache = new Cache({ ...DEFAULT_OPTIONS, maxCacheSize: 500, scheduler: new VirtualTimeScheduler() });
    expect(cache.options.maxCacheSize).toBe(500);
    expect(resolveOptions(resolveOptions({ maxCacheSize: 7 }))).toEqual(resolveOptions({ maxCacheSize: 7 }));
    cache.dispose();
  });

  it('refuses a policy that is not what the strategy resolves to', () => {
    const lru = new Cache({ scheduler: new VirtualTimeScheduler() });
    expect(() => new Cache({ strategy: 'fifo', policy: lru.options.policy })).toThrow(
      /^macho: option "policy" must be left out, or be the factory that "strategy" resolves to .*got a function \(/,
    );
    lru.dispose();
  });
});

describe('options: defaults', () => {
  it('match the design: maxCacheSize 100, ttl 600000, shardCount 1, strategy lru, bloom false', () => {
    const cache = new Cache();
    try {
      expect(cache.options).toMatchObject({
        maxCacheSize: 100,
        ttl: 600_000,
        shardCount: 1,
        strategy: 'lru',
        bloom: false,
      });
      expect(cache.metrics().maxSize).toBe(100);
      expect(cache.metrics().shards).toHaveLength(1);
    } finally {
      cache.dispose();
    }
  });

  it('behave as documented: 100 entries, least recently used evicted, ten-minute TTL', () => {
    const scheduler = new VirtualTimeScheduler();
    const cache = new Cache<number, number>({ scheduler });
    const evicted: number[] = [];
    cache.on('evict').subscribe((e) => evicted.push(e.key));
    for (let i = 0; i < 100; i++) cache.set(i, i);
    cache.get(0); // recency: 1 is now the least recent
    cache.set(100, 100);
    expect(cache.size).toBe(100);
    expect(evicted).toEqual([1]);
    advance(scheduler, 599_999);
    expect(cache.has(0)).toBe(true);
    advance(scheduler, 1);
    expect(cache.has(0)).toBe(false);
    expect(cache.size).toBe(0);
  });
});

describe('options: per-entry ttl', () => {
  it.each([
    { ttl: -1, error: RangeError },
    { ttl: NaN, error: RangeError },
    { ttl: '5', error: TypeError },
  ])('set(k, v, { ttl: $ttl }) throws a $error.name naming ttl and changes nothing', ({ ttl, error }) => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: new VirtualTimeScheduler() });
    const log: Command[] = [];
    cache.commands$.subscribe((c) => log.push(c));
    cache.set('a', 1);
    const before = cache.snapshot();
    const sets = cache.metrics().sets;

    let thrown: unknown;
    try {
      cache.set('a', 2, { ttl: ttl as number });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(error);
    expect((thrown as Error).message).toMatch(quote('ttl'));
    expect(() => cache.set('b', 3, { ttl: ttl as number })).toThrow(error);

    expect(cache.snapshot()).toBe(before);
    expect(cache.get('a')).toBe(1);
    expect(cache.has('b')).toBe(false);
    expect(cache.metrics().sets).toBe(sets);
    expect(log.map((c) => c.type)).toEqual(['set', 'get']); // the refused writes are not in the log
  });

  it.each([
    { options: { tll: 5_000 }, message: /unknown option "tll"; known options are ttl/ },
    { options: 5_000, message: /options must be an object; got 5000/ },
    { options: null, message: /options must be an object; got null/ },
  ])('set(k, v, $options) throws a TypeError instead of using the default ttl', ({ options, message }) => {
    const cache = new Cache<string, number>({ ttl: 0, scheduler: new VirtualTimeScheduler() });
    expect(() => cache.set('a', 1, options as never)).toThrow(TypeError);
    expect(() => cache.set('a', 1, options as never)).toThrow(message);
    expect(cache.has('a')).toBe(false);
    // No options, empty ones, or an explicit undefined ttl: the default.
    cache.set('a', 1).set('b', 2, {}).set('c', 3, { ttl: undefined });
    expect(cache.size).toBe(3);
  });
});
