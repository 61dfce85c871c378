import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

// Every script in examples/ (whatever is there: the glob picks up new ones) must run
// to completion on its own, as a user would run it, so the examples never rot.
const root = fileURLToPath(new URL('..', import.meta.url));
const examples = readdirSync(new URL('../examples/', import.meta.url))
  .filter((name) => name.endsWith('.ts'))
  .sort();

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(file: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `examples/${file}`],
      // A timeout kills a script that would hang (for example a timer keeping it alive).
      { cwd: root, timeout: 90_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

describe('examples', () => {
  it('finds the examples', ({ expect }) => {
    expect(examples).toContain('demo.ts');
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  // Concurrent: each example is a separate process, so they run side by side.
  describe.concurrent.each(examples)('examples/%s', (file) => {
    it('exits 0 by itself and prints something', { timeout: 120_000 }, async ({ expect }) => {
      const result = await run(file);
      expect(result.signal, `killed (hung?)\n${result.stderr}`).toBeNull();
      expect(result.code, `stderr:\n${result.stderr}`).toBe(0);
      expect(result.stdout.trim().length).toBeGreaterThan(0);
    });
  });
});
