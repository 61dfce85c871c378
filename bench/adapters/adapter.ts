/**
 * The uniform face every measured cache shows the harness.
 *
 * An adapter does not wrap the cache's `get` and `set` in functions of its own: it
 * hands the harness the library's own object (its `store`), whose `get(key)` and
 * `set(key, value)` the timed loops call directly. A wrapper would add a call per
 * operation, and one shared wrapper would make every call site polymorphic. Only where
 * a library has no eviction hook (mnemonist's `LRUCache`) does an adapter put a thin
 * `set` in front, because that is what a user of that library has to write.
 *
 * @module
 */

/** What the timed loops call: the library's own object, or a thin shim where unavoidable. */
export interface Store {
  get(key: unknown): unknown;
  set(key: unknown, value: unknown): unknown;
  delete?(key: unknown): unknown;
}

/** How the harness asks for one cache. */
export interface CreateSetup {
  /** Most entries. */
  readonly capacity: number;
  /** Time-to-live in ms for every entry; `0`: entries never expire. */
  readonly ttl: number;
  /** The eviction listener; adapters with `listener: true` attach it with the library's own hook. */
  readonly onEvict: (key: unknown, value: unknown) => void;
}

/** One live cache under test. */
export interface Instance {
  readonly store: Store;
  /** Releases timers and subscriptions (`dispose()`, `close()`, …). */
  close(): void;
  /**
   * Deliveries to a listener that is not an eviction hook (Macho's `commands$` log),
   * so far; the harness reports it in place of the eviction-listener count.
   */
  delivered?(): number;
}

/** Where an implementation belongs in the tables. */
export type Family = 'peer' | 'macho';

/** One implementation in one configuration: a row of the tables. */
export interface Implementation {
  /** Unique; shown in the tables and matched by `--only`. */
  readonly name: string;
  readonly family: Family;
  /** Supports a per-cache TTL (entries stop being returned once it passes). */
  readonly ttl: boolean;
  /** Evicts for capacity (node-cache does not: it refuses writes past `maxKeys`). */
  readonly bounded: boolean;
  /** Tells object keys apart by identity (caches keyed by a plain object stringify them). */
  readonly objectKeys: boolean;
  /** An eviction listener is attached (`setup.onEvict` is called for each eviction). */
  readonly listener: boolean;
  /** Runs only in workloads without TTL (it brings its own, or its point is the TTL-free path). */
  readonly ttlFreeOnly?: boolean;
  /** Measured in the memory section (one row per distinct data layout). */
  readonly memory: boolean;
  /** Measured in the latency section. */
  readonly latency: boolean;
  /** One line on what this row is, for the legend. */
  readonly note: string;
  create(setup: CreateSetup): Instance;
}

/** The no-op `close` of caches that hold nothing to release. */
export const NOTHING_TO_CLOSE = (): void => {};
