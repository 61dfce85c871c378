/**
 * What a cache's events say it holds, and the rules its events follow whatever the
 * eviction policy. An {@link EventRecorder} keeps one, and {@link checkInvariants}
 * reads it: with it, checks are lower bounds too (an entry that should still be there
 * is there), not only upper bounds (never more than the capacity, nothing expired).
 *
 * The rules, for any policy:
 *
 * - a key leaves only with an event that says why: `'evict'`, `'expire'`, `'delete'`
 *   or `'clear'` (of its shard); a key the events leave live is live in the cache
 *   (`snapshot()` holds it, with the last value written);
 * - an `'evict'` happens only when a new key arrives in a full shard (as many live
 *   entries as the shard's `maxSize`), evicts one entry of that shard, and is followed
 *   by that key's `'set'`; a new key in a full shard always evicts;
 * - an `'expire'` comes at or after the entry's expiry time (`at ≥ expiredAt`), and that
 *   time is the one `snapshot()` showed for the entry;
 * - `'hit'` is for a live key, with its value; `'miss'` for a key that is not live; a
 *   `'set'` says `replaced` exactly when the key was live; `'clear'` counts what its
 *   shard held.
 *
 * Does not import fast-check.
 *
 * @module
 */
import type { CacheEvent } from '../events.js';
import type { CacheSnapshot, SnapshotEntry } from '../shard/snapshot.js';
import { show } from './operations.js';

interface Held<V> {
  readonly shard: number;
  value: V;
  /** When it expires as `snapshot()` last showed it; `undefined` when not known (a `set` since). */
  expiresAt: number | undefined;
}

/**
 * The live keys of a cache, as its events tell them, and what is wrong with those
 * events. Fed one event at a time, in the order the cache emitted them.
 * @internal (not exported by `macho/testing`; {@link recordEvents} makes one)
 * @example
 * const ledger = new EventLedger<string, number>([2], []);
 * ledger.apply({ type: 'evict', key: 'a', value: 1, shard: 0, at: 0 });
 * ledger.problems;
 * // ['event #1 evict("a" = 1, shard 0, at 0): shard 0 held 0 of its 2 entries; only a new key in a full shard evicts',
 * //  'event #1 evict("a" = 1, shard 0, at 0): "a" was not live (…)']
 */
export class EventLedger<K = unknown, V = unknown> {
  /** Everything found wrong so far, one line each, oldest first. */
  readonly problems: string[] = [];
  readonly #live = new Map<K, Held<V>>();
  readonly #sizes: number[];
  readonly #capacities: readonly number[] | undefined;
  // The last event was an 'evict': the next must be the 'set' of the key it made room for.
  #evicted: { readonly event: CacheEvent<K, V> & { readonly key: K }; readonly index: number } | undefined;
  #count = 0;

  /**
   * @param capacities - each shard's capacity (`metrics().shards[i].maxSize`), or
   *   `undefined` when not known (the eviction rules are then not checked).
   * @param entries - the cache's entries when the recording starts (`snapshot().entries`).
   */
  constructor(capacities: readonly number[] | undefined, entries: Iterable<SnapshotEntry<K, V>>) {
    this.#capacities = capacities;
    this.#sizes = capacities === undefined ? [] : capacities.map(() => 0);
    for (const { key, value, shard, expiresAt = Infinity } of entries) {
      this.#live.set(key, { shard, value, expiresAt });
      this.#sizes[shard] = (this.#sizes[shard] ?? 0) + 1;
    }
  }

  /** True when the events leave `key` live. */
  has(key: K): boolean {
    return this.#live.has(key);
  }

