/**
 * Parses the text of a cache trace: one key per line, as in the LIRS traces shipped with
 * Caffeine's simulator and libCacheSim's text traces.
 *
 * Rules: the text is UTF-8, and a UTF-8 byte-order mark at its start is skipped (editors
 * on Windows write one). `\n` or `\r\n` line ends (the last line may lack one); spaces and
 * tabs around a key are ignored; blank lines and `*` lines (the LIRS traces' checkpoint
 * markers) are skipped. A line that is a decimal integer (optionally negative) within
 * `Number.MAX_SAFE_INTEGER` becomes a number — as Caffeine and libCacheSim read block
 * numbers, so `007` and `7` are one key — and any other line a string.
 *
 * Apart from those integers, different lines are different keys: a line that is not
 * valid UTF-8 is an error rather than a string with U+FFFD in it (which would merge
 * `caf\xe9` and `caf\xe8` of a Latin-1 file into one key and skew every hit ratio
 * silently), and a U+FEFF anywhere but the start of the text is kept in its key.
 *
 * The parser works on the bytes: no string is made for the whole text or for a line
 * that is a number (traces run to millions of lines), and a line that is a string is
 * decoded alone.
 *
 * @module
 */

import { describe } from '../errors.js';
import { TraceFormatError, TraceReadError } from './traceErrors.js';

/** One request of a trace: a block or object number, or any other id as a string. */
export type TraceKey = number | string;

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const STAR = 42;
const MINUS = 45;
const ZERO = 48;
const BOM = [0xef, 0xbb, 0xbf] as const;
// 16 decimal digits may exceed 2^53; 17 always do. Longer lines are never numbers.
const MAX_DIGITS = 16;
/**
 * The most requests a trace may have: its keys are one array, and V8 stops growing an
 * array near 112.8 million elements with a fatal error no `catch` sees. A clean error
 * comes first.
 */
export const MAX_TRACE_REQUESTS = 100_000_000;

// keys.push(key), refusing the request past MAX_TRACE_REQUESTS.
function pushRequest(keys: TraceKey[], key: TraceKey, source: string): void {
  if (keys.length === MAX_TRACE_REQUESTS) {
    throw new TraceReadError(
      source,
      `has more than ${MAX_TRACE_REQUESTS.toLocaleString('en-US')} requests, the most a trace holds in memory ` +
        '(its keys are one JavaScript array): split it',
    );
  }
  keys.push(key);
}

// Fatal: invalid bytes throw instead of becoming U+FFFD, which would merge distinct keys.
// ignoreBOM: keep a U+FEFF that starts a line (the default strips it from each decode,
// i.e. from every line, merging "\uFEFFx" with "x"); the text's own BOM is skipped once.
let decoder: InstanceType<typeof TextDecoder> | undefined;
let encoder: InstanceType<typeof TextEncoder> | undefined;
// A surrogate not in a pair: TextEncoder would write it as U+FFFD, merging keys.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The keys of a trace given in memory: its text (a string, or bytes as read from a file,
 * already decompressed), or a list of keys (numbers are kept; each string is read as a
 * line, so `'42'` becomes `42` and `'*'` and blank entries are skipped).
 *
 * A UTF-8 byte-order mark is skipped at the start of the text only, not at the start of
 * each string of a list.
 *
 * @param source - names the trace in errors.
 * @throws TraceFormatError, with the 1-based {@link TraceFormatError.line} (for a list,
 *   the entry's position), if a line is not valid UTF-8, holds a NUL byte (binary data,
 *   not a text trace) or, in a string, a lone surrogate (a string with no UTF-8 form);
 *   or if the bytes are UTF-16 text (they start with a UTF-16 byte-order mark).
 *   TraceReadError if the trace has more than {@link MAX_TRACE_REQUESTS} requests.
 * @example
 * parseTrace('1\r\n2\n*\n\nfoo\n1');   // [1, 2, 'foo', 1]
 * parseTrace('\uFEFF7\n7');            // [7, 7]: the byte-order mark is not part of the key
 * parseTrace(['1', 2, 'x']);          // [1, 2, 'x']
 * parseTrace(Uint8Array.of(0x63, 0x61, 0x66, 0xe9), 'old.trace');
 * // throws TraceFormatError: trace "old.trace" line 1 is not valid UTF-8 ("caf\xe9") …
 */
