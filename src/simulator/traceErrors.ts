/**
 * Errors of the trace readers. Each names the trace (its path, or the label given to
 * an in-memory trace) so a failed benchmark over many traces says which one failed.
 *
 * @module
 */

import { ERROR_PREFIX } from '../errors.js';

/**
 * A trace could not be read: the base class of the trace errors, and what is thrown
 * for I/O failures other than a missing file (a directory, no permission, …).
 *
 * @example
 * try {
 *   await readTrace('traces/gli.trace');
 * } catch (error) {
 *   if (error instanceof TraceReadError) console.error(error.path, error.message);
 * }
 */
export class TraceReadError extends Error {
  override readonly name: string = 'TraceReadError';
  /** The trace's path (or label, for an in-memory trace). */
  readonly path: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${ERROR_PREFIX}trace ${JSON.stringify(path)} ${problem}`, options);
    this.path = path;
  }
}

/**
 * The trace file does not exist.
 *
 * @example
 * await readTrace('nope.trace'); // rejects with TraceNotFoundError: trace "nope.trace" does not exist
 */
export class TraceNotFoundError extends TraceReadError {
  override readonly name: string = 'TraceNotFoundError';

  constructor(path: string, options?: { cause?: unknown }) {
    super(path, 'does not exist', options);
  }
}

/**
 * The trace exists but its content cannot be a trace: a corrupt or truncated gzip
 * stream, a `.gz` file that is not gzip, binary data (a NUL byte) in a text trace, a
 * line that is not valid UTF-8 (a file in another encoding, such as Latin-1), or
 * UTF-16 text. Where one line is at fault, the message and {@link TraceFormatError.line}
 * say which.
 *
 * @example
 * await readTrace('broken.trace.gz'); // rejects with TraceFormatError: … is not a valid gzip file …
 * await readTrace('latin1.trace');    // rejects with TraceFormatError: trace "latin1.trace" line 1 is not valid UTF-8 ("caf\xe9") …
 */
export class TraceFormatError extends TraceReadError {
  override readonly name: string = 'TraceFormatError';
  /**
   * The 1-based line at fault (for a list of keys, the entry's position), or undefined
   * when the fault is not in one line (a corrupt gzip stream).
   */
  readonly line: number | undefined;

  constructor(path: string, problem: string, options?: { cause?: unknown; line?: number }) {
    super(path, problem, options);
    this.line = options?.line;
  }
}
