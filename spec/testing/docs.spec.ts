import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The TSDoc of macho/testing ships in its .d.ts and is what users copy from: every
// line of a doc comment keeps its ` * ` (a bare line ends up outside the example in
// editors and docs), and examples import the package as users do, never a source path.
const srcTesting = new URL('../../src/testing/', import.meta.url);
const files = readdirSync(srcTesting)
  .filter((name) => name.endsWith('.ts'))
  .sort();

function docComments(source: string): Array<{ line: number; text: string[] }> {
  const comments: Array<{ line: number; text: string[] }> = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\/\*\*/.test(lines[i]!) || lines[i]!.includes('*/')) continue;
    const start = i;
    const text: string[] = [];
    while (++i < lines.length && !/^\s*\*\//.test(lines[i]!)) text.push(lines[i]!);
    comments.push({ line: start + 1, text });
  }
  return comments;
}

describe('TSDoc of src/testing', () => {
  it('finds the files', () => {
    expect(files).toContain('modelCommands.ts');
  });

  it.each(files)('%s: every doc comment line starts with " *"', (file) => {
    const source = readFileSync(fileURLToPath(new URL(file, srcTesting)), 'utf8');
    const bare = docComments(source).flatMap(({ line, text }) =>
      text.flatMap((content, offset) => (/^\s*\*( |$)/.test(content) ? [] : [`line ${line + offset + 1}: ${content}`])),
    );
    expect(bare).toEqual([]);
  });

  it.each(files)('%s: examples import packages, not source paths', (file) => {
    const source = readFileSync(fileURLToPath(new URL(file, srcTesting)), 'utf8');
    const imports = docComments(source)
      .flatMap(({ text }) => text)
      .flatMap((line) => [...line.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]!));
    expect(imports.filter((specifier) => !/^(macho|macho\/testing|macho\/testing\/core|fast-check|rxjs|immer)$/.test(specifier))).toEqual([]);
  });
});
