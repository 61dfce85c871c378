import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// fast-check is an optional peer dependency: only the arbitraries and the model
// commands may import it. The virtual-time cache, the invariants, the event recorder,
// the operations and the model must load without it, through every file they import:
// macho/testing/core (core.ts) exports them for projects without fast-check.
const srcTesting = fileURLToPath(new URL('../../src/testing/', import.meta.url));

function importClosure(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)].map(
      (m) => (m[1] ?? m[2])!,
    );
    seen.set(file, specifiers);
    for (const specifier of specifiers)
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return seen;
}

describe('macho/testing without fast-check', () => {
  it.each(['core.ts', 'virtualCache.ts', 'invariants.ts', 'eventRecorder.ts', 'operations.ts', 'cacheModel.ts'])(
    '%s imports fast-check nowhere in its import graph',
    (file) => {
      const closure = importClosure(resolve(srcTesting, file));
      expect(closure.size).toBeGreaterThan(0);
      const offenders = [...closure].filter(([, specifiers]) => specifiers.some((s) => /^fast-check(\/|$)/.test(s)));
      expect(offenders.map(([path]) => path)).toEqual([]);
    },
  );

  it('the fast-check helpers do import it (so the check above can see an import)', () => {
    const closure = importClosure(resolve(srcTesting, 'arbitraries.ts'));
    expect(closure.get(resolve(srcTesting, 'arbitraries.ts'))).toContain('fast-check');
  });
});
