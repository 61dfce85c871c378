/**
 * The peers Macho is measured against, each configured the way its documentation
 * recommends for a plain in-process cache, with its own eviction hook where it has one.
 *
 * @module
 */

import { TTLCache } from '@isaacs/ttlcache';
import { LRUCache } from 'lru-cache';
import { createLRU } from 'lru.min';
import { LRUCache as MnemonistLRUCache, LRUMap as MnemonistLRUMap } from 'mnemonist';
import NodeCache from 'node-cache';
import QuickLRU from 'quick-lru';
import { LRU as TinyLRU } from 'tiny-lru';
import type { CreateSetup, Implementation, Instance, Store } from './adapter.js';
import { NOTHING_TO_CLOSE } from './adapter.js';

// @isaacs/ttlcache needs a TTL on every entry: with `ttl: Infinity` its capacity purge
// finds nothing to evict (immortal keys are kept apart) and `set` loops forever. This
// stands for "never" in workloads without TTL: 2^31 - 1 ms, about 25 days.
const TTLCACHE_NEVER = 2 ** 31 - 1;

type AnyKey = NonNullable<unknown>;

function instance(store: unknown, close: () => void = NOTHING_TO_CLOSE): Instance {
  return { store: store as Store, close };
}

// mnemonist's LRUCache has no eviction callback: its users call `setpop` and look at
// what comes back. Subclassing keeps `get` the library's own method.
class MnemonistWithHook<K, V> extends MnemonistLRUCache<K, V> {
  readonly #onEvict: (key: unknown, value: unknown) => void;

  constructor(capacity: number, onEvict: (key: unknown, value: unknown) => void) {
    super(capacity);
    this.#onEvict = onEvict;
  }

  override set(key: K, value: V): this {
    const popped = this.setpop(key, value);
    if (popped !== null && popped.evicted) this.#onEvict(popped.key, popped.value);
    return this;
  }
}

function lruCache(listener: boolean): Implementation {
  return {
    name: listener ? 'lru-cache +dispose' : 'lru-cache',
    family: 'peer',
    ttl: true,
    bounded: true,
    objectKeys: true,
    listener,
    memory: !listener,
    latency: !listener,
    note: listener
      ? "`new LRUCache({ max, dispose })`, dispose counting reason 'evict'"
      : '`new LRUCache({ max })` (+ `ttl` in TTL workloads): the baseline, 1.00×',
    create({ capacity, ttl, onEvict }: CreateSetup): Instance {
      const options: LRUCache.Options<AnyKey, AnyKey, unknown> = { max: capacity };
      if (ttl > 0) options.ttl = ttl;
      if (listener)
        options.dispose = (value, key, reason) => {
          if (reason === 'evict') onEvict(key, value);
        };
      return instance(new LRUCache<AnyKey, AnyKey>(options));
    },
  };
}

function lruMin(listener: boolean): Implementation {
  return {
    name: listener ? 'lru.min +onEviction' : 'lru.min',
    family: 'peer',
    ttl: false,
    bounded: true,
    objectKeys: true,
    listener,
    memory: !listener,
    latency: !listener,
    note: '`createLRU({ max' + (listener ? ', onEviction })`' : ' })`'),
    create({ capacity, onEvict }: CreateSetup): Instance {
      return instance(createLRU<unknown, unknown>(listener ? { max: capacity, onEviction: onEvict } : { max: capacity }));
    },
  };
}

function mnemonist(listener: boolean): Implementation {
  return {
    name: listener ? 'mnemonist LRUCache +setpop' : 'mnemonist LRUCache',
    family: 'peer',
    ttl: false,
    bounded: true,
    // Its key index is a plain object: object keys all become "[object Object]".
    objectKeys: false,
    listener,
    memory: !listener,
    latency: !listener,
    note: listener
      ? '`LRUCache` subclass whose `set` calls `setpop` and reports the evicted entry (no hook in the library)'
      : '`new LRUCache(capacity)`: typed-array links, plain-object key index',
    create({ capacity, onEvict }: CreateSetup): Instance {
      return instance(
        listener ? new MnemonistWithHook<unknown, unknown>(capacity, onEvict) : new MnemonistLRUCache<unknown, unknown>(capacity),
      );
    },
  };
}

