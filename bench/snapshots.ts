/**
 * What a snapshot costs: `snapshot()` after a change, with nobody streaming snapshots
 * (each entry allocated and frozen afresh) and while `snapshots$` has a subscriber (an
 * entry unchanged since the last snapshot is handed out again). The second is what a
 * UI fed by `snapshots$` pays once per tick with changes.
 *
 * Each trial changes one key, then times one `snapshot()`; the figure is the median
 * over the trials, garbage collection included (allocation is most of the plain cost).
 *
 * ```sh
 * npx tsx bench/snapshots.ts [--sizes=1000,10000,100000] [--trials=101] [--shards=1]
 * ```
 *
 * @module
 */

import { VirtualTimeScheduler } from 'rxjs';
import { Cache } from 'macho';
import { parseFlags } from './flags.js';

const USAGE = `Usage: npx tsx bench/snapshots.ts [flags]

  --sizes=A,B,…    cache sizes, entries (default 1000,10000,100000)
  --trials=N       timed snapshots per cell; the median is printed (default 101)
  --shards=N       shardCount (default 1)
  --help           this text`;

function main(): void {
  const values = parseFlags(USAGE, {
    sizes: { type: 'string', default: '1000,10000,100000' },
    trials: { type: 'string', default: '101' },
    shards: { type: 'string', default: '1' },
  });
  const sizes = values.sizes.split(',').map(Number);
  const trials = Number(values.trials);
  const shards = Number(values.shards);
  for (const size of sizes)
    if (!Number.isInteger(size) || size < shards) throw new RangeError(`--sizes takes integers ≥ --shards; got ${values.sizes}`);
  for (const [flag, value] of [['trials', trials], ['shards', shards]] as const)
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`--${flag} takes an integer ≥ 1; got ${String(values[flag])}`);

  console.log(`snapshot() after one change, median of ${trials} (ms); ${shards} shard(s). Node ${process.version}.\n`);
  console.log('| entries | nobody streaming | snapshots$ subscribed | ratio |');
  console.log('| ---: | ---: | ---: | ---: |');
  for (const size of sizes) {
    const scheduler = new VirtualTimeScheduler();
    const cache = new Cache<string, { n: number }>({ maxCacheSize: size, shardCount: shards, ttl: 0, scheduler, latencySampleEvery: 0 });
    for (let i = 0; i < size; i++) cache.set(`k${i}`, { n: i });
    const median = (): number => {
      const times: number[] = [];
      for (let trial = 0; trial < trials; trial++) {
        cache.set(`k${(trial * 7919) % size}`, { n: -trial });
        const start = performance.now();
        cache.snapshot();
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)]!;
    };
    const plain = median();
    const subscription = cache.snapshots$.subscribe(() => {});
    const streamed = median();
    subscription.unsubscribe();
    cache.dispose();
    console.log(`| ${size.toLocaleString('en-US')} | ${plain.toFixed(3)} | ${streamed.toFixed(3)} | ${(plain / streamed).toFixed(1)}× |`);
  }
}

main();
