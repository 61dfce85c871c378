import { isUtf8 } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrace, readTrace, simulate, TraceFormatError } from 'macho';

// Traces are UTF-8 text. These specs pin down what happens at the edges of that:
// byte-order marks, bytes in another encoding, and strings with no UTF-8 form.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'macho-trace-encoding-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const BOM = [0xef, 0xbb, 0xbf];
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const withBom = (text: string): Uint8Array => Uint8Array.from([...BOM, ...utf8(text)]);
/** `café` and `cafè` in Latin-1, alternating: two keys, neither of them valid UTF-8. */
const latin1Alternating = latin1(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 'caf\xe9' : 'caf\xe8')).join('\n'));

/** The error `run` throws (or rejects with); fails the test if it throws nothing. */
async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parseTrace and UTF-8', () => {
  it('skips a UTF-8 byte-order mark at the start of the text, so a first-line integer is still a number', () => {
    expect(parseTrace(withBom('7\n7\nfoo\n'))).toEqual([7, 7, 'foo']);
    expect(parseTrace(withBom(' 42 \r\n'))).toEqual([42]);
    expect(parseTrace('\uFEFF7\n7')).toEqual([7, 7]);
    expect(parseTrace(withBom(''))).toEqual([]);
    expect(parseTrace(withBom('\n*\n'))).toEqual([]);
  });

  it('keeps a U+FEFF after the start of the text as part of its key, so distinct lines stay distinct keys', () => {
    expect(parseTrace(utf8('x\nx\n\uFEFFx\n\uFEFF7\n7'))).toEqual(['x', 'x', '\uFEFFx', '\uFEFF7', 7]);
  });

  it('refuses a line that is not valid UTF-8 with a TraceFormatError naming the source and the 1-based line', async () => {
    const error = await caught(() => parseTrace(Uint8Array.from([...utf8('1\n\nclé\n'), ...latin1('caf\xe9\n2\n')]), 'old.trace'));
    expect(error).toBeInstanceOf(TraceFormatError);
    expect((error as TraceFormatError).path).toBe('old.trace');
    expect((error as TraceFormatError).line).toBe(4);
    expect((error as Error).message).toMatch(/"old\.trace" line 4 is not valid UTF-8/);
    expect((error as Error).message).toContain('caf\\xe9'); // the offending bytes, escaped
  });

  it('refuses invalid UTF-8 of every kind: stray continuation bytes, truncated and overlong sequences, encoded surrogates', () => {
    for (const bad of [[0x80], [0x61, 0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff]]) {
      expect(() => parseTrace(Uint8Array.from([0x61, 0x0a, ...bad]))).toThrow(/line 2 is not valid UTF-8/);
    }
  });

  it('never merges two different lines into one key, unless both spell the same integer', () => {
    // A small alphabet so lines collide often: ASCII, digits, pieces of UTF-8 sequences,
    // the BOM's bytes, and bytes that are never UTF-8.
    const alphabet = [0x61, 0x62, 0x30, 0x31, 0xc3, 0xa9, 0xe9, 0xef, 0xbb, 0xbf, 0xbd, 0xff];
    const line = fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 5 }).map((b) => Uint8Array.from(b));
    const isInteger = (bytes: Uint8Array): boolean => /^-?[0-9]+$/.test(String.fromCharCode(...bytes));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (lines) => {
        // A first line of its own, so that no generated line starts the text.
        const text = Uint8Array.from([0x2d, ...lines.flatMap((l) => [0x0a, ...l])]);
        if (!lines.every((l) => isUtf8(l))) {
          expect(() => parseTrace(text)).toThrow(TraceFormatError);
          return;
        }
        const keys = parseTrace(text).slice(1);
        expect(keys).toHaveLength(lines.length);
        for (let i = 0; i < lines.length; i++) {
          for (let j = i + 1; j < lines.length; j++) {
            if (Buffer.compare(lines[i]!, lines[j]!) !== 0 && !(isInteger(lines[i]!) && isInteger(lines[j]!))) {
              expect(keys[i]).not.toBe(keys[j]);
            }
          }
        }
      }),
    );
  });

  it('refuses a string with a lone surrogate (it has no UTF-8 form), naming the line or the list entry', () => {
    expect(() => parseTrace('a\nb\n\uD800c')).toThrow(/line 3 .*lone surrogate/);
    expect(() => parseTrace(['a', 1, 'x\uDC00'], 'keys')).toThrow(/"keys" line 3 .*lone surrogate/);
    expect(parseTrace('\uD83D\uDE00\n')).toEqual(['\uD83D\uDE00']); // a surrogate pair is fine
  });

  it('refuses UTF-16 text, recognised by its byte-order mark', () => {
    const utf16le = Uint8Array.from([0xff, 0xfe, 0x37, 0x00, 0x0a, 0x00]);
    const utf16be = Uint8Array.from([0xfe, 0xff, 0x00, 0x37, 0x00, 0x0a]);
    expect(() => parseTrace(utf16le, 'win.trace')).toThrow(/"win\.trace" is UTF-16 text/);
    expect(() => parseTrace(utf16be)).toThrow(TraceFormatError);
  });
});

describe('readTrace and UTF-8', () => {
  it('skips a UTF-8 byte-order mark in plain and gzipped files', async () => {
    expect((await readTrace(file('bom.trace', withBom('7\n7\n*\n8\n')))).keys).toEqual([7, 7, 8]);
    expect((await readTrace(file('bom.trace.gz', gzipSync(withBom('7\r\n7\r\n8'))))).keys).toEqual([7, 7, 8]);
  });

  it('rejects a file in another encoding (Latin-1) with a TraceFormatError naming the path and line, plain or gzipped', async () => {
    for (const path of [file('latin1.trace', latin1Alternating), file('latin1.trace.gz', gzipSync(latin1Alternating))]) {
      const error = await caught(() => readTrace(path));
      expect(error).toBeInstanceOf(TraceFormatError);
      expect((error as TraceFormatError).path).toBe(path);
      expect((error as TraceFormatError).line).toBe(1);
      expect((error as Error).message).toContain(`${JSON.stringify(path)} line 1 is not valid UTF-8`);
    }
  });

  it('gives the hit ratios of the keys as written when the file has a BOM (no extra miss on the first line)', async () => {
    const trace = await readTrace(file('bom-sim.trace', withBom('7\n'.repeat(10))));
    expect(simulate(trace, { policies: ['lru'], sizes: [1] })[0]).toMatchObject({ hits: 9, misses: 1 });
  });
});
