/**
 * `macho/testing/core`: the parts of `macho/testing` that do not need fast-check — the
 * virtual-time cache ({@link createVirtualCache}), the operations and
 * {@link applyOperation}, the invariants ({@link checkInvariants},
 * {@link assertInvariants}), {@link recordEvents} and the reference {@link CacheModel}.
 * Import them from here in a project without fast-check; `macho/testing` has these and
 * the fast-check arbitraries and model commands.
 *
 * @example
 * import { createVirtualCache } from 'macho/testing/core';
 *
 * const { cache, advance } = createVirtualCache<string, number>({ ttl: 100 });
 * cache.set('a', 1);
 * advance(100);
 * cache.has('a'); // false
 *
 * @module
 */
export type { VirtualCache, VirtualCacheOptions } from './virtualCache.js';
export { createVirtualCache, VirtualTimeError } from './virtualCache.js';
export type {
  AdvanceOperation,
  CacheOperation,
  CacheOperationType,
  ClearOperation,
  DeleteOperation,
  GetOperation,
  HasOperation,
  OperationResult,
  OperationTarget,
  PeekOperation,
  SetOperation,
  UpdateOperation,
} from './operations.js';
export { applyOperation, describeOperation, OPERATION_TYPES } from './operations.js';
export type { CacheModelInit, ModelEntry } from './cacheModel.js';
export { CacheModel, createCacheModel } from './cacheModel.js';
export type { CheckedMetrics, InvariantExtras, InvariantReport, InvariantSubject } from './invariants.js';
export { assertInvariants, checkInvariants } from './invariants.js';
export type { EventCounts, EventRecorder, RecordableCache } from './eventRecorder.js';
export { recordEvents } from './eventRecorder.js';
