/**
 * Parses the text of a cache trace: one key per line, as in the LIRS traces shipped with
 * Caffeine's simulator and libCacheSim's text traces.
 *
 * Rules: `\n` or `\r\n` line ends (the last line may lack one); spaces and tabs around a
 * key are ignored; blank lines and `*` lines (the LIRS traces' checkpoint markers) are
 * skipped. A line that is a decimal integer (optionally negative) within
 * `Number.MAX_SAFE_INTEGER` becomes a number — as Caffeine and libCacheSim read block
 * numbers, so `007` and `7` are one key — and any other line a string.
 *
 * The parser works on the bytes: no string is made for the whole text or for a line
 * that is a number (traces run to millions of lines), and a line that is a string is
 * decoded alone.
 *
 * @module
 */

import { TraceFormatError } from './traceErrors.js';

/** One request of a trace: a block or object number, or any other id as a string. */
export type TraceKey = number | string;

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const STAR = 42;
const MINUS = 45;
const ZERO = 48;
// 16 decimal digits may exceed 2^53; 17 always do. Longer lines are never numbers.
const MAX_DIGITS = 16;

let decoder: InstanceType<typeof TextDecoder> | undefined;
let encoder: InstanceType<typeof TextEncoder> | undefined;

/**
 * The keys of a trace given in memory: its text (a string, or bytes as read from a file,
 * already decompressed), or a list of keys (numbers are kept; each string is read as a
 * line, so `'42'` becomes `42` and `'*'` and blank entries are skipped).
 *
 * @param source - names the trace in errors.
 * @throws TraceFormatError if the text holds a NUL byte (binary data, not a text trace).
 * @example
 * parseTrace('1\r\n2\n*\n\nfoo\n1');   // [1, 2, 'foo', 1]
 * parseTrace(['1', 2, 'x']);          // [1, 2, 'x']
 */
export function parseTrace(input: string | Uint8Array | Iterable<TraceKey>, source = 'in-memory trace'): TraceKey[] {
  if (typeof input === 'string') return parseTraceBytes((encoder ??= new TextEncoder()).encode(input), source);
  if (input instanceof Uint8Array) return parseTraceBytes(input, source);
  const keys: TraceKey[] = [];
  for (const item of input) {
    if (typeof item === 'number') keys.push(item);
    else if (typeof item === 'string') {
      const parsed = parseTraceBytes((encoder ??= new TextEncoder()).encode(item), source);
      if (parsed.length > 1) throw new TraceFormatError(source, `has a key with a line break in it: ${JSON.stringify(item)}`);
      if (parsed.length === 1) keys.push(parsed[0]!);
    } else throw new TraceFormatError(source, `has a key that is neither a number nor a string: ${String(item)}`);
  }
  return keys;
}

function parseTraceBytes(bytes: Uint8Array, source: string): TraceKey[] {
  const keys: TraceKey[] = [];
  const length = bytes.length;
  let next = 0;
  while (next < length) {
    let start = next;
    let end = bytes.indexOf(LF, next);
    if (end === -1) end = length;
    next = end + 1;
    while (start < end && isBlank(bytes[start]!)) start++;
    while (end > start && isBlank(bytes[end - 1]!)) end--;
    if (start === end || (end - start === 1 && bytes[start] === STAR)) continue;
    const number = integerAt(bytes, start, end);
    keys.push(number === undefined ? stringAt(bytes, start, end, source) : number);
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

function stringAt(bytes: Uint8Array, start: number, end: number, source: string): string {
  const line = bytes.subarray(start, end);
  if (line.includes(0)) throw new TraceFormatError(source, 'holds binary data (a NUL byte), not one key per line');
  return (decoder ??= new TextDecoder()).decode(line);
}
