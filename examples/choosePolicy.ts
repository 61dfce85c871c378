// Which eviction policy suits *your* workload? Record the keys your cache is asked
// for (the command log has them), replay them through every built-in policy with
// simulate(), and pick from the table. Belady's optimal is the upper bound.
// Run: npx tsx examples/choosePolicy.ts
import { filter } from 'rxjs';
import type { StrategyName } from 'macho';
import { BUILTIN_POLICIES, Cache, OPTIMAL, getCommand, simulate } from 'macho';

// 1. Record: in production this is your app's cache; here a synthetic workload of
//    popular keys (a few hot users) mixed with a nightly job that scans 3,000 records
//    in a loop — the mix on which LRU does badly, since each scan flushes the hot keys.
const cache = new Cache<string, string>({ maxCacheSize: 1_000 });
const recorded: string[] = [];
const recording = cache.commands$.pipe(filter(getCommand.match)).subscribe((command) => recorded.push(command.key));

let seed = 42;
const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
for (let i = 0; i < 40_000; i++) {
  const key = random() < 0.6 ? `user:${String(Math.floor(random() ** 3 * 500))}` : `record:${String(i % 3_000)}`;
  if (cache.get(key) === undefined) cache.set(key, 'loaded');
}
recording.unsubscribe();
cache.dispose();

// 2. Replay the recorded reads through every built-in policy at a few sizes.
const policies: readonly (StrategyName | typeof OPTIMAL)[] = [...(Object.keys(BUILTIN_POLICIES) as StrategyName[]), OPTIMAL];
const sizes = [250, 1_000, 2_500];
const results = simulate(recorded, { policies, sizes });

// 3. Read the table: hit ratio by policy and size.
console.log(`${String(recorded.length)} reads replayed; hit ratio % by cache size`);
console.log(`${'policy'.padEnd(10)}${sizes.map((size) => String(size).padStart(8)).join('')}`);
for (const policy of policies) {
  const row = sizes.map((size) => results.find((r) => r.policy === policy && r.size === size)!.hitRatio);
  console.log(`${policy.padEnd(10)}${row.map((ratio) => (100 * ratio).toFixed(1).padStart(8)).join('')}`);
}
const best = (size: number): string =>
  results.filter((r) => r.size === size && r.policy !== OPTIMAL).sort((a, b) => b.hits - a.hits)[0]!.policy;
console.log(`best real policy at 1,000 entries: '${best(1_000)}' — pass it as { strategy: '${best(1_000)}' }`);
