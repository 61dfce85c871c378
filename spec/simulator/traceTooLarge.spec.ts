/**
 * Traces beyond what Node can hold in one Buffer: a file over 2 GiB, or gzip whose text
 * is over 4 GiB. Neither is a format error; both say the trace is too large. Made with
 * mocks: such files are too big to write in a test.
 */
import type * as FsPromises from 'node:fs/promises';
import type * as Zlib from 'node:zlib';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { readTrace, TraceFormatError, TraceReadError } from 'macho';

const limits = vi.hoisted(() => ({ file: false, text: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof FsPromises>();
  const readFile = (async (...args: Parameters<typeof original.readFile>) => {
    if (limits.file)
      throw Object.assign(new RangeError('File size (3221225472) is greater than 2 GiB'), { code: 'ERR_FS_FILE_TOO_LARGE' });
    if (limits.text) return gzipSync('1\n2\n');
    return original.readFile(...args);
  }) as typeof original.readFile;
  return { ...original, readFile, default: { ...original, readFile } };
});

vi.mock('node:zlib', async (importOriginal) => {
  const original = await importOriginal<typeof Zlib>();
  const gunzipSync = ((...args: Parameters<typeof original.gunzipSync>) => {
    if (limits.text)
      throw Object.assign(new RangeError('Cannot create a Buffer larger than 4294967296 bytes'), { code: 'ERR_BUFFER_TOO_LARGE' });
    return original.gunzipSync(...args);
  }) as typeof original.gunzipSync;
  return { ...original, gunzipSync, default: { ...original, gunzipSync } };
});

describe('readTrace on traces too large for one Buffer', () => {
  it('a file over 2 GiB: TraceReadError saying it is too large', async () => {
    limits.file = true;
    try {
      const error = await readTrace('huge.trace').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TraceReadError);
      expect((error as Error).message).toMatch(/"huge\.trace" is too large to read at once \(over 2 GiB\)/);
    } finally {
      limits.file = false;
    }
  });

  it('gzip whose text is over 4 GiB: TraceReadError, not "not a valid gzip file"', async () => {
    limits.text = true;
    try {
      const error = await readTrace('huge.trace.gz').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TraceReadError);
      expect(error).not.toBeInstanceOf(TraceFormatError);
      expect((error as Error).message).toMatch(/decompressed text is over the 4 GiB a Buffer holds/);
    } finally {
      limits.text = false;
    }
  });
});
