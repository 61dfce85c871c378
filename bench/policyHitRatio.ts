/**
 * Scratch hit-ratio check of the eviction policies on the real traces in
 * `spec/fixtures/traces/`, replayed cache-aside (`get`; on a miss, `set`) through the public
 * `Cache`, next to the published figures. Used to tune W-TinyLFU and ARC; the proper
 * trace simulator lives in `src/simulator/`.
 *
 *   npx tsx bench/policyHitRatio.ts                      # gli, every policy below
 *   npx tsx bench/policyHitRatio.ts multi2 sprite        # other traces (.trace or .trace.gz)
 *   POLICIES=lru,tinylfu npx tsx bench/policyHitRatio.ts gli
 *
 * Reading: text, one key per line; blank lines and `*` lines skipped; CRLF accepted;
 * `.gz` files gunzipped. Keys that parse as decimal integers are numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Cache } from '../src/index.js';
import type { PolicyFactory } from '../src/policies/policy.js';
import { tinyLfu } from '../src/policies/tinyLfu.js';

const TRACES = join(dirname(fileURLToPath(import.meta.url)), '..', 'spec', 'fixtures', 'traces');

/** Reads a trace into an array of keys. */
export function readTrace(name: string): (number | string)[] {
  const candidates = [name, `${name}.trace`, `${name}.trace.gz`, `${name}.txt.gz`].map((n) => join(TRACES, n));
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined) throw new Error(`no trace "${name}" in ${TRACES}`);
  const raw = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const keys: (number | string)[] = [];
  for (const line of text.split('\n')) {
    const item = line.trim(); // also drops the \r of CRLF
    if (item === '' || item === '*') continue;
    keys.push(/^\d{1,15}$/.test(item) ? Number(item) : item);
  }
  return keys;
}

/** Hit ratio (%) of a cache of `size` entries over `keys`, cache-aside. */
export function hitRatio(keys: readonly (number | string)[], size: number, strategy: string | PolicyFactory): number {
  const cache = new Cache<number | string, true>({
    maxCacheSize: size,
    strategy: strategy as never,
    ttl: 0,
    latencySampleEvery: 0,
  });
  let hits = 0;
  for (const key of keys) {
    if (cache.get(key) === undefined) cache.set(key, true);
    else hits++;
  }
  cache.dispose();
  return (100 * hits) / keys.length;
}

const POLICIES: Record<string, string | PolicyFactory> = {
  lru: 'lru',
  arc: 'arc',
  tinylfu: 'tinylfu',
  'tinylfu-nojitter': tinyLfu({ jitter: false }),
};

// Published rows (spec/fixtures/traces/README.md): Caffeine's simulator, as in the dw-cache README.
const PUBLISHED: Record<string, Record<string, number[]>> = {
  gli: {
    'lru (published)': [0.91, 0.95, 1.15, 11.21, 21.25, 36.56, 45.04, 57.41],
    'arc (published)': [1.38, 1.38, 1.41, 21.3, 34.43, 50.44, 55.06, 57.41],
    'lirs (published)': [15.91, 33.6, 43.61, 50.56, 51.85, 53.55, 55.58, 57.96],
    'w-tinylfu (published)': [15.15, 33.08, 43.11, 50.57, 51.87, 53.57, 55.61, 57.96],
    'optimal (published)': [17.71, 34.33, 46.13, 53.15, 57.31, 57.96, 57.96, 57.96],
  },
};
const GLI_SIZES = [250, 500, 750, 1000, 1250, 1500, 1750, 2000];

function main(): void {
  const traces = process.argv.slice(2);
  const wanted = (process.env['POLICIES'] ?? Object.keys(POLICIES).join(',')).split(',');
  for (const trace of traces.length === 0 ? ['gli'] : traces) {
    const keys = readTrace(trace);
    const distinct = new Set(keys).size;
    const sizes = trace === 'gli' ? GLI_SIZES : [0.01, 0.02, 0.05, 0.1, 0.2, 0.4].map((f) => Math.max(1, Math.round(f * distinct)));
    console.log(`\n${trace}: ${keys.length} requests, ${distinct} distinct keys`);
    console.log(['policy'.padEnd(24), ...sizes.map((s) => String(s).padStart(7))].join(''));
    for (const name of wanted) {
      const strategy = POLICIES[name];
      if (strategy === undefined) throw new Error(`unknown policy ${name}; known: ${Object.keys(POLICIES).join(', ')}`);
      const row = sizes.map((size) => hitRatio(keys, size, strategy).toFixed(2).padStart(7));
      console.log([name.padEnd(24), ...row].join(''));
    }
    for (const [name, row] of Object.entries(PUBLISHED[trace] ?? {}))
      console.log([name.padEnd(24), ...row.map((r) => r.toFixed(2).padStart(7))].join(''));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