export function parseTrace(input: string | Uint8Array | Iterable<TraceKey>, source = 'in-memory trace'): TraceKey[] {
  if (typeof input === 'string') return parseText(encode(input, source, 1), source);
  if (input instanceof Uint8Array) return parseText(input, source);
  if (typeof (input as Partial<Iterable<TraceKey>> | null | undefined)?.[Symbol.iterator] !== 'function')
    throw new TypeError(`macho: parseTrace takes a string, bytes or an iterable of keys; got ${describe(input)}`);
  const keys: TraceKey[] = [];
  let position = 0;
  for (const item of input) {
    position++;
    if (typeof item === 'number') pushRequest(keys, item, source);
    else if (typeof item === 'string') {
      const parsed = parseLines(encode(item, source, position), source, position);
      if (parsed.length > 1) {
        throw new TraceFormatError(source, `entry ${position} is a key with a line break in it: ${JSON.stringify(item)}`, {
          line: position,
        });
      }
      if (parsed.length === 1) pushRequest(keys, parsed[0]!, source);
    } else {
      throw new TraceFormatError(source, `entry ${position} is neither a number nor a string: ${describe(item)}`, {
        line: position,
      });
    }
  }
  return keys;
}

// A whole text: its byte-order mark skipped, then its lines.
function parseText(bytes: Uint8Array, source: string): TraceKey[] {
  if (bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]) return parseLines(bytes.subarray(3), source, 1);
  // UTF-16 would fail anyway (NUL bytes, invalid UTF-8), but on a line that says nothing
  // of the cause; "saved as Unicode" on Windows writes exactly this.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new TraceFormatError(source, 'is UTF-16 text (it starts with a UTF-16 byte-order mark); traces are read as UTF-8', { line: 1 });
  }
  return parseLines(bytes, source, 1);
}

// The keys of bytes' lines, the first of which is line firstLine (for errors).
function parseLines(bytes: Uint8Array, source: string, firstLine: number): TraceKey[] {
  const keys: TraceKey[] = [];
  const length = bytes.length;
  let line = firstLine - 1;
  let next = 0;
  while (next < length) {
    line++;
    let start = next;
    let end = bytes.indexOf(LF, next);
    if (end === -1) end = length;
    next = end + 1;
    while (start < end && isBlank(bytes[start]!)) start++;
    while (end > start && isBlank(bytes[end - 1]!)) end--;
    if (start === end || (end - start === 1 && bytes[start] === STAR)) continue;
    const number = integerAt(bytes, start, end);
    pushRequest(keys, number === undefined ? stringAt(bytes, start, end, source, line) : number, source);
  }
  return keys;
}

function isBlank(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === CR;
}

// The integer spelled by bytes[start, end), or undefined if it is not one or is not safe.
function integerAt(bytes: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  if (i === end) return undefined;
  let first = i; // leading zeros do not count towards the digits that must fit
  while (first < end - 1 && bytes[first] === ZERO) first++;
  if (end - first > MAX_DIGITS) return undefined;
  let value = 0;
  for (; i < end; i++) {
    const digit = bytes[i]! - ZERO;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  // Up to 15 digits the sum is exact; a 16th digit rounds once, and rounding is
  // monotone, so a true value above MAX_SAFE_INTEGER cannot come out at or below it.
  if (value > Number.MAX_SAFE_INTEGER) return undefined;
  return negative && value !== 0 ? -value : value;
}

function stringAt(bytes: Uint8Array, start: number, end: number, source: string, line: number): string {
  const text = bytes.subarray(start, end);
  if (text.includes(0)) {
    throw new TraceFormatError(source, `holds binary data (a NUL byte on line ${line}), not one key per line`, { line });
  }
  try {
    return (decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })).decode(text);
  } catch (error) {
    throw new TraceFormatError(source, `line ${line} is not valid UTF-8 (${escaped(text)}); convert the trace to UTF-8`, {
      cause: error,
      line,
    });
  }
}

// The UTF-8 bytes of text, refusing a lone surrogate (line: text's first line, for errors).
function encode(text: string, source: string, line: number): Uint8Array {
  // isWellFormed (ES2024, not in our lib) is native and ~8x faster than the regex on
  // non-Latin-1 text; the regex, which also says where, runs only if it says no or is missing.
  const wellFormed = (text as unknown as { isWellFormed?: () => boolean }).isWellFormed?.();
  const match = wellFormed === true ? null : LONE_SURROGATE.exec(text);
  if (match !== null) {
    for (let i = text.indexOf('\n'); i !== -1 && i < match.index; i = text.indexOf('\n', i + 1)) line++;
    throw new TraceFormatError(source, `line ${line} holds a lone surrogate, which has no UTF-8 form (a string cut inside a pair?)`, {
      line,
    });
  }
  return (encoder ??= new TextEncoder()).encode(text);
}

// Bytes shown in a message: printable ASCII as is, anything else as \xHH; at most 40.
function escaped(bytes: Uint8Array): string {
  let out = '"';
  for (const byte of bytes.subarray(0, 40)) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c; // not " or \
    out += printable ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > 40 ? `${out}"…` : `${out}"`;
}