  /** Takes the next event, noting in {@link problems} any rule it breaks. */
  apply(event: CacheEvent<K, V>): void {
    const index = ++this.#count;
    // Built only for a message: most events break no rule.
    const what = (): string => named(event, index);
    const evicted = this.#evicted;
    this.#evicted = undefined;
    if (evicted !== undefined && !(event.type === 'set' && !event.replaced && event.shard === evicted.event.shard))
      this.#fail(`${named(evicted.event, evicted.index)}: no new key of shard ${evicted.event.shard} followed it`);

    if (event.type === 'clear') {
      const held = this.#sizes[event.shard] ?? 0;
      if (event.count !== held) this.#fail(`${what()}: the events leave ${held} entries in shard ${event.shard}`);
      for (const [key, entry] of this.#live) if (entry.shard === event.shard) this.#live.delete(key);
      this.#sizes[event.shard] = 0;
      return;
    }

    const { key } = event;
    const entry = this.#live.get(key);
    if (entry !== undefined && entry.shard !== event.shard)
      this.#fail(`${what()}: ${show(key)} lives in shard ${entry.shard}, not ${event.shard}`);
    switch (event.type) {
      case 'set':
        if (event.replaced) {
          if (entry === undefined) this.#fail(`${what()}: says it replaced a live entry, but ${this.#notLive(key)}`);
        } else if (entry !== undefined) {
          this.#fail(`${what()}: says ${show(key)} is new, but it was live (no event removed it)`);
        } else if (evicted === undefined) {
          const capacity = this.#capacities?.[event.shard];
          const size = this.#sizes[event.shard] ?? 0;
          if (capacity !== undefined && size >= capacity)
            this.#fail(`${what()}: a new key in shard ${event.shard}, which was full (${size} of ${capacity}), with no 'evict' before it`);
        } else if (Object.is(evicted.event.key, key)) {
          this.#fail(`${what()}: the key just evicted came back as the new key that eviction made room for`);
        }
        if (entry === undefined) this.#sizes[event.shard] = (this.#sizes[event.shard] ?? 0) + 1;
        // A 'set' event is a set (new expiry) or an update (same expiry): not known until the next snapshot.
        this.#live.set(key, { shard: entry?.shard ?? event.shard, value: event.value, expiresAt: undefined });
        return;
      case 'hit':
        if (entry === undefined) this.#fail(`${what()}: a hit, but ${this.#notLive(key)}`);
        else if (!Object.is(event.value, entry.value))
          this.#fail(`${what()}: a hit on ${show(event.value)}, but the last value written is ${show(entry.value)}`);
        return;
      case 'miss':
        if (entry !== undefined)
          this.#fail(`${what()}: a miss, but ${show(key)} is live: written, and no event removed it since`);
        return;
      case 'evict': {
        const capacity = this.#capacities?.[event.shard];
        const size = this.#sizes[event.shard] ?? 0;
        if (evicted !== undefined) this.#fail(`${what()}: a second eviction for one new key`);
        else if (capacity !== undefined && size !== capacity)
          this.#fail(`${what()}: shard ${event.shard} held ${size} of its ${capacity} entries; only a new key in a full shard evicts`);
        this.#evicted = { event, index };
        break;
      }
      case 'expire':
        if (event.at < event.expiredAt) this.#fail(`${what()}: removed at ${event.at}, before its expiry time ${event.expiredAt}`);
        else if (entry?.expiresAt !== undefined && entry.expiresAt !== event.expiredAt)
          this.#fail(`${what()}: says it expired at ${event.expiredAt}, but snapshot() showed it expiring at ${entry.expiresAt}`);
        break;
      case 'delete':
        break;
    }
    // evict, expire, delete: the entry leaves.
    if (entry === undefined) {
      this.#fail(`${what()}: ${this.#notLive(key)}`);
      return;
    }
    if (!Object.is(event.value, entry.value))
      this.#fail(`${what()}: carries ${show(event.value)}, but the last value written is ${show(entry.value)}`);
    this.#live.delete(key);
    this.#sizes[entry.shard] = (this.#sizes[entry.shard] ?? 0) - 1;
  }

  /**
   * Compares the cache's entries (a snapshot taken after the last event applied) with
   * what the events leave live, and learns each entry's expiry time from it.
   * @returns one line per difference (not added to {@link problems}: a snapshot is the
   *   cache's answer, checked anew each time).
   */
  compare(snapshot: CacheSnapshot<K, V>): string[] {
    const problems: string[] = [];
    const evicted = this.#evicted;
    if (evicted !== undefined)
      problems.push(`${named(evicted.event, evicted.index)}: no new key of shard ${evicted.event.shard} followed it`);
    const seen = new Set<K>();
    for (const { key, value, shard, expiresAt = Infinity } of snapshot.entries) {
      seen.add(key);
      const entry = this.#live.get(key);
      if (entry === undefined) problems.push(`snapshot() holds ${show(key)}, but ${this.#notLive(key)}`);
      else if (entry.shard !== shard) problems.push(`snapshot() holds ${show(key)} in shard ${shard}, the events in ${entry.shard}`);
      else if (!Object.is(value, entry.value))
        problems.push(`snapshot() holds ${show(key)} = ${show(value)}, but the last value written is ${show(entry.value)}`);
      else if (entry.expiresAt === undefined) entry.expiresAt = expiresAt;
      else if (entry.expiresAt !== expiresAt)
        problems.push(`snapshot() says ${show(key)} expires at ${expiresAt}, but it said ${entry.expiresAt} before, with no write since`);
    }
    const missing = [...this.#live.keys()].filter((key) => !seen.has(key));
    if (missing.length > 0)
      problems.push(
        `${listed(missing)} missing from snapshot(), but no event removed ${missing.length === 1 ? 'it' : 'them'} ` +
          `('evict', 'expire', 'delete' or 'clear'): an entry leaves only with an event that says why`,
      );
    return problems;
  }

  #notLive(key: K): string {
    return `${show(key)} was not live (no 'set' event since the recording began, or an event removed it)`;
  }

  #fail(problem: string): void {
    this.problems.push(problem);
  }
}

const MAX_LISTED = 5;

function named(event: CacheEvent, index: number): string {
  return `event #${index} ${describeEvent(event)}`;
}

function listed(keys: readonly unknown[]): string {
  const shown = keys.slice(0, MAX_LISTED).map(show).join(', ');
  const more = keys.length > MAX_LISTED ? ` … and ${keys.length - MAX_LISTED} more` : '';
  return `${shown}${more} ${keys.length === 1 ? 'is' : 'are'}`;
}

/**
 * An event as one short line: `evict("a" = 1, shard 0, at 5)`.
 * @internal
 * @example
 * describeEvent({ type: 'miss', key: 'a', shard: 0, at: 3 }); // 'miss("a", shard 0, at 3)'
 */
export function describeEvent(event: CacheEvent): string {
  switch (event.type) {
    case 'clear':
      return `clear(shard ${event.shard}, at ${event.at}, count ${event.count})`;
    case 'miss':
      return `miss(${show(event.key)}, shard ${event.shard}, at ${event.at})`;
    case 'set':
      return `set(${show(event.key)} = ${show(event.value)}, shard ${event.shard}, at ${event.at}, ${event.replaced ? 'replaced' : 'new'})`;
    case 'expire':
      return `expire(${show(event.key)} = ${show(event.value)}, shard ${event.shard}, at ${event.at}, expiredAt ${event.expiredAt})`;
    default:
      return `${event.type}(${show(event.key)} = ${show(event.value)}, shard ${event.shard}, at ${event.at})`;
  }
}
