// Basic use: a Map-like cache with a capacity, LRU eviction and immutable updates.
// Run: npx tsx examples/basic.ts
import { Cache } from 'macho';

interface User {
  name: string;
  visits: number;
  tags: string[];
}

// Three entries at most; ttl 0 means entries never expire.
const cache = new Cache<string, User>({ maxCacheSize: 3, ttl: 0 });

cache
  .set('ada', { name: 'Ada', visits: 0, tags: [] })
  .set('alan', { name: 'Alan', visits: 0, tags: [] })
  .set('grace', { name: 'Grace', visits: 0, tags: [] });
console.log('size:', cache.size); // 3

console.log('get ada:', cache.get('ada')?.name); // a hit; 'ada' is now the most recent
console.log('get bob:', cache.get('bob')); // a miss: undefined
console.log('peek alan:', cache.peek('alan')?.name); // no hit counted, no recency change
console.log('has grace:', cache.has('grace')); // no recency change either

// The cache is full: a new key evicts the least recently used one. peek/has did not
// refresh 'alan', so it is the victim (lru-cache semantics).
cache.set('edsger', { name: 'Edsger', visits: 0, tags: [] });
console.log('after set edsger, has alan:', cache.has('alan')); // false

// update() runs an immer recipe: the stored value is replaced by a new frozen object,
// and a reference taken before the update never changes.
const before = cache.peek('ada')!;
const after = cache.update('ada', (user) => {
  user.visits += 1;
  user.tags.push('admin');
});
console.log('update ada:', before.visits, '->', after?.visits, '| same object:', before === after, '| frozen:', Object.isFrozen(after));

// Iteration yields live entries only, like a Map.
for (const [key, user] of cache) console.log(`  ${key}: ${user.name} (${user.visits} visits)`);
console.log('keys:', [...cache.keys()].join(', '));

console.log('delete grace:', cache.delete('grace'), '| again:', cache.delete('grace')); // true, false
console.log('size:', cache.size); // 2

const { hits, misses, hitRatio, evictions } = cache.metrics();
console.log(`metrics: ${hits} hits, ${misses} misses, hit ratio ${hitRatio.toFixed(2)}, ${evictions} eviction(s)`);

cache.dispose(); // completes the streams and cancels timers; the cache is unusable afterwards
