/**
 * The gli trace (LIRS paper traces, as shipped with Caffeine's simulator), kept in
 * `spec/fixtures/traces`, replayed cache-aside at the sizes of the published rows
 * (`spec/fixtures/traces/README.md`), for the policy specs that compare with those rows.
 *
 * @module
 */

import { existsSync, readFileSync } from 'node:fs';
import { VirtualTimeScheduler } from 'rxjs';
import type { PolicyFactory, StrategyName } from 'macho';
import { Cache } from 'macho';

const GLI = new URL('../fixtures/traces/gli.trace', import.meta.url);

/** False where the traces are not checked out: the specs that need them skip. */
export const hasGli = existsSync(GLI);

/** The cache sizes of the published gli rows. */
export const GLI_SIZES: readonly number[] = [250, 500, 750, 1000, 1250, 1500, 1750, 2000];

/** Hit ratio in percent (unrounded) of `strategy` on gli at each of {@link GLI_SIZES}: `get`, and `set` on a miss. */
export function gliHitRatios(strategy: StrategyName | PolicyFactory): number[] {
  const keys = readFileSync(GLI, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '').map(Number);
  return GLI_SIZES.map((maxCacheSize) => {
    const cache = new Cache<number, true>({ maxCacheSize, strategy, ttl: 0, latencySampleEvery: 0, scheduler: new VirtualTimeScheduler() });
    let hits = 0;
    for (const k of keys) if (cache.get(k) === undefined) cache.set(k, true);
    else hits++;
    cache.dispose();
    return (100 * hits) / keys.length;
  });
}
