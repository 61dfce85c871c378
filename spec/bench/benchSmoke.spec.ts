/**
 * The benchmark tools run: `bench/run.ts --quick`, `bench/pair.ts` and `bench/micro.ts` at
 * tiny sizes, each in a child process, as CI would.
 * Checks only that it finishes, and that its tables name the baseline and Macho.
 * It never asserts a time: these sizes measure nothing, and CI machines are noisy.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES } from 'macho';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'macho-bench-'));

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// A bench script in a child process, as CI would run it.
function runTool(script: string, args: readonly string[], timeout = 110_000): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, ...args],
      { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function runBench(args: readonly string[]): Promise<Outcome> {
  return runTool('bench/run.ts', args, 170_000);
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('bench/run.ts --quick', () => {
  it('exits 0 and prints Markdown tables naming lru-cache and macho', { timeout: 180_000 }, async () => {
    const json = join(scratch, 'quick.json');
    const { code, stdout, stderr } = await runBench(['--quick', `--json=${json}`]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^\| implementation \| ops\/s \| × lru-cache \|/m);
    expect(stdout).toMatch(/^\| lru-cache \| /m);
    expect(stdout).toMatch(/^\| macho lru \| /m);
    expect(stdout).toContain('## Memory');
    expect(stdout).toContain('## Latency');

    const raw = JSON.parse(readFileSync(json, 'utf8')) as {
      throughput: { workload: string; rows: { name: string; samples: unknown[] }[] }[];
    };
    const cacheAside = raw.throughput.find((w) => w.workload === 'cache-aside');
    expect(cacheAside?.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['lru-cache', 'macho lru', 'macho lru +evict']));
    for (const row of cacheAside?.rows ?? []) expect(row.samples).toHaveLength(1);
  });

  it('rejects an unknown flag with exit code 2 and the usage', { timeout: 60_000 }, async () => {
    const { code, stderr } = await runBench(['--no-such-flag']);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage:');
  });
});

describe('bench/pair.ts, bench/micro.ts and bench/hotKeyChurn.ts at tiny sizes', () => {
  it('pair.ts compares this tree with a copy of src/ and lru-cache', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await runTool('bench/pair.ts', [
      '--base=src',
      '--listen=evict',
      '--capacity=100',
      '--ops=4000',
      '--chunk=1000',
      '--rounds=1',
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/lru-cache \+dispose/);
    expect(stdout).toMatch(/macho \(this tree\)/);
    expect(stdout).toMatch(/this tree ÷ base/);
  });

  it('micro.ts prints ns per operation for every row', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await runTool('bench/micro.ts', ['--ops=2000', '--runs=1']);
    expect(code, stderr).toBe(0);
    for (const row of ['lru-cache', 'macho lru', 'lru-cache +dispose', 'macho lru +evict'])
      expect(stdout).toContain(`| ${row} |`);
  });

  it('hotKeyChurn.ts prints a row per store and workload', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await runTool('bench/hotKeyChurn.ts', ['--entries=1000', '--ops=100', '--passes=2']);
    expect(code, stderr).toBe(0);
    for (const store of ['lru-cache', 'macho lru', 'plain Map'])
      for (const workload of ['hot key', 'spread']) expect(stdout).toMatch(new RegExp(`\\| ${store} \\| ${workload} \\| [0-9.]+ \\| [0-9.]+ \\|`));
  });

  it('snapshots.ts prints a row per size, and refuses a bad flag', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await runTool('bench/snapshots.ts', ['--sizes=100,200', '--trials=5', '--shards=2']);
    expect(code, stderr).toBe(0);
    for (const size of ['100', '200']) expect(stdout).toMatch(new RegExp(`\\| ${size} \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+× \\|`));
    const bad = await runTool('bench/snapshots.ts', ['--trials=0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--trials takes an integer ≥ 1/);
  });

  it('micro.ts --policies prints a row, with ratios and memory, for every built-in strategy', { timeout: 180_000 }, async () => {
    const { code, stdout, stderr } = await runTool('bench/micro.ts', ['--policies', '--ops=2000', '--runs=1', '--entries=500']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('bytes per entry (500 entries)');
    for (const strategy of Object.keys(BUILTIN_POLICIES)) expect(stdout).toMatch(new RegExp(`\\| macho ${strategy} \\| [0-9.]+ \\([0-9.]+×\\)`));
  });
});
