import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = fileURLToPath(new URL('../fixtures/undisposedCache.ts', import.meta.url));

describe('lifecycle: the process', () => {
  // Not a timing assertion: the child has timers due in a minute and in 34 years; if
  // any of them kept Node alive, the 20 s guard would kill it and the test would fail.
  // 'numeric': setTimeout returns a number (browsers, Deno), which has no unref().
  // 'async', 'asap', 'queue': RxJS's own schedulers passed as the option, whose delayed
  // work runs on ref'd host intervals.
  it.each(['default', 'exact', 'numeric', 'async', 'asap', 'queue'])('exits on its own with a cache that nobody disposed (%s clock)', async (clock) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, clock], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect(stderr).toBe('');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(JSON.parse(stdout)).toEqual({ size: 102, disposed: false });
  }, 30_000);
});
