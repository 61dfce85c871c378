/**
 * Command-line flags for the bench scripts: `node:util`'s `parseArgs`, plus `--help`
 * (prints the usage, exits 0) and a clear refusal of an unknown or malformed flag
 * (the message and the usage on stderr, exit code 2) instead of a stack trace.
 *
 * @module
 */
import { parseArgs } from 'node:util';

type FlagOptions = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/**
 * The parsed flags, or the process ends: with the usage on `--help`, with an error
 * naming the flag otherwise.
 *
 * @example
 * const values = parseFlags(USAGE, { runs: { type: 'string', default: '9' } });
 */
export function parseFlags<T extends FlagOptions>(usage: string, options: T): ReturnType<typeof parseArgs<{ options: T }>>['values'] {
  let parsed;
  try {
    parsed = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    console.log(usage);
    process.exit(0);
  }
  return parsed.values as ReturnType<typeof parseArgs<{ options: T }>>['values'];
}
