import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The published package works: `npm pack` it (prepack builds dist/), install the
// tarball into a scratch project next to rxjs, and use it there as a user would.
// Needs the npm registry (or a warm npm cache). Set MACHO_SKIP_PACK_TEST to skip.

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TIMEOUT = 120_000;

// npm_* variables from an enclosing `npm test` (npm_config_prefix and co.) would point
// the scratch install back at this repository; the child gets a clean environment.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

function exec(file: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd, env, timeout: TIMEOUT, maxBuffer: 64 * 1024 * 1024, shell: process.platform === 'win32' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${stderr}\n${stdout}`, { cause: error }));
        else resolve(stdout);
      },
    );
  });
}

const ESM_CHECK = `
import assert from 'node:assert/strict';
import { Observable } from 'rxjs';
import { Cache } from 'macho';
import * as testing from 'macho/testing';

const cache = new Cache({ maxCacheSize: 2, ttl: 60_000 });
cache.set('a', 1).set('b', 2);
assert.equal(cache.get('a'), 1);
cache.set('c', 3); // full: evicts 'b', the least recently used
assert.equal(cache.get('b'), undefined);
assert.deepEqual([...cache.keys()].sort(), ['a', 'c']);
// rxjs is a peer dependency: the cache's streams are the app's own RxJS observables.
assert.ok(cache.events$ instanceof Observable, 'one RxJS shared with the app');
cache.dispose();

const helpers = Object.keys(testing).filter((name) => typeof testing[name] === 'function');
assert.ok(helpers.length > 0, 'macho/testing exports its helpers');
// The fast-check-free part, for projects without it: the same objects as macho/testing's.
const core = await import('macho/testing/core');
assert.equal(core.createVirtualCache, testing.createVirtualCache);
assert.equal(core.cacheOperations, undefined, 'no fast-check arbitraries in macho/testing/core');
const virtual = core.createVirtualCache({ ttl: 100 });
virtual.cache.set('a', 1);
virtual.advance(100);
assert.equal(virtual.cache.has('a'), false);
virtual.dispose();
console.log('esm ok: macho/testing exports ' + helpers.sort().join(', '));
`;

const CJS_CHECK = `
const assert = require('node:assert/strict');
const path = require.resolve('macho/package.json');
const pkg = require('macho/package.json');
assert.equal(pkg.name, 'macho');
console.log('cjs ok: ' + path);
`;

// A strict TypeScript user of the shipped declarations, library checking on: generics
// flow through the events, the strategy builders and the testing kit, and a wrong
// value type is an error (the @ts-expect-error line fails the build if it is not).
const TS_CHECK = `
import { VirtualTimeScheduler, filter } from 'rxjs';
import fc from 'fast-check';
import { Cache, OPTIMAL, deleteCommand, getCommand, loaderGuard, simulate, tinyLfu, wasEvicted, type CacheEvent, type CacheOptions, type PolicyFactory } from 'macho';
import { applyOperation, cacheOperations, createVirtualCache } from 'macho/testing';
import { createVirtualCache as createCoreVirtualCache, type VirtualCache } from 'macho/testing/core';

interface User { name: string; visits: number }
const cache = new Cache<string, User>({ maxCacheSize: 10, ttl: 0, strategy: tinyLfu({ windowPercent: 0.2 }), scheduler: new VirtualTimeScheduler() });
cache.on('evict').subscribe(({ key, value }) => { const k: string = key; const v: User = value; void k; void v; });
cache.events$.subscribe((event: CacheEvent<string, User>) => { if (event.type === 'set') { const replaced: boolean = event.replaced; void replaced; } });
const user: User | undefined = cache.get('a');
void user;
cache.update('a', (draft) => { draft.visits += 1; });
// @ts-expect-error a number is not a User
cache.set('a', 1);
void loaderGuard.fromKeys(['a'], { kind: 'cuckoo', capacity: 10, probability: 0.01 });
const lifo: PolicyFactory = () => ({ name: 'lifo', onInsert() {}, onAccess() {}, onUpdate() {}, onRemove() {}, victim: () => 0, onClear() {} });
void lifo;
void simulate(['a', 'b'], { policies: ['lru', OPTIMAL], sizes: [1] });
const virtual = createVirtualCache<string, number>({ maxCacheSize: 5 });
const coreVirtual: VirtualCache<string, number> = createCoreVirtualCache<string, number>({ ttl: 1 });
coreVirtual.cache.set('a', 1);
fc.assert(fc.property(cacheOperations(['a', 'b'], fc.nat(3)), (ops) => { for (const op of ops) applyOperation(virtual, op); }), { numRuns: 1 });
// A Cache<string, User> is a Cache, as a Map<string, User> is a Map.
function dashboard(any: Cache): void { void any; }
dashboard(cache);
const many: Cache[] = [cache, new Cache<number, string>()];
void many;
// exactOptionalPropertyTypes: an option given as undefined is an option not given.
new Cache({ maxCacheSize: undefined, ttl: undefined }).dispose();
declare const maybeTtl: number | undefined;
cache.set('b', { name: 'b', visits: 0 }, { ttl: maybeTtl });
// execute() is typed by its command; wasEvicted keeps the key type through filter().
const got: User | undefined = cache.execute(getCommand('a', 0));
const gone: boolean = cache.execute(deleteCommand('a', 0));
void got;
void gone;
cache.events$.pipe(filter(wasEvicted)).subscribe((e) => { const k: string = e.key; void k; });
const config: CacheOptions<string> = { loaderGuard: (k) => k.length > 0 };
createVirtualCache<string, number>(config).dispose();
`;

const TS_CONFIG = {
  compilerOptions: {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    noEmit: true,
    skipLibCheck: false,
    types: [],
  },
  files: ['check.ts'],
};

describe.skipIf(Boolean(process.env.MACHO_SKIP_PACK_TEST))('the packed package', () => {
  const temporary: string[] = [];
  let files: string[] = [];
  let project = '';

  beforeAll(async () => {
    const packDir = await mkdtemp(join(tmpdir(), 'macho-pack-'));
    project = await mkdtemp(join(tmpdir(), 'macho-consumer-'));
    temporary.push(packDir, project);

    // Lifecycle output (the prepack build) goes to stderr; stdout is the JSON report.
    const report = JSON.parse(await exec(npm, ['pack', '--json', '--pack-destination', packDir], root)) as {
      filename: string;
      files: { path: string }[];
    }[];
    const tarball = join(packDir, report[0]!.filename);
    files = report[0]!.files.map((f) => f.path);

    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'macho-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2),
    );
    await writeFile(join(project, 'check.mjs'), ESM_CHECK);
    await writeFile(join(project, 'check.cjs'), CJS_CHECK);
    await writeFile(join(project, 'check.ts'), TS_CHECK);
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(TS_CONFIG, null, 2));
    // fast-check is an optional peer dependency, needed only by macho/testing. TypeScript
    // 5.4: the oldest the README promises the types work with.
    await exec(
      npm,
      ['install', tarball, 'rxjs@7', 'fast-check', 'typescript@5.4', '--no-audit', '--no-fund', '--prefer-offline'],
      project,
    );
  }, TIMEOUT);

  afterAll(async () => {
    await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('ships the build, its types and the docs, and no sources or specs', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts']));
    expect(files).toEqual(expect.arrayContaining(['dist/testing/index.js', 'dist/testing/index.d.ts']));
    expect(files.filter((path) => /^(src|spec|examples|bench)\//.test(path))).toEqual([]);
  });

  it('installs with the declared dependencies', async () => {
    const installed = JSON.parse(await readFile(join(project, 'node_modules/macho/package.json'), 'utf8')) as {
      peerDependencies: Record<string, string>;
    };
    expect(Object.keys(installed.peerDependencies)).toContain('rxjs');
  });

  it('works from an ES module: Cache from macho, helpers from macho/testing', async () => {
    expect(await exec(process.execPath, ['check.mjs'], project)).toMatch(/^esm ok/);
  });

  it('types check for a strict TypeScript user: 5.4, the oldest the README names, and this repository\'s own', async () => {
    const oldest = join(project, 'node_modules/typescript/bin/tsc');
    expect(await exec(process.execPath, [oldest, '-v'], project)).toMatch(/^Version 5\.4\./);
    await exec(process.execPath, [oldest, '-p', '.'], project);
    await exec(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], project);
  });

  it('lets CommonJS resolve macho/package.json', async () => {
    expect(await exec(process.execPath, ['check.cjs'], project)).toMatch(/^cjs ok: .*node_modules[\\/]macho[\\/]package\.json/);
  });
});
