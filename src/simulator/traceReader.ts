/**
 * Reads a trace file — plain text, or gzip of it — into memory, keys parsed once.
 *
 * Node's `fs` and `zlib` are imported on first use, by specifiers that are not literals,
 * not at the top of the module: the cache itself runs anywhere JavaScript does, and
 * importing `macho` must not pull Node built-ins into a browser bundle just because the
 * simulator is exported beside it (spec/package/browserBundle.spec.ts checks it).
 *
 * @module
 */

import type * as FsPromises from 'node:fs/promises';
import type * as Url from 'node:url';
import type * as Zlib from 'node:zlib';
import { describe, ERROR_PREFIX, knownOptions, messageOf } from '../errors.js';
import { TraceFormatError, TraceNotFoundError, TraceReadError } from './traceErrors.js';
import type { TraceKey } from './traceParser.js';
import { parseTrace } from './traceParser.js';

/** A trace in memory: its requests, in order. */
export interface Trace {
  /** A short name for tables: the file name without `.gz`, `.trace` or `.txt`. */
  readonly name: string;
  /** The requested keys, in order (one per request). */
  readonly keys: readonly TraceKey[];
}

/** Options of {@link readTrace}. */
export interface ReadTraceOptions {
  /** The trace's {@link Trace.name}; default: from the file name. */
  name?: string | undefined;
}

/**
 * Reads a trace file (format: see {@link parseTrace}). Gzip is recognised by its
 * magic bytes, whatever the file is called; a file named `*.gz` that is not gzip is
 * an error rather than a trace of garbage. The (decompressed) text must be UTF-8; a
 * UTF-8 byte-order mark at its start is skipped.
 *
 * The file is read whole, and its keys are one array: at most 2 GiB on disk, 4 GiB of
 * text once decompressed (Node's Buffer limits) and 100 million requests
 * (`MAX_TRACE_REQUESTS`, below where V8 stops growing an array); beyond any of them a
 * TraceReadError says which. Simulate a larger trace in parts.
 *
 * @throws (rejects with) TraceNotFoundError if the file does not exist, TraceFormatError
 *   for a corrupt or truncated gzip stream, binary content, a line that is not valid
 *   UTF-8 (a file in another encoding: convert it, e.g. `iconv -f LATIN1 -t UTF-8`) or
 *   UTF-16 text (with the 1-based line when one line is at fault), TraceReadError for
 *   any other I/O failure or a trace too large; each names the path. A TypeError for a
 *   path that is neither a string nor a file: URL Node can map to a path, or bad options.
 * @example
 * const gli = await readTrace('traces/gli.trace');
 * gli.keys.length; // 6015
 * const cs = await readTrace(new URL('./traces/cs.trace.gz', import.meta.url));
 */
export async function readTrace(path: string | URL, options: ReadTraceOptions = {}): Promise<Trace> {
  knownOptions(`${ERROR_PREFIX}readTrace()`, options, ['name']);
  if (options.name !== undefined && typeof options.name !== 'string')
    throw new TypeError(`${ERROR_PREFIX}readTrace(): option "name" must be a string; got ${describe(options.name)}`);
  const { readFile, gunzipSync, fileURLToPath } = await nodeModules(path);
  let file: string;
  try {
    // Any URL object Node takes (one from another realm, say jsdom's globals, too).
    file = typeof path === 'string' ? path : fileURLToPath(path);
  } catch (error) {
    throw new TypeError(`${ERROR_PREFIX}readTrace() takes a path string or a file: URL object; got ${givenPath(path, error)}`, {
      cause: error,
    });
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TraceNotFoundError(file, { cause: error });
    if (code === 'ERR_FS_FILE_TOO_LARGE')
      throw new TraceReadError(file, 'is too large to read at once (over 2 GiB): split it', { cause: error });
    throw new TraceReadError(file, `cannot be read (${code ?? String(error)})`, { cause: error });
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      // A valid stream whose text outgrows a Buffer is not a format error.
      if ((error as NodeJS.ErrnoException | null)?.code === 'ERR_BUFFER_TOO_LARGE')
        throw new TraceReadError(file, 'is too large: its decompressed text is over the 4 GiB a Buffer holds; split it', { cause: error });
      throw new TraceFormatError(file, `is not a valid gzip file (${messageOf(error)})`, { cause: error });
    }
  } else if (file.endsWith('.gz')) {
    throw new TraceFormatError(file, 'is named .gz but does not hold gzip data');
  }
  return { name: options.name ?? traceName(file), keys: parseTrace(bytes, file) };
}

// The Node modules readTrace needs, loaded at its first call, by specifiers that are not
// literals: a bundler for the browser leaves such an import alone, where a literal
// import('node:fs/promises') made esbuild refuse the whole package (the rest of which
// runs anywhere). Outside Node the call rejects with a TraceReadError saying so.
const NODE_MODULES: readonly string[] = ['node:fs/promises', 'node:zlib', 'node:url'];

interface NodeModules {
  readFile: typeof FsPromises.readFile;
  gunzipSync: typeof Zlib.gunzipSync;
  fileURLToPath: typeof Url.fileURLToPath;
}

async function nodeModules(path: unknown): Promise<NodeModules> {
  let loaded: unknown[];
  try {
    loaded = await Promise.all(NODE_MODULES.map((specifier) => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<unknown>));
  } catch (error) {
    throw new TraceReadError(typeof path === 'string' ? path : String(path), `cannot be read here: readTrace needs Node.js (${NODE_MODULES.join(', ')})`, {
      cause: error,
    });
  }
  const [fs, zlib, url] = loaded as [typeof FsPromises, typeof Zlib, typeof Url];
  return { readFile: fs.readFile, gunzipSync: zlib.gunzipSync, fileURLToPath: url.fileURLToPath };
}

/**
 * The short name of a trace file: its base name without `.gz`, then without `.trace`
 * or `.txt`.
 * @example
 * traceName('traces/cloudPhysicsIO.txt.gz'); // 'cloudPhysicsIO'
 */
export function traceName(path: string): string {
  if (typeof path !== 'string') throw new TypeError(`macho/simulator: traceName() takes a path string; got ${describe(path)}`);
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return base.replace(/\.gz$/, '').replace(/\.(trace|txt)$/, '');
}

// What readTrace was given, for its TypeError. A file: URL Node could not map to a path
// (a host, an encoded slash): its href and Node's reason (a file: URL carries no
// credentials to leak into logs). A URL of another scheme: its scheme only. Anything
// else, as describe() puts it. Reading a getter must not replace the error.
function givenPath(path: unknown, error: unknown): string {
  try {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_INVALID_FILE_URL_HOST' || code === 'ERR_INVALID_FILE_URL_PATH')
      return `${JSON.stringify(String((path as URL).href))} (${messageOf(error)})`;
    if (code === 'ERR_INVALID_URL_SCHEME') return `a ${JSON.stringify(String((path as URL).protocol))} URL`;
  } catch {
    // fall through
  }
  return describe(path);
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
