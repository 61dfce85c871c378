// A loader guard: cache-penetration protection. The guard is a filter of the ids known
// to exist in the "database"; getOrLoad for an id it rules out rejects at once with a
// KeyNotFoundError and never reaches the database. Run: npx tsx examples/loaderGuard.ts
import type { CuckooFilter } from 'macho';
import { Cache, KeyNotFoundError, loaderGuard } from 'macho';

interface Product {
  id: string;
  name: string;
}

// The "database": 10,000 products, and a counter of the queries that reach it.
const table = new Map<string, Product>();
for (let i = 0; i < 10_000; i++) table.set(`p${i}`, { id: `p${i}`, name: `Product ${i}` });
let queries = 0;
async function findProduct(id: string): Promise<Product> {
  queries++;
  await Promise.resolve(); // a real query would take milliseconds
  const row = table.get(id);
  if (row === undefined) throw new Error(`no product ${id}`);
  return row;
}

// Built once from the known ids. 'cuckoo' can learn ids created later (guard.add) and
// needs room for them (capacity); 'xor' is smaller for a fixed set but must be rebuilt.
const guard = loaderGuard.fromKeys(table.keys(), { kind: 'cuckoo', capacity: 12_000, probability: 0.001 });
const bytes = (guard.filter as CuckooFilter<string>).byteLength;
console.log(`guard over ${table.size.toLocaleString('en')} ids: ${bytes.toLocaleString('en')} bytes (${((8 * bytes) / table.size).toFixed(1)} bits per id)`);

const cache = new Cache<string, Product>({ maxCacheSize: 1_000, loaderGuard: guard });

// A known id loads once, then comes from the cache.
console.log('getOrLoad(p42):', (await cache.getOrLoad('p42', findProduct)).name, `| queries: ${queries}`);
console.log('getOrLoad(p42):', (await cache.getOrLoad('p42', findProduct)).name, `| queries: ${queries}`);

// A bogus id is answered at once, without touching the database.
try {
  await cache.getOrLoad('p-999999', findProduct);
} catch (error) {
  if (!(error instanceof KeyNotFoundError)) throw error;
  console.log(`getOrLoad(p-999999): ${error.name} for ${String(error.key)} | queries: ${queries}`);
}

// A scraper tries 10,000 ids that do not exist: the guard stops all but a few false
// positives (p = 0.001), which load and fail as they would have without a guard.
const before = queries;
const outcomes = await Promise.allSettled(Array.from({ length: 10_000 }, (_, i) => cache.getOrLoad(`bogus-${i}`, findProduct)));
const notFound = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof KeyNotFoundError).length;
console.log(`10,000 bogus ids: ${notFound} rejected by the guard, ${queries - before} reached the database`);

// A product created after the guard was built: tell the guard, or it is turned away.
table.set('p-new', { id: 'p-new', name: 'Brand new' });
guard.add('p-new');
console.log('getOrLoad(p-new) after guard.add:', (await cache.getOrLoad('p-new', findProduct)).name);

// A product deleted: tell the guard too (and drop it from the cache). A retried delete,
// or one of an id that never existed, is harmless: the guard never takes keys out of its
// filter, it remembers removed ids exactly until the next rebuild.
table.delete('p7');
cache.delete('p7');
guard.remove('p7');
guard.remove('p7');
guard.remove('never-existed');
const gone = await cache.getOrLoad('p7', findProduct).catch((error: unknown) => error);
console.log(`getOrLoad(p7) after guard.remove: ${gone instanceof KeyNotFoundError ? 'KeyNotFoundError' : String(gone)} | removed ids held: ${guard.removed}`);

// Now and then, rebuild from the database's ids (which also forgets the removed ids
// held above). refresh() reads them asynchronously and keeps the adds and removes made
// while the query runs: here a product is created meanwhile, and is not turned away.
const refreshed = guard.refresh(async () => {
  await Promise.resolve(); // the query
  return [...table.keys()];
});
table.set('p-during', { id: 'p-during', name: 'Created during the refresh' });
guard.add('p-during');
await refreshed;
console.log(`after refresh: removed ids held: ${guard.removed} | p-during lets through: ${guard.filter!.mightContain('p-during')}`);

const { checked, passed, rejected } = guard.stats();
console.log(`guard: ${checked} checked, ${passed} passed, ${rejected} rejected | database queries: ${queries}`);
cache.dispose();
