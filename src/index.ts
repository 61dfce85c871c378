/**
 * Macho: an event-sourced reactive in-memory cache on RxJS.
 *
 * @example
 * import { Cache } from 'macho';
 * const cache = new Cache<string, number>({ maxCacheSize: 1000 });
 *
 * @module
 */
export { Cache } from './cache.js';
export type { Loader, SetOptions, UpdateRecipe } from './cache.js';
export type { CacheOptions, ResolvedOptions } from './options.js';
export { DEFAULT_OPTIONS, resolveOptions } from './options.js';
export type {
  ClearCommand,
  Command,
  CommandCreatorTag,
  CommandType,
  DeleteCommand,
  ExpireCommand,
  GetCommand,
  SetCommand,
  UpdateCommand,
} from './commands.js';
export {
  clearCommand,
  COMMAND_TYPES,
  deleteCommand,
  expireCommand,
  getCommand,
  setCommand,
  updateCommand,
} from './commands.js';
export { validateCommand } from './commandValidation.js';
export type {
  CacheEvent,
  CacheEventType,
  ClearEvent,
  DeleteEvent,
  EventOf,
  EvictEvent,
  ExpireEvent,
  HitEvent,
  MissEvent,
  RemovalCause,
  SetEvent,
} from './events.js';
export { EVENT_TYPES, wasEvicted } from './events.js';
export { CacheDisposedError, InvalidCommandError, PolicyContractError } from './errors.js';
export type { EvictionPolicy, PolicyContext, PolicyFactory } from './policies/policy.js';
export type { StrategyName } from './policies/index.js';
export { BUILTIN_POLICIES } from './policies/index.js';
export { lruPolicy } from './policies/lru.js';
export { fifoPolicy } from './policies/fifo.js';
export { randomPolicy } from './policies/random.js';
export { lfuPolicy } from './policies/lfu.js';
export { mfuPolicy } from './policies/mfu.js';
export { sievePolicy } from './policies/sieve.js';
export { s3fifoPolicy } from './policies/s3fifo.js';
export { tinyLfu, tinyLfuPolicy } from './policies/tinyLfu.js';
export type { TinyLfuOptions, TinyLfuPolicy, TinyLfuSegments } from './policies/tinyLfu.js';
export { arcPolicy } from './policies/arc.js';
export type { ArcLists, ArcPolicy } from './policies/arc.js';
export { lirs, lirsPolicy } from './policies/lirs.js';
export type { LirsOptions, LirsPolicy, LirsStacks } from './policies/lirs.js';
export { clockPro, clockProPolicy } from './policies/clockPro.js';
export type { ClockProCounts, ClockProOptions, ClockProPolicy } from './policies/clockPro.js';
export { FrequencySketch } from './policies/frequencySketch.js';
export { SlotList } from './policies/slotList.js';
export { SeededRandom } from './policies/seededRandom.js';
export type { MembershipFilter } from './filters/membershipFilter.js';
export type { GetOrLoadOptions } from './cache.js';
export type {
  BloomParameters,
  CuckooFilterOptions,
  CuckooParameters,
  FilterFromKeysOptions,
  FilterKind,
  ShardFilterKind,
  XorFilterOptions,
  XorFingerprintBits,
} from './filters/index.js';
export {
  bloomParameters,
  CountingBloomFilter,
  createBloomFilter,
  createShardFilter,
  CuckooFilter,
  cuckooParameters,
  FILTER_KINDS,
  filterFromKeys,
  FilterCapacityError,
  MIN_CUCKOO_PROBABILITY,
  RebuildingBloomFilter,
  SHARD_FILTER_KINDS,
  StaticFilterError,
  XorFilter,
  xorFingerprintBits,
} from './filters/index.js';
export type { GuardTest, LoaderGuardLike, LoaderGuardOptions, LoaderGuardStats } from './loading/loaderGuard.js';
export { KeyNotFoundError, LoaderGuard, loaderGuard } from './loading/loaderGuard.js';
export type { CacheSnapshot, SnapshotEntry } from './shard/snapshot.js';
export type { Counts, LifespanMetrics, MetricsSnapshot, ShardMetrics } from './metrics/metricsSnapshot.js';
export type { SampleSummary } from './metrics/sampleStats.js';
export { countEvents } from './operators/countEvents.js';
export { cachedClockScheduler, exactClockScheduler, unrefScheduler } from './expiry/unrefScheduler.js';
export { hashKey, shardOf } from './keys/hashKey.js';
// The trace-driven simulator (readTrace, parseTrace, simulate, OPTIMAL, trace errors).
export * from './simulator/index.js';
