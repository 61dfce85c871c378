// getOrLoad: cache-aside in one call. Concurrent callers for one key share one load;
// a failed load is not cached, so the next call tries again.
// Run: npx tsx examples/getOrLoad.ts
import { setTimeout as sleep } from 'node:timers/promises';
import { Cache } from 'macho';

interface Product {
  id: string;
  price: number;
}

// A slow "database" that fails the first time it is asked for 'p2'.
let calls = 0;
const failedOnce = new Set<string>();
async function loadProduct(id: string): Promise<Product> {
  calls++;
  console.log(`  loader called for ${id} (call #${calls})`);
  await sleep(50);
  if (id === 'p2' && !failedOnce.has(id)) {
    failedOnce.add(id);
    throw new Error(`database timeout loading ${id}`);
  }
  return { id, price: 10 * calls };
}

const cache = new Cache<string, Product>({ maxCacheSize: 100, ttl: 60_000 });

// Three concurrent requests for p1: one loader call, three identical answers.
const answers = await Promise.all([1, 2, 3].map(() => cache.getOrLoad('p1', loadProduct)));
console.log('3 concurrent getOrLoad(p1):', answers.map((p) => p.price), '| same object:', answers[0] === answers[2]);

// Now it is cached: no loader call, and a plain get() sees it.
console.log('getOrLoad(p1) again:', (await cache.getOrLoad('p1', loadProduct)).price, '| get(p1):', cache.get('p1')?.price);

// A failure rejects every waiting caller and stores nothing...
const failed = await Promise.allSettled([cache.getOrLoad('p2', loadProduct), cache.getOrLoad('p2', loadProduct)]);
console.log('2 concurrent getOrLoad(p2):', failed.map((r) => (r.status === 'rejected' ? `rejected: ${(r.reason as Error).message}` : 'ok')));
console.log('has(p2) after the failure:', cache.has('p2'));

// ...so the next call loads again. A per-entry TTL can be given as with set().
const retried = await cache.getOrLoad('p2', loadProduct, { ttl: 5_000 });
const expiresAt = cache.snapshot().entries.find((e) => e.key === 'p2')?.expiresAt ?? Infinity;
console.log('retry getOrLoad(p2):', retried, `| expires in ≈${Math.round((expiresAt - Date.now()) / 1000)} s`);

// Every getOrLoad is a get first: each of the 6 calls that found nothing counted a miss.
console.log(`loader calls: ${calls}; metrics: ${cache.metrics().hits} hits, ${cache.metrics().misses} misses`);
cache.dispose();
