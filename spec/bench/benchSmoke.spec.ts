/**
 * The benchmark harness runs: `bench/run.ts --quick` in a child process, as CI would.
 * Checks only that it finishes, and that its tables name the baseline and Macho.
 * It never asserts a time: these sizes measure nothing, and CI machines are noisy.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'macho-bench-'));

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runBench(args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/run.ts', ...args],
      { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 170_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
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
