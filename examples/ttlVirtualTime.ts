// TTL under virtual time: the cache takes its clock and timers from an RxJS scheduler,
// so a test can move time forward instantly instead of sleeping.
// Run: npx tsx examples/ttlVirtualTime.ts
import { VirtualTimeScheduler } from 'rxjs';
import { Cache } from 'macho';

const scheduler = new VirtualTimeScheduler(); // now() starts at 0 and moves only when we say
const cache = new Cache<string, string>({ ttl: 1_000, scheduler }); // default TTL: 1 s

// Moves virtual time to `t`, running every timer due by then (the cache's expiry timer
// among them). flush() stops at the last action it ran, so a no-op marks the target.
function advanceTo(t: number): void {
  scheduler.schedule(() => {}, t - scheduler.now());
  scheduler.maxFrames = t;
  scheduler.flush();
}

// Exactly one 'expire' event per expired entry. `expiredAt` is when it became stale,
// `at` when it was removed (the expiry timer removes it at that very time).
cache.on('expire').subscribe((e) => console.log(`t=${scheduler.now()}  expire ${e.key} (stale since ${e.expiredAt})`));

cache.set('session', 'abc'); // the default TTL: expires at t=1000
cache.set('token', 'xyz', { ttl: 250 }); // a per-entry TTL
cache.set('config', 'v1', { ttl: Infinity }); // never expires (0 means never too)

const show = (): void =>
  console.log(`t=${scheduler.now()}  size=${cache.size}  token=${cache.get('token')}  session=${cache.get('session')}`);

show(); // t=0: everything is there
advanceTo(249);
show(); // the token is still live one ms before its TTL
advanceTo(250); // an entry set at t with TTL d is never returned at or after t + d
show();
advanceTo(600);
cache.set('session', 'abc2'); // overwriting restarts the TTL: now expires at t=1600
advanceTo(1_500);
show();
advanceTo(1_600);
show();

const { expirations, size } = cache.metrics();
console.log(`expirations=${expirations}, size=${size}, still cached: ${[...cache.keys()].join(', ')}`);
cache.dispose();
