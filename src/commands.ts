/**
 * Commands: every operation on a cache is one of these plain, serialisable objects.
 *
 * The log of commands a cache publishes on `commands$` is complete: replaying it into
 * a fresh cache with the same options ({@link Cache.replay}) rebuilds the same state.
 * That is why each command carries its own timestamp (`at`, from the cache's clock):
 * expiry is decided by the time in the command, never by the clock of whoever replays.
 *
 * Each creator builds a command and carries `.type` and a `.match()` type guard, so
 * `commands$.pipe(filter(setCommand.match))` narrows the stream.
 *
 * @module
 */

/** `set(key, value, { ttl })`: insert or overwrite. */
export interface SetCommand<K = unknown, V = unknown> {
  readonly type: 'set';
  readonly key: K;
  /** Never `undefined`: `set(key, undefined)` is logged as a `delete`, and `execute` refuses a set without a value. */
  readonly value: V;
  /** Per-entry TTL in ms when it overrides the cache's default; `0` = never expires. */
  readonly ttl?: number | undefined;
  readonly at: number;
}

/** `get(key)`: a read that counts a hit or a miss and refreshes recency. */
export interface GetCommand<K = unknown> {
  readonly type: 'get';
  readonly key: K;
  readonly at: number;
}

/** `update(key, recipe)`: replace the value of a live entry, keeping its expiry. */
export interface UpdateCommand<K = unknown, V = unknown> {
  readonly type: 'update';
  readonly key: K;
  readonly value: V;
  readonly at: number;
}

/** `delete(key)`. */
export interface DeleteCommand<K = unknown> {
  readonly type: 'delete';
  readonly key: K;
  readonly at: number;
}

/** `clear()`: empties every shard. */
export interface ClearCommand {
  readonly type: 'clear';
  readonly at: number;
}

/**
 * Expiry clean-up: removes every entry of shard `shard` whose expiry is at or before
 * `at`. Issued by the expiry timer and by reads that must not see stale entries.
 */
export interface ExpireCommand {
  readonly type: 'expire';
  readonly shard: number;
  readonly at: number;
}

/** Every command, discriminated on `type`. */
export type Command<K = unknown, V = unknown> =
  | SetCommand<K, V>
  | GetCommand<K>
  | UpdateCommand<K, V>
  | DeleteCommand<K>
  | ClearCommand
  | ExpireCommand;

/** The `type` of every command. */
export type CommandType = Command['type'];

/** The command types, in a stable order (validation, docs, arbitraries). */
export const COMMAND_TYPES: readonly CommandType[] = Object.freeze([
  'set',
  'get',
  'update',
  'delete',
  'clear',
  'expire',
]);

/** What every command creator carries besides being a function. */
export interface CommandCreatorTag<T extends CommandType> {
  readonly type: T;
  /** True when `command` is of this creator's type (a type guard for `filter`). */
  match<K, V>(command: Command<K, V>): command is Extract<Command<K, V>, { type: T }>;
}

function withType<T extends CommandType, F extends (...args: never[]) => Command>(
  type: T,
  build: F,
): F & CommandCreatorTag<T> {
  const match = (command: Command): boolean => command.type === type;
  return Object.assign(build, { type, match }) as F & CommandCreatorTag<T>;
}

/**
 * Builds a {@link SetCommand}.
 * @example
 * cache.execute(setCommand('a', 1, Date.now()));
 */
export const setCommand = withType(
  'set',
  <K, V>(key: K, value: V, at: number, ttl?: number): SetCommand<K, V> =>
    ttl === undefined ? { type: 'set', key, value, at } : { type: 'set', key, value, ttl, at },
);

/**
 * Builds a {@link GetCommand}.
 * @example
 * cache.commands$.pipe(filter(getCommand.match)).subscribe((c) => console.log('read', c.key));
 */
export const getCommand = withType('get', <K>(key: K, at: number): GetCommand<K> => ({ type: 'get', key, at }));

/**
 * Builds an {@link UpdateCommand}.
 * @example
 * cache.execute(updateCommand('a', 2, Date.now()));
 */
export const updateCommand = withType(
  'update',
  <K, V>(key: K, value: V, at: number): UpdateCommand<K, V> => ({ type: 'update', key, value, at }),
);

/**
 * Builds a {@link DeleteCommand}.
 * @example
 * cache.execute(deleteCommand('a', Date.now()));
 */
export const deleteCommand = withType(
  'delete',
  <K>(key: K, at: number): DeleteCommand<K> => ({ type: 'delete', key, at }),
);

/**
 * Builds a {@link ClearCommand}.
 * @example
 * cache.execute(clearCommand(Date.now()));
 */
export const clearCommand = withType('clear', (at: number): ClearCommand => ({ type: 'clear', at }));

/**
 * Builds an {@link ExpireCommand}.
 * @example
 * cache.execute(expireCommand(0, Date.now())); // clean shard 0 up to now
 */
export const expireCommand = withType(
  'expire',
  (shard: number, at: number): ExpireCommand => ({ type: 'expire', shard, at }),
);
