import type { Command } from './commands.js';
import { COMMAND_TYPES } from './commands.js';
import { describe, InvalidCommandError, messageOf } from './errors.js';

// The fields of each type: the rest are left out of the copy that is applied and logged,
// so that execute() logs what the method it stands for would.
const FIELDS_OF: Readonly<Record<Command['type'], readonly string[]>> = {
  get: ['type', 'at', 'key'],
  delete: ['type', 'at', 'key'],
  set: ['type', 'at', 'key', 'value', 'ttl'],
  update: ['type', 'at', 'key', 'value'],
  clear: ['type', 'at'],
  expire: ['type', 'at', 'shard'],
};

// Every field any command has.
const COMMAND_FIELDS: ReadonlySet<PropertyKey> = new Set(Object.values(FIELDS_OF).flat());

/**
 * Checks that `command` is a well-formed {@link Command} for a cache of `shardCount`
 * shards, so a corrupt or hand-edited log is refused before it touches any state.
 * @param index - position in a log, for the error message.
 * @throws InvalidCommandError naming what is wrong; TypeError or RangeError for a bad
 *   `shardCount` (an integer ≥ 1) or `index` (an integer ≥ 0).
 * @example
 * validateCommand({ type: 'set', key: 'a', value: 1, at: 0 }, 1); // ok
 * validateCommand({ type: 'sett' }, 1); // throws InvalidCommandError
 */
export function validateCommand(command: unknown, shardCount: number, index?: number): asserts command is Command {
  // The caller's own arguments: a bad one must not read as a fault of the command.
  if (typeof shardCount !== 'number') throw new TypeError(`macho: validateCommand: shardCount must be a number; got ${describe(shardCount)}`);
  if (!Number.isInteger(shardCount) || shardCount < 1)
    throw new RangeError(`macho: validateCommand: shardCount must be an integer ≥ 1; got ${describe(shardCount)}`);
  if (index !== undefined && (typeof index !== 'number' || !Number.isInteger(index) || index < 0))
    throw new (typeof index === 'number' ? RangeError : TypeError)(`macho: validateCommand: index must be an integer ≥ 0 or left out; got ${describe(index)}`);
  checkedCommand(command, shardCount, index);
}

/**
 * {@link validateCommand}, returning the command as it is applied and logged: a frozen
 * plain object of the command's own fields of its type (in their order), enumerable or
 * not. What is applied is then exactly what is logged: no field read through a
 * prototype, none left out of the copy, and no field its type does not have.
 * @throws InvalidCommandError naming what is wrong.
 * @example
 * checkedCommand({ type: 'get', key: 'a', at: 0, note: 'x' }, 1); // { type: 'get', key: 'a', at: 0 }
 */
export function checkedCommand(command: unknown, shardCount: number, index?: number): Command {
  const where = index === undefined ? '' : `command #${index}: `;
  const fail = (message: string): never => {
    throw new InvalidCommandError(where + message, command);
  };
  if (typeof command !== 'object' || command === null) return fail(`expected an object, got ${describe(command)}`);
  // Own fields only, read once: what is checked here is what is applied and logged.
  const c: Record<string, unknown> = {};
  try {
    for (const field of Reflect.ownKeys(command))
      if (COMMAND_FIELDS.has(field)) c[field as string] = (command as Record<PropertyKey, unknown>)[field];
  } catch (error) {
    // A throwing getter, a revoked Proxy: a command that cannot be read is malformed.
    return fail(`its fields could not be read: ${messageOf(error)}`);
  }
  if (!COMMAND_TYPES.includes(c.type as Command['type']))
    return fail(`unknown type ${describe(c.type)}; expected one of ${COMMAND_TYPES.join(', ')}`);
  if (typeof c.at !== 'number' || !Number.isFinite(c.at)) return fail(`"at" must be a finite number, got ${describe(c.at)}`);
  switch (c.type) {
    case 'set':
      if (!('key' in c)) fail('a set needs a "key"');
      // set(key, undefined) is logged as a delete, so a set without a value is a
      // truncated or edited log, not something to read as a delete.
      if (c.value === undefined) fail('a set needs a "value"');
      if (c.ttl !== undefined && !(typeof c.ttl === 'number' && c.ttl >= 0))
        fail(`"ttl" must be a number of ms ≥ 0, got ${describe(c.ttl)}`);
      // Logged as set() logs it: "never" is 0, which survives JSON (Infinity would
      // become null, and the saved log could not be replayed).
      if (c.ttl === Infinity) c.ttl = 0;
      break;
    case 'update':
      if (!('key' in c)) fail('an update needs a "key"');
      if (c.value === undefined) fail('an update needs a "value"');
      break;
    case 'get':
    case 'delete':
      if (!('key' in c)) fail(`a ${String(c.type)} needs a "key"`);
      break;
    case 'expire':
      if (!(Number.isInteger(c.shard) && (c.shard as number) >= 0 && (c.shard as number) < shardCount))
        fail(
          `"shard" must be an integer from 0 to ${shardCount - 1}, got ${describe(c.shard)}` +
            (Number.isInteger(c.shard) && (c.shard as number) >= shardCount
              ? ` (this cache has ${shardCount} shard${shardCount === 1 ? '' : 's'}: was the log recorded with another shardCount?)`
              : ''),
        );
      break;
  }
  const fields = FIELDS_OF[c.type as Command['type']];
  const own: Record<string, unknown> = {};
  for (const field of Object.keys(c)) if (fields.includes(field)) own[field] = c[field];
  return Object.freeze(own) as unknown as Command;
}
