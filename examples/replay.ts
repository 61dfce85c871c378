// Replay: every operation is a plain command on commands$. Record them, store them as
// JSON, and Cache.replay() rebuilds the same cache, expiry and random evictions included.
// Run: npx tsx examples/replay.ts
import { isDeepStrictEqual } from 'node:util';
import { VirtualTimeScheduler } from 'rxjs';
import type { Command } from 'macho';
import { Cache } from 'macho';

type Log = Command<string, { n: number }>[];
// Random eviction draws from a seeded generator, so it replays exactly. Both caches use
// a virtual clock here; see the note at the end about replaying against a real clock.
const options = { maxCacheSize: 20, shardCount: 2, strategy: 'random', seed: 7, ttl: 500 } as const;

const scheduler = new VirtualTimeScheduler();
const cache = new Cache<string, { n: number }>({ ...options, scheduler });
const log: Log = [];
const recording = cache.commands$.subscribe((command) => log.push(command));

// A workload: writes (some with their own TTL), reads, updates, deletes; time moves on.
for (let i = 0; i < 200; i++) {
  const key = `k${(i * 37) % 40}`;
  if (i % 3 === 0) cache.set(key, { n: i }, i % 9 === 0 ? { ttl: 40 } : undefined);
  else if (i % 7 === 0) cache.update(key, (draft) => void (draft.n += 1000));
  else if (i % 11 === 0) cache.delete(key);
  else cache.get(key);
  // 2 ms of virtual time per operation, running the timers due by then (expiry among
  // them). A bare flush() would run every pending timer, however far ahead.
  scheduler.schedule(() => {}, 2);
  scheduler.maxFrames = scheduler.now() + 2;
  scheduler.flush();
}
const original = cache.snapshot(); // may log a last 'expire' command: take it before saving
recording.unsubscribe();

const saved = JSON.stringify(log); // plain objects: string keys and JSON values survive
const kinds = log.reduce<Record<string, number>>((n, c) => ({ ...n, [c.type]: (n[c.type] ?? 0) + 1 }), {});
console.log(`recorded ${log.length} commands (${saved.length} bytes of JSON):`, kinds);

const copy = Cache.replay(JSON.parse(saved) as Log, { ...options, scheduler: new VirtualTimeScheduler() });
const replayed = copy.snapshot();
console.log(`original: version ${original.version}, ${original.size} entries; replay: version ${replayed.version}, ${replayed.size} entries`);
console.log('snapshots equal:', isDeepStrictEqual(original, replayed));
const { evictions, expirations } = copy.metrics();
console.log(`the replay evicted ${evictions} and expired ${expirations} entries, like the original:`, cache.metrics().evictions === evictions && cache.metrics().expirations === expirations);

// Note: a replayed cache is live. Reading it applies expiry against *its* clock, so
// replaying this log into a cache on the real clock (Date.now(), decades after t=400)
// would expire every entry with a TTL on the first read.
cache.dispose();
copy.dispose();
