// Events: every change is observable. on(type) for one event type, events$ for all,
// commands$ for the command log, watch(key) for one key's value over time.
// Run: npx tsx examples/events.ts
import { filter } from 'rxjs';
import { Cache, setCommand } from 'macho';

const cache = new Cache<string, number>({ maxCacheSize: 2 });
const t0 = Date.now(); // events carry `at`, the cache clock's time (here: Date.now())

// One event type, typed: an 'evict' event carries the evicted value.
cache.on('evict').subscribe(({ key, value, shard }) => console.log(`  [on('evict')] ${key}=${value} left shard ${shard}`));

// Every event. Events go out after the command has been applied, so a handler that
// reads the cache sees the new state. 'clear' is the one event without a key.
cache.events$.subscribe((event) => {
  const detail = event.type === 'set' ? (event.replaced ? ' (overwrite)' : ' (new)') : '';
  console.log(`  [events$] ${event.type} ${event.key ?? ''}${detail} +${event.at - t0}ms`);
});

// The command log; each command creator has a .match() type guard for filter().
cache.commands$.pipe(filter(setCommand.match)).subscribe((c) => console.log(`  [commands$] set ${c.key}=${c.value}`));

// The current value at once, then the value after each change (undefined once gone).
// Reads (hits/misses) are not changes, so they do not emit here.
cache.watch('a').subscribe({
  next: (value) => console.log(`  [watch('a')] ${value}`),
  complete: () => console.log(`  [watch('a')] complete (cache disposed)`),
});

const step = (label: string, action: () => unknown): void => {
  console.log(label);
  action();
};
step("set('a', 1)", () => cache.set('a', 1));
step("set('b', 2)", () => cache.set('b', 2));
step("get('a')", () => cache.get('a')); // a hit; 'b' is now the least recent
step("get('zzz')", () => cache.get('zzz')); // a miss
step("set('c', 3)", () => cache.set('c', 3)); // full: evicts 'b'
step("set('a', 10)", () => cache.set('a', 10));
step("delete('a')", () => cache.delete('a'));
step('clear()', () => cache.clear());
step('dispose()', () => cache.dispose()); // completes every stream
