/**
 * Errors Macho throws. Option errors are plain `TypeError`/`RangeError` (what callers
 * of a JavaScript API expect), each naming the option; everything else has its own
 * class so it can be told apart with `instanceof`.
 *
 * @module
 */

/** Prefix for every message, so a log line says where it came from. */
export const ERROR_PREFIX = 'macho: ';

/**
 * Thrown by any operation on a cache after {@link Cache.dispose}.
 *
 * @example
 * cache.dispose();
 * cache.get('a'); // throws CacheDisposedError
 */
export class CacheDisposedError extends Error {
  override readonly name = 'CacheDisposedError';
  constructor(operation: string) {
    super(`${ERROR_PREFIX}cannot ${operation}: the cache has been disposed`);
  }
}

/**
 * Thrown when a custom {@link EvictionPolicy} breaks its contract.
 *
 * - Its `victim()` names a slot that holds no entry, or throws: the command changes
 *   nothing (no entry, event, log entry or count), and the cache stays usable.
 * - Another hook throws (`onInsert`, `onAccess`, `onUpdate`, `onRemove`, `onMiss`,
 *   `onClear`): the command takes effect on the cache's side as it would have (entries,
 *   events, log and metrics agree), then this is thrown, with the policy's error as
 *   `cause`. The policy's own bookkeeping is as its throw left it; a victim it names
 *   later that holds no entry is refused as above.
 */
export class PolicyContractError extends Error {
  override readonly name = 'PolicyContractError';
  constructor(policy: string, message: string, options?: ErrorOptions) {
    super(`${ERROR_PREFIX}policy "${policy}" ${message}`, options);
  }
}

/**
 * Thrown by {@link Cache.execute} and {@link Cache.replay} for a value that is not a
 * well-formed command (a corrupt or hand-edited log). Nothing is applied.
 */
export class InvalidCommandError extends TypeError {
  override readonly name = 'InvalidCommandError';
  constructor(message: string, readonly command: unknown) {
    super(`${ERROR_PREFIX}invalid command: ${message}`);
  }
}

/** A `TypeError` naming the option that has the wrong type. */
export function optionTypeError(option: string, expected: string, got: unknown): TypeError {
  return new TypeError(`${ERROR_PREFIX}option "${option}" must be ${expected}; got ${describe(got)}`);
}

/** A `RangeError` naming the option whose value is out of range. */
export function optionRangeError(option: string, expected: string, got: unknown): RangeError {
  return new RangeError(`${ERROR_PREFIX}option "${option}" must be ${expected}; got ${describe(got)}`);
}

/**
 * Checks that an options argument is an object whose names are all `known`, so that a
 * typo (`hirPrecent`) is an error instead of a default silently kept.
 *
 * @param what - names the call in messages (`macho/lirs`, `simulate`).
 * @throws TypeError for a non-object (or an array) and for an unknown name.
 * @example
 * knownOptions('macho/lirs', { hirPrecent: 0.1 }, ['hirPercent', 'nonResidentMultiplier']); // throws
 */
export function knownOptions(what: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`${what}: options must be an object; got ${describe(options)}`);
  // Inherited enumerable names too (for…in): options are read through the prototype
  // chain, so a misspelt one there would be missed as surely as an own one.
  for (const name in options) {
    if (!known.includes(name))
      throw new TypeError(`${what}: unknown option ${JSON.stringify(name)}; known options are ${known.join(', ')}`);
  }
}

/** A short, safe rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return String(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * The message of something thrown, for an error of ours that wraps it: its `message`
 * if it has a string one (an Error from any realm, a plain `{ message }`), else a
 * description of the value. Never throws itself (a throwing getter, a Proxy): that
 * would replace the clear error being built with its own.
 */
export function messageOf(thrown: unknown): string {
  try {
    if (typeof thrown === 'object' && thrown !== null) {
      const { message } = thrown as { message?: unknown };
      if (typeof message === 'string') return message;
    }
    return describe(thrown);
  } catch {
    return 'a value that could not be read';
  }
}
