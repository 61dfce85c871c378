// Property-testing your own cache configuration: fast-check generates random sequences
// of operations (set/get/peek/has/delete/update and the passing of time), runs each on
// a cache with virtual time, and checks the invariants after every step: upper bounds
// (capacity, nothing expired visible) and, through the recorded events, lower bounds
// (an entry leaves only by an eviction from a full shard, an expiry that is due, a
// delete or a clear). A failure is shrunk to the shortest sequence that breaks an
// invariant, and printed; an error the cache reports while virtual time moves (a custom
// policy throwing during an expiry) fails the property at the advance that caused it.
// Run: npx tsx examples/propertyTest.ts   (macho/testing needs fast-check installed)
import fc from 'fast-check';
import type { CacheOptions } from 'macho';
import { applyOperation, assertInvariants, cacheOperations, createVirtualCache, recordEvents } from 'macho/testing';

const config = { maxCacheSize: 50, shardCount: 4, ttl: 1000, strategy: 'lru', bloom: true } satisfies CacheOptions;

// 100 keys for 50 slots, so that entries get evicted; time moves up to 20 ms a step, so
// entries live a while; no clear(), which would empty the cache before it fills up.
const keys = Array.from({ length: 100 }, (_, i) => `user:${i}`);
const operations = cacheOperations(keys, fc.nat(9), {
  maxLength: 500,
  size: 'max', // lengths spread over 0…500, not fast-check's default "small"
  maxAdvance: 20,
  weights: { clear: 0 },
});

fc.assert(
  fc.property(operations, (ops) => {
    const virtual = createVirtualCache<string, number>(config);
    const recorder = recordEvents(virtual.cache); // metrics = counted events; every removal explained
    for (const op of ops) {
      applyOperation(virtual, op);
      assertInvariants(virtual.cache, { recorder });
    }
    virtual.dispose();
  }),
  { numRuns: 200 },
);

console.log(`invariants held over 200 random runs of ${JSON.stringify(config)}`);
