/**
 * Macho in the configurations the performance issue asks about. The base row is
 * `strategy: 'lru'`, one shard, no bloom filter, no TTL (unless the workload sets one)
 * and `latencySampleEvery: 0`; each other row changes one thing, except "macho
 * defaults", which is `new Cache({ maxCacheSize })` as a user would first write it.
 *
 * @module
 */

import type { CacheOptions, Command, StrategyName } from 'macho';
import { BUILTIN_POLICIES, Cache } from 'macho';
import type { CreateSetup, Implementation, Instance, Store } from './adapter.js';

/** The TTL of the "ttl 1h" row: far longer than any run, so nothing expires. */
export const LONG_TTL_MS = 3_600_000;

interface Variant {
  readonly name: string;
  readonly note: string;
  readonly options?: Partial<CacheOptions>;
  readonly listen?: 'evict' | 'commands';
  readonly defaults?: boolean;
  readonly ttlFreeOnly?: boolean;
  readonly memory?: boolean;
  readonly latency?: boolean;
}

function macho(variant: Variant): Implementation {
  return {
    name: variant.name,
    family: 'macho',
    ttl: true,
    bounded: true,
    objectKeys: true,
    listener: variant.listen !== undefined,
    ...(variant.ttlFreeOnly ? { ttlFreeOnly: true } : {}),
    memory: variant.memory ?? false,
    latency: variant.latency ?? false,
    note: variant.note,
    create({ capacity, ttl, onEvict }: CreateSetup): Instance {
      const options: CacheOptions = variant.defaults
        ? { maxCacheSize: capacity, ...(ttl > 0 ? { ttl } : {}) }
        : { maxCacheSize: capacity, ttl, latencySampleEvery: 0, ...variant.options };
      const cache = new Cache<unknown, unknown>(options);
      let log: Command<unknown, unknown>[] = [];
      const subscription =
        variant.listen === 'evict'
          ? cache.on('evict').subscribe((event) => onEvict(event.key, event.value))
          : variant.listen === 'commands'
            ? cache.commands$.subscribe((command) => void log.push(command))
            : undefined;
      return {
        store: cache as unknown as Store,
        ...(variant.listen === 'commands' ? { delivered: () => log.length } : {}),
        close() {
          subscription?.unsubscribe();
          cache.dispose();
          log = [];
        },
      };
    },
  };
}

/** Every Macho row, the base first. */
export const MACHO_VARIANTS: readonly Implementation[] = [
  macho({
    name: 'macho lru',
    note: "`strategy: 'lru'`, 1 shard, no bloom, `latencySampleEvery: 0`, workload's TTL (0 = none): the base row",
    memory: true,
    latency: true,
  }),
  macho({
    name: 'macho lru +evict',
    note: "base + `cache.on('evict').subscribe(…)`",
    listen: 'evict',
    latency: true,
  }),
  macho({
    name: 'macho lru +commands$ log',
    note: 'base + `cache.commands$.subscribe((c) => log.push(c))`: records the replayable log',
    listen: 'commands',
  }),
  macho({
    name: 'macho lru sample 1/64',
    note: 'base with `latencySampleEvery: 64` (the default): the cost of latency sampling',
    options: { latencySampleEvery: 64 },
    latency: true,
  }),
  macho({
    name: 'macho defaults',
    note: '`new Cache({ maxCacheSize })`: TTL 600 s and sampling 1/64 on, as a first-time user gets it',
    defaults: true,
    latency: true,
  }),
  macho({
    name: 'macho lru ttl 1h',
    note: 'base with `ttl: 3_600_000`: expiry bookkeeping on, nothing expires (TTL-free workloads only)',
    options: { ttl: LONG_TTL_MS },
    ttlFreeOnly: true,
  }),
  macho({ name: 'macho fifo', note: "base with `strategy: 'fifo'`", options: { strategy: 'fifo' }, memory: true }),
  macho({ name: 'macho random', note: "base with `strategy: 'random'`", options: { strategy: 'random' }, memory: true }),
  macho({ name: 'macho lru 8 shards', note: 'base with `shardCount: 8`', options: { shardCount: 8 }, memory: true }),
  macho({
    name: 'macho lru bloom',
    note: 'base with `bloom: true` (p = 0.01)',
    options: { bloom: true },
    memory: true,
    latency: true,
  }),
];

/**
 * The base row with each built-in strategy in turn (`macho lru` is the base row
 * itself): what choosing a policy costs in CPU and memory (`bench/micro.ts --policies`).
 */
export const POLICY_VARIANTS: readonly Implementation[] = (Object.keys(BUILTIN_POLICIES) as StrategyName[]).map(
  (strategy) =>
    MACHO_VARIANTS.find((row) => row.name === `macho ${strategy}`) ??
    macho({ name: `macho ${strategy}`, note: `base with \`strategy: '${strategy}'\``, options: { strategy }, memory: true }),
);