const mnemonistMap: Implementation = {
  name: 'mnemonist LRUMap',
  family: 'peer',
  ttl: false,
  bounded: true,
  objectKeys: true,
  listener: false,
  memory: true,
  latency: false,
  note: '`new LRUMap(capacity)`: as LRUCache, with a `Map` index (any key)',
  create: ({ capacity }) => instance(new MnemonistLRUMap<unknown, unknown>(capacity)),
};

function tinyLru(listener: boolean): Implementation {
  return {
    name: listener ? 'tiny-lru +onEvict' : 'tiny-lru',
    family: 'peer',
    ttl: true,
    bounded: true,
    // Its key index is a plain object: object keys all become "[object Object]".
    objectKeys: false,
    listener,
    memory: !listener,
    latency: !listener,
    note: '`new LRU(max, ttl, resetTTL = true)`' + (listener ? ' + `.onEvict(cb)`' : ''),
    create({ capacity, ttl, onEvict }: CreateSetup): Instance {
      // resetTTL: a `set` of an existing key restarts its TTL, as in lru-cache and Macho.
      const cache = new TinyLRU<unknown>(capacity, ttl, true);
      if (listener) cache.onEvict(({ key, value }) => onEvict(key, value));
      return instance(cache);
    },
  };
}

function quickLru(listener: boolean): Implementation {
  return {
    name: listener ? 'quick-lru +onEviction' : 'quick-lru',
    family: 'peer',
    ttl: true,
    bounded: true,
    objectKeys: true,
    listener,
    memory: !listener,
    latency: !listener,
    note: listener
      ? '`new QuickLRU({ maxSize, onEviction })`'
      : '`new QuickLRU({ maxSize })` (+ `maxAge`); holds up to 2 × maxSize entries by design',
    create({ capacity, ttl, onEvict }: CreateSetup): Instance {
      return instance(
        new QuickLRU<unknown, unknown>({
          maxSize: capacity,
          ...(ttl > 0 ? { maxAge: ttl } : {}),
          ...(listener ? { onEviction: onEvict } : {}),
        }),
      );
    },
  };
}

const nodeCache: Implementation = {
  name: 'node-cache',
  family: 'peer',
  ttl: true,
  // `maxKeys` makes `set` throw ECACHEFULL instead of evicting: no capacity workloads.
  bounded: false,
  objectKeys: false,
  listener: false,
  memory: true,
  latency: true,
  note: '`new NodeCache({ stdTTL, checkperiod: 0, useClones: false })`; unbounded, so only the workloads without eviction',
  create({ ttl }: CreateSetup): Instance {
    const cache = new NodeCache({ stdTTL: ttl / 1000, checkperiod: 0, useClones: false });
    return instance(cache, () => cache.close());
  },
};

function ttlCache(listener: boolean): Implementation {
  return {
    name: listener ? '@isaacs/ttlcache +dispose' : '@isaacs/ttlcache',
    family: 'peer',
    ttl: true,
    bounded: true,
    objectKeys: true,
    listener,
    memory: !listener,
    latency: !listener,
    note:
      '`new TTLCache({ max, ttl, checkAgeOnGet: true' +
      (listener ? ", dispose })`, dispose counting reason 'evict'" : ' })`') +
      '; evicts the soonest to expire; TTL of 2^31-1 ms where the workload has none',
    create({ capacity, ttl, onEvict }: CreateSetup): Instance {
      const cache = new TTLCache<unknown, unknown>({
        max: capacity,
        ttl: ttl > 0 ? ttl : TTLCACHE_NEVER,
        // Without it a `get` may return an expired entry until the purge timer runs,
        // which it cannot while a synchronous loop holds the thread.
        checkAgeOnGet: true,
        ...(listener
          ? {
              dispose: (value: unknown, key: unknown, reason: string) => {
                if (reason === 'evict') onEvict(key, value);
              },
            }
          : {}),
      });
      return instance(cache, () => cache.cancelTimer());
    },
  };
}

/** Every peer row, plain ones first. */
export const PEERS: readonly Implementation[] = [
  lruCache(false),
  lruMin(false),
  mnemonist(false),
  mnemonistMap,
  tinyLru(false),
  quickLru(false),
  ttlCache(false),
  nodeCache,
  lruCache(true),
  lruMin(true),
  mnemonist(true),
  tinyLru(true),
  quickLru(true),
  ttlCache(true),
];

/** The row every ratio is relative to. */
export const BASELINE = 'lru-cache';
