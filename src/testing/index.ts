/**
 * `macho/testing`: helpers to property-test your own cache configurations.
 *
 * - {@link createVirtualCache}: a cache on a virtual clock (`advance(ms)` fires expiry timers,
 *   and throws a {@link VirtualTimeError} for an error the cache reported meanwhile);
 * - {@link cacheOperation} / {@link cacheOperations}: fast-check arbitraries of operations,
 *   applied with {@link applyOperation};
 * - {@link cacheCommands} / {@link runCacheCommands}: model-based testing with `fc.commands`
 *   against a reference {@link CacheModel};
 * - {@link checkInvariants} / {@link assertInvariants}: what must hold for any configuration,
 *   and {@link recordEvents} to check metrics and entries against the events (an entry
 *   leaves only with an event that says why, an eviction only from a full shard, an
 *   expiry only once due).
 *
 * This entry point needs **fast-check** (≥ 3) installed: it is an optional peer
 * dependency of `macho`, used only here (`npm install --save-dev fast-check`). Without
 * it, import the rest from `macho/testing/core`.
 *
 * @example
 * import fc from 'fast-check';
 * import { applyOperation, assertInvariants, cacheOperations, createVirtualCache } from 'macho/testing';
 *
 * fc.assert(fc.property(cacheOperations(['a', 'b', 'c'], fc.integer()), (ops) => {
 *   const virtual = createVirtualCache<string, number>({ maxCacheSize: 2, ttl: 100 });
 *   for (const op of ops) {
 *     applyOperation(virtual, op);
 *     assertInvariants(virtual.cache);
 *   }
 *   virtual.dispose();
 * }));
 *
 * @module
 */
export * from './core.js';
export type { CacheOperationOptions, CacheOperationsOptions, Source } from './arbitraries.js';
export { cacheOperation, cacheOperations, DEFAULT_OPERATION_WEIGHTS } from './arbitraries.js';
export type { CacheCommandsOptions, CacheModelCommand } from './modelCommands.js';
export { cacheCommands, runCacheCommands } from './modelCommands.js';
