/**
 * Command-line flags of `bench/run.ts`.
 *
 * @module
 */

/** The sections besides the throughput workloads, selectable with `--workload`. */
export const SECTIONS = ['memory', 'latency'] as const;

/** Parsed flags. */
export interface Flags {
  /** Tiny sizes, one round, no warm-up: a smoke run for CI. */
  readonly quick: boolean;
  /** Implementation filters (substrings, case-insensitive; exact names with `--exact`). */
  readonly only: readonly string[];
  readonly exact: boolean;
  /** Workload and section names to run; empty: all. */
  readonly workloads: readonly string[];
  /** Measured rounds; `undefined`: the default for the mode. */
  readonly rounds: number | undefined;
  /** Where to write raw results as JSON. */
  readonly json: string | undefined;
  readonly seed: number;
  readonly help: boolean;
}

/** Usage text for `--help`. */
export const USAGE = `Usage: node --expose-gc --import tsx bench/run.ts [flags]

  --quick             tiny sizes, 1 round, no warm-up: checks the bench runs (CI smoke); measures nothing
  --only=a,b          only implementations whose name contains one of these (case-insensitive);
                      lru-cache always runs, as the baseline of the ratios
  --exact             with --only: names must match exactly (e.g. --only="macho lru" --exact)
  --workload=a,b      only these workloads / sections (exact names; see the list below)
  --rounds=N          measured rounds (default 5; a warm-up round is added and discarded)
  --json=FILE         also write every raw sample, the machine and the settings to FILE
  --seed=N            seed of the key streams (default 42)
  --help              this text

Markdown goes to stdout, progress to stderr.`;

/** A bad flag: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes an integer ≥ 1; got "${text}"`);
  return n;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Parses `argv` (without node and the script).
 * @throws UsageError for an unknown flag or a bad value.
 */
export function parseFlags(argv: readonly string[]): Flags {
  let quick = false;
  let exact = false;
  let help = false;
  let only: string[] = [];
  let workloads: string[] = [];
  let rounds: number | undefined;
  let json: string | undefined;
  let seed = 42;
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? undefined : arg.slice(eq + 1);
    const need = (): string => {
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value: ${flag}=…`);
      return value;
    };
    switch (flag) {
      case '--quick':
        quick = true;
        break;
      case '--exact':
        exact = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      case '--only':
        only = list(need());
        break;
      case '--workload':
      case '--workloads':
        workloads = list(need());
        break;
      case '--rounds':
        rounds = positiveInteger(flag, need());
        break;
      case '--json':
        json = need();
        break;
      case '--seed':
        seed = positiveInteger(flag, need());
        break;
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  return { quick, only, exact, workloads, rounds, json, seed, help };
}

/** True when `name` passes the `--only` filter. */
export function selected(name: string, flags: Pick<Flags, 'only' | 'exact'>): boolean {
  if (flags.only.length === 0) return true;
  const lower = name.toLowerCase();
  return flags.only.some((term) => (flags.exact ? lower === term.toLowerCase() : lower.includes(term.toLowerCase())));
}
