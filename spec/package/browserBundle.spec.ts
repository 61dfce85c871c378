import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

// The cache runs anywhere JavaScript does, so a bundler for the browser must take the
// package whole: only readTrace needs Node, and it says so when called elsewhere.
describe('a browser bundle', () => {
  it('builds for platform "browser" and runs where there is no process, require or Node module', { timeout: 60_000 }, async () => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['src/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'macho',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const context = vm.createContext({ setTimeout, clearTimeout, console, performance, queueMicrotask });
    vm.runInContext(`${result.outputFiles[0]!.text}\n;globalThis.macho = macho;`, context);
    const outcome = (await vm.runInContext(
      `(async () => {
        const cache = new macho.Cache({ maxCacheSize: 2, ttl: 20 });
        const sizes = [];
        cache.snapshots$.subscribe((snapshot) => sizes.push(snapshot.size));
        cache.set('a', 1).set('b', 2).set('c', 3);
        const hit = cache.get('c');
        await new Promise((resolve) => setTimeout(resolve, 40));
        let refusal;
        try { await macho.readTrace('gli.trace'); } catch (error) { refusal = error.name + ': ' + error.message; }
        // The first two emissions: at subscription, and the tick after the writes (the one
        // after the expiry depends on how late a loaded machine runs that timer).
        const result = { process: typeof process, hit, evictions: cache.metrics().evictions, size: cache.size, sizes: sizes.slice(0, 2), refusal };
        cache.dispose();
        return JSON.stringify(result);
      })()`,
      context,
    )) as string;
    expect(JSON.parse(outcome)).toEqual({
      process: 'undefined',
      hit: 3,
      evictions: 1,
      size: 0, // both entries expired after 20 ms
      sizes: [0, 2],
      refusal: 'TraceReadError: macho: trace "gli.trace" cannot be read here: readTrace needs Node.js (node:fs/promises, node:zlib, node:url)',
    });
  });
});
