import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrace, readTrace, TraceFormatError, TraceNotFoundError, TraceReadError, traceName } from 'macho';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'macho-traces-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('parseTrace', () => {
  it('reads one key per line: integers as numbers, anything else as strings', () => {
    expect(parseTrace('1\n22\nfoo\n-3\n0\nabc def\n')).toEqual([1, 22, 'foo', -3, 0, 'abc def']);
  });

  it('skips blank lines and * marker lines, but keeps * inside a key', () => {
    expect(parseTrace('\n1\n*\n\n2\n \n*\n**\na*\n\n')).toEqual([1, 2, '**', 'a*']);
  });

  it('accepts CRLF line ends, spaces and tabs around keys, and a last line without newline', () => {
    expect(parseTrace('1\r\n2\r\n*\r\n\r\n 3 \t\r\n4')).toEqual([1, 2, 3, 4]);
    expect(parseTrace('7')).toEqual([7]);
    expect(parseTrace('x\r')).toEqual(['x']);
  });

  it('refuses what is neither text, bytes nor an iterable of keys, saying what it takes', () => {
    expect(() => parseTrace(123 as never)).toThrow(/parseTrace takes a string, bytes or an iterable of keys; got 123/);
    expect(() => parseTrace(null as never)).toThrow(TypeError);
  });

  it('gives an empty trace for empty or blank text', () => {
    expect(parseTrace('')).toEqual([]);
    expect(parseTrace('\n\r\n*\n')).toEqual([]);
    expect(parseTrace(new Uint8Array(0))).toEqual([]);
  });

  it('keeps integers beyond Number.MAX_SAFE_INTEGER as strings (no precision lost)', () => {
    const max = String(Number.MAX_SAFE_INTEGER); // 9007199254740991, 16 digits
    const over = '9007199254740992';
    const huge = '123456789012345678901234567890';
    expect(parseTrace([max, over, `-${max}`, `-${over}`, huge, '1e3', '0x10', '+5', '-', '1.5'].join('\n'))).toEqual([
      Number.MAX_SAFE_INTEGER,
      over,
      -Number.MAX_SAFE_INTEGER,
      `-${over}`,
      huge,
      '1e3',
      '0x10',
      '+5',
      '-',
      '1.5',
    ]);
  });

  it('reads every safe integer back as the same number, whatever the leading zeros', () => {
    fc.assert(
      fc.property(fc.array(fc.maxSafeInteger(), { maxLength: 20 }), fc.nat({ max: 3 }), (numbers, zeros) => {
        const text = numbers.map((n) => (n < 0 ? `-${'0'.repeat(zeros)}${-n}` : `${'0'.repeat(zeros)}${n}`)).join('\r\n');
        expect(parseTrace(text)).toEqual(numbers.map((n) => (Object.is(n, -0) ? 0 : n)));
      }),
    );
  });

  it('decodes UTF-8 keys', () => {
    expect(parseTrace(new TextEncoder().encode('clé\n日本\n'))).toEqual(['clé', '日本']);
  });

  it('takes a list of keys: numbers kept, strings read as lines', () => {
    expect(parseTrace(['1', 2, ' x ', '*', '', '3\r'])).toEqual([1, 2, 'x', 3]);
    expect(parseTrace(new Set<string | number>([5, '6']))).toEqual([5, 6]);
    expect(() => parseTrace(['a\nb'])).toThrow(TraceFormatError);
    expect(() => parseTrace([{}] as never)).toThrow(/neither a number nor a string/);
  });

  it('names the entry of a list that is not a key, by position, whatever it is', () => {
    const cases: Array<[unknown[], RegExp]> = [
      [['1', Object.create(null)], /entry 2 is neither a number nor a string: an object/], // no toString
      [['1', 2, 5n], /entry 3 is neither a number nor a string: 5n/],
      [[Symbol('s')], /entry 1 is neither a number nor a string: Symbol\(s\)/],
      [['1', 'a\nb'], /entry 2 is a key with a line break in it/],
    ];
    for (const [list, message] of cases) {
      const error = (() => {
        try {
          parseTrace(list as never);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(TraceFormatError);
      expect((error as Error).message).toMatch(message);
      expect((error as TraceFormatError).line).toBe(list.length);
    }
  });

  it('refuses binary content (a NUL byte), naming the source', () => {
    expect(() => parseTrace(new Uint8Array([49, 10, 0, 1, 2, 10]), 'blob.bin')).toThrow(/"blob\.bin" holds binary data/);
  });
});

describe('readTrace', () => {
  const text = '1\n2\n*\n\n1\nkey\n3';

  it('reads a plain text trace, named after its file', async () => {
    const trace = await readTrace(file('plain.trace', text));
    expect(trace).toEqual({ name: 'plain', keys: [1, 2, 1, 'key', 3] });
  });

  it('reads a gzipped trace (gzip recognised by its magic bytes) and a file URL', async () => {
    const path = file('zipped.trace.gz', gzipSync('1\r\n2\r\n*\r\n1\r\nkey\r\n3'));
    expect(await readTrace(path)).toEqual({ name: 'zipped', keys: [1, 2, 1, 'key', 3] });
    expect((await readTrace(pathToFileURL(path), { name: 'z' })).name).toBe('z');
    expect((await readTrace(file('no-extension', gzipSync(text)))).keys).toEqual([1, 2, 1, 'key', 3]);
  });

  it('rejects a missing file with TraceNotFoundError naming the path', async () => {
    const path = join(dir, 'missing.trace');
    const error = await readTrace(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceNotFoundError);
    expect(error).toBeInstanceOf(TraceReadError);
    expect((error as TraceNotFoundError).path).toBe(path);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/does not exist/);
  });

  it('rejects a corrupt or truncated gzip file with TraceFormatError naming the path', async () => {
    const zipped = gzipSync('1\n2\n3\n'.repeat(1000));
    const truncated = file('truncated.trace.gz', zipped.subarray(0, zipped.length >> 1));
    await expect(readTrace(truncated)).rejects.toThrow(TraceFormatError);
    await expect(readTrace(truncated)).rejects.toThrow(truncated);
    const garbled = Uint8Array.from(zipped);
    garbled.fill(0xff, 10, 30);
    const path = file('garbled.trace.gz', garbled);
    await expect(readTrace(path)).rejects.toThrow(/is not a valid gzip file/);
  });

  it('rejects a .gz file that is not gzip at all, and an empty .gz file', async () => {
    await expect(readTrace(file('fake.trace.gz', text))).rejects.toThrow(/named \.gz but does not hold gzip data/);
    await expect(readTrace(file('empty.trace.gz', ''))).rejects.toThrow(TraceFormatError);
  });

  it('rejects what cannot be read (a directory) with TraceReadError naming the path', async () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    const error = await readTrace(sub).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceReadError);
    expect(error).not.toBeInstanceOf(TraceNotFoundError);
    expect((error as Error).message).toContain(sub);
  });

  it('reads an empty text file as an empty trace', async () => {
    expect((await readTrace(file('empty.trace', ''))).keys).toEqual([]);
  });

  it('refuses bad arguments with a TypeError naming them, null and misspelt options included', async () => {
    const path = file('args.trace', text);
    await expect(readTrace(path, null as never)).rejects.toThrow(/readTrace\(\): options must be an object/);
    await expect(readTrace(path, { nmae: 'x' } as never)).rejects.toThrow(/unknown option "nmae"/);
    await expect(readTrace(path, { name: 5 } as never)).rejects.toThrow(/option "name" must be a string; got 5/);
    await expect(readTrace(42 as never)).rejects.toThrow(/takes a path string or a file: URL object; got 42/);
    // Not a file: URL: its scheme only (an href could carry a password into the logs).
    await expect(readTrace(new URL('https://alice:s3cret@example.com/x.trace'))).rejects.toThrow(/got a "https:" URL$/);
    // A file: URL Node cannot map to a path (an encoded slash): its href and Node's reason.
    await expect(readTrace(new URL('file:///a%2Fb.trace'))).rejects.toThrow(/got "file:\/\/\/a%2Fb\.trace" \(File URL path/);
    await expect(readTrace({ href: 'file:///x' } as never)).rejects.toThrow(/got an object$/); // not a URL at all
    // A URL object from another realm (jsdom's global URL, say) is taken as Node takes it.
    const { href, pathname } = pathToFileURL(path);
    const elsewhere = { href, protocol: 'file:', hostname: '', pathname } as unknown as URL;
    expect((await readTrace(elsewhere)).keys).toEqual([1, 2, 1, 'key', 3]);
    await expect(readTrace(path, null as never)).rejects.toBeInstanceOf(TypeError);
  });
});

describe('traceName', () => {
  it('strips the folder, .gz, then .trace or .txt', () => {
    expect(traceName('../shared/traces/cloudPhysicsIO.txt.gz')).toBe('cloudPhysicsIO');
    expect(traceName('/a/b/gli.trace')).toBe('gli');
    expect(traceName('C:\\traces\\2_pools.trace.gz')).toBe('2_pools');
    expect(traceName('data.csv')).toBe('data.csv');
  });
});
