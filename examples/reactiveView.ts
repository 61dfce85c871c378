// A reactive view: a UI driven by the cache's streams. snapshots$ hands out the whole
// cache at most once per tick of the cache's scheduler, so a burst of writes renders
// once; a derived view is plain RxJS (map, distinctUntilChanged), so a change that does
// not alter it renders nothing; watch(key) follows one key at once, change by change.
// Expiry needs no call: the entry's 'expire' reaches the view by itself.
// Run: npx tsx examples/reactiveView.ts
import { distinctUntilChanged, map } from 'rxjs';
import { Cache } from 'macho';

interface Player {
  name: string;
  score: number;
}

const cache = new Cache<string, Player>({ maxCacheSize: 100, ttl: 0 });

// The leaderboard: the top three by score, as one line of text per render.
const leaderboard$ = cache.snapshots$.pipe(
  map((snapshot) =>
    snapshot.entries
      .map((entry) => entry.value)
      .sort((a, b) => b.score - a.score)
      .slice(0, 3)
      .map((player) => `${player.name} ${player.score}`)
      .join(' | '),
  ),
  distinctUntilChanged(),
);
let renders = 0;
const board = leaderboard$.subscribe((line) => console.log(`  [board] render #${++renders}: ${line || '(empty)'}`));

// A detail panel for one player: its value at once, then after each change.
const panel = cache.watch('ada').subscribe((player) => console.log(`  [panel] ada: ${player ? player.score : '(none)'}`));

// Lets the event loop turn, as a UI's frames do: snapshots$ emits on the next tick.
const frame = (ms = 10): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

console.log('four writes in one go:');
cache.set('ada', { name: 'Ada', score: 120 }).set('alan', { name: 'Alan', score: 90 });
cache.set('grace', { name: 'Grace', score: 150 }).set('edsger', { name: 'Edsger', score: 60 });
await frame(); // one render for the whole burst

console.log('update() with an immer recipe (a new frozen value; the old one unchanged):');
const before = cache.peek('ada')!;
cache.update('ada', (player) => {
  player.score += 50;
});
await frame();
console.log(`  old value still ${before.score}; new value frozen: ${Object.isFrozen(cache.peek('ada'))}`);

console.log('a write that leaves the top three as they were renders nothing:');
cache.set('zed', { name: 'Zed', score: 1 });
await frame();

console.log('a guest with a 30 ms TTL joins, then expires by itself:');
cache.set('kay', { name: 'Kay', score: 500 }, { ttl: 30 });
await frame();
await frame(60); // the expiry timer fires; the board follows
console.log('ada leaves:');
cache.delete('ada');
await frame();

board.unsubscribe();
panel.unsubscribe();
const { sets, deletes, expirations } = cache.metrics();
console.log(`${renders} renders for ${sets + deletes + expirations} changes`);
cache.dispose();
