/**
 * Loader guards: cache-penetration protection for `getOrLoad`.
 *
 * A cache protects the origin only from keys it holds. A request for a key that does
 * not exist at the origin (a bogus id from a scraper, a typo, an attack) misses every
 * time, so each one reaches the database. A loader guard is a filter of the keys
 * **known to exist at the origin**: when it says a key cannot exist, `getOrLoad`
 * rejects at once with a {@link KeyNotFoundError} and never calls the loader. A
 * membership filter can only err towards "maybe", so a real key is never turned away
 * by the filter itself; a false positive just loads as it would without a guard.
 *
 * The one way a guard turns away a real key is by being **out of date**: a key created
 * at the origin after the guard was built is rejected until the guard learns it. So
 * tell the guard when keys are created ({@link LoaderGuard.add}, with a `'cuckoo'` or
 * `'bloom'` guard) or rebuild it from the origin's key set ({@link LoaderGuard.refresh}
 * or {@link LoaderGuard.rebuild}, the only way for `'xor'`, the smallest and fastest for
 * a fixed set).
 *
 * Why {@link LoaderGuard.remove} never takes a key out of the filter: a counting bloom
 * or cuckoo filter can only delete a key that was added, and cannot tell whether it was
 * (a key it never held may share counters or a fingerprint with one it holds). Deleting
 * a key it does not hold — an id deleted twice by a retried job, a `DELETE` of an id
 * that never existed — would silently take a real key out, and that key would then be
 * rejected with `KeyNotFoundError`: a 404 for a record that exists, until the next
 * rebuild. So the guard never deletes from its filter; it keeps the removed keys (those
 * the filter still answers "maybe" for) in an exact set, checked after the filter, until
 * the next rebuild. Both `add` and `remove` are then idempotent and safe in any order
 * (the last call for a key wins), and a filter that only grows also makes it sound for
 * `add` to skip a key the filter already answers "maybe" for (even a false positive:
 * the key it collides with is never taken out), so re-adding a key stores nothing. The
 * cost: each removed key takes a set entry, and its filter slot stays taken, until
 * {@link LoaderGuard.rebuild} starts afresh.
 *
 * Why a rejection rather than resolving `undefined`: `getOrLoad` promises a `V`, and
 * resolving `undefined` would make that type a lie for every caller; a typed error
 * (checked with `instanceof`, carrying the key) is what a data layer's "find or throw"
 * does, maps naturally to a 404, and cannot be mistaken for a stored value.
 *
 * @module
 */

import { describe, ERROR_PREFIX, knownOptions, optionTypeError } from '../errors.js';
import type { FilterFromKeysOptions, FilterKind } from '../filters/index.js';
import { growOnlyFilterFromKeys, isFilterKind } from '../filters/index.js';
import type { MembershipFilter } from '../filters/membershipFilter.js';
import { FilterCapacityError } from '../filters/cuckooFilter.js';
import { StaticFilterError, XorFilter } from '../filters/xorFilter.js';

/** What a guard asks: a filter of existing keys, or a predicate "may `key` exist?". */
export type GuardTest<K> = MembershipFilter<K> | ((key: K) => boolean);

/** What the cache accepts as a guard: a {@link LoaderGuard} (with counters) or a bare test. */
export type LoaderGuardLike<K> = LoaderGuard<K> | GuardTest<K>;

/**
 * The rejection of `getOrLoad` for a key its loader guard rules out: the key cannot
 * exist at the origin, and the loader was not called.
 *
 * @example
 * try {
 *   await cache.getOrLoad(id, loadUser);
 * } catch (error) {
 *   if (error instanceof KeyNotFoundError) return notFound(error.key);
 *   throw error;
 * }
 */
export class KeyNotFoundError extends Error {
  override readonly name = 'KeyNotFoundError';
  /** The key that was asked for. */
  readonly key: unknown;

  constructor(key: unknown) {
    super(`${ERROR_PREFIX}${describe(key)} does not exist at the origin (ruled out by the loader guard); the loader was not called`);
    this.key = key;
  }
}

/** A guard's counters, frozen. */
export interface LoaderGuardStats {
  /** Keys the guard answered for (`passed + rejected`; a predicate that throws answers nothing). */
  readonly checked: number;
  /**
   * Keys it let through ("may exist", false positives included): one per `getOrLoad`
   * that missed the cache and asked the guard, so callers that then joined a load
   * already under way count too; not the number of loader calls.
   */
  readonly passed: number;
  /** Keys it ruled out: loads that never reached the origin. */
  readonly rejected: number;
}

/** Options of {@link LoaderGuard.fromKeys}. */
export interface LoaderGuardOptions extends FilterFromKeysOptions {
  /**
   * The filter: `'xor'` (static: smallest and fastest, rebuild to change), `'cuckoo'`
   * (add and remove; size `capacity` for the keys you build it with plus those you will
   * add before the next rebuild, since a removed key keeps its slot) or `'bloom'` (a counting
   * bloom filter: add and remove, 8 bits per counter; sized the same way, and full at
   * `capacity` ids). Default `'cuckoo'`: a guard must
   * learn keys created at the origin, which an XOR filter cannot.
   */
  readonly kind?: FilterKind | undefined;
}

interface Recipe {
  readonly kind: FilterKind;
  readonly options: FilterFromKeysOptions;
}

/**
 * A filter of keys known to exist at the origin, with counters: put it in front of a
 * loader with the cache option `loaderGuard`, or per call with
 * `getOrLoad(key, loader, { guard })`.
 *
 * **Keeping it current.** Call {@link LoaderGuard.add} when a key starts to exist at the
 * origin and {@link LoaderGuard.remove} when it stops (or {@link LoaderGuard.rebuild}
 * from the origin's keys). Neither has to be paired with the other or called once:
 * adding a key the guard has, or removing one it does not have (a retried delete, an id
 * that never existed), changes nothing, and the last call for a key decides: a key
 * built in or added, and not removed since, is never rejected; a removed key is ruled
 * out like a key the guard never held (a false positive aside). Change the keys only
 * through the guard: removing from {@link LoaderGuard.filter} yourself can turn real
 * keys away. (All this for a guard made by {@link LoaderGuard.fromKeys}. A guard over
 * your own filter passes `add` and `remove` straight to it, under its contract.)
 *
 * @typeParam K - the key type.
 * @example
 * const guard = LoaderGuard.fromKeys(await db.allProductIds(), { kind: 'cuckoo', capacity: 200_000 });
 * const cache = new Cache<string, Product>({ maxCacheSize: 10_000, loaderGuard: guard });
 * await cache.getOrLoad('no-such-id', db.findProduct); // rejects: KeyNotFoundError, no query
 * guard.add(created.id);                               // a product was created
 * guard.stats();                                        // { checked, passed, rejected }
 */
export class LoaderGuard<K = unknown> {
  #filter: MembershipFilter<K> | undefined;
  readonly #predicate: ((key: K) => boolean) | undefined;
  #recipe: Recipe | undefined = undefined; // set by fromKeys: what rebuild() makes
  // Keys removed since the filter was built, held exactly: the filter itself only ever
  // grows (see the module comment for why). Set<unknown>, not Set<K>, so that a
  // LoaderGuard<unknown> stays assignable to a LoaderGuard<K>, as it was before.
  #removed = new Set<unknown>();
  // One journal per refresh() waiting for its keys: the add and remove calls made since
  // it started, replayed on the filter built from those keys (see refresh()).
  readonly #journals = new Set<Journal>();
  // How many more keys a 'bloom' guard's filter may store before it passes its capacity
  // (a bloom filter would take them, and let ever more strangers through); Infinity else.
  #room = Infinity;
  // Each rebuild or refresh takes the next number when it starts; a refresh whose keys
  // arrive after a later one's were applied is dropped (its keys are older).
  #started = 0;
  #applied = 0;
  #checked = 0;
  #rejected = 0;

  /**
   * A guard over your own filter or predicate (see {@link LoaderGuard.fromKeys} to build
   * the filter from keys).
   *
   * @param test - a {@link MembershipFilter} of existing keys, or `(key) => boolean`
   *   ("may `key` exist?"; a falsy answer rules the key out).
   * @throws TypeError if `test` is neither.
   * @example
   * const guard = new LoaderGuard<string>((id) => /^p\d+$/.test(id)); // shape check only
   */
  constructor(test: GuardTest<K>) {
    if (typeof test === 'function') this.#predicate = test;
    else if (isMembershipFilter<K>(test)) this.#filter = test;
    else {
      throw new TypeError(
        `${ERROR_PREFIX}a loader guard needs a membership filter or a function (key) => boolean; got ${describe(test)}`,
      );
    }
  }

  /**
   * A guard whose filter holds `keys` (the keys that exist at the origin).
   *
   * @throws TypeError or RangeError naming a bad argument.
   * @example
   * const guard = LoaderGuard.fromKeys(ids, { kind: 'xor', probability: 0.001 }); // xor16
   */
  static fromKeys<K>(keys: Iterable<K>, options: LoaderGuardOptions = {}): LoaderGuard<K> {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${ERROR_PREFIX}loader guard options must be an object; got ${describe(options)}`);
    }
    knownOptions(`${ERROR_PREFIX}loaderGuard.fromKeys`, options, ['kind', 'probability', 'capacity']);
    const { kind = 'cuckoo', ...filterOptions } = options;
    if (!isFilterKind(kind)) {
      throw new RangeError(`${ERROR_PREFIX}loader guard kind must be "xor", "cuckoo" or "bloom"; got ${describe(kind)}`);
    }
    const { filter, room } = growOnlyFilterFromKeys(kind, keys, filterOptions);
    const guard = new LoaderGuard<K>(filter);
    guard.#room = room;
    guard.#recipe = Object.freeze({ kind, options: Object.freeze(filterOptions) });
    return guard;
  }

  /**
   * `like` as a {@link LoaderGuard}: the same object if it already is one.
   *
   * @throws TypeError if `like` is not a guard, a filter or a function.
   * @example
   * LoaderGuard.from((id: string) => id.startsWith('p')).mightExist('x1'); // false
   */
  static from<K>(like: LoaderGuardLike<K>): LoaderGuard<K> {
    return like instanceof LoaderGuard ? like : new LoaderGuard<K>(like);
  }

  /**
   * The filter behind the guard (`undefined` for a predicate guard), for reading: it
   * still answers "maybe" for removed keys (the guard rules those out itself), and
   * changing it directly bypasses the guard's bookkeeping.
   */
  get filter(): MembershipFilter<K> | undefined {
    return this.#filter;
  }

  /** The filter kind, for guards made by {@link LoaderGuard.fromKeys}. */
  get kind(): FilterKind | undefined {
    return this.#recipe?.kind;
  }

  /** Keys the guard answered for (`passed + rejected`; a predicate that throws answers nothing). */
  get checked(): number {
    return this.#checked;
  }

  /** Keys it let through. */
  get passed(): number {
    return this.#checked - this.#rejected;
  }

  /** Keys it ruled out. */
  get rejected(): number {
    return this.#rejected;
  }

  /**
   * Keys removed (and not added back) since the guard's filter was built: each is held
   * exactly, in memory, until {@link rebuild}. Watch it to decide when to rebuild.
   */
  get removed(): number {
    return this.#removed.size;
  }

  /**
   * `false` when `key` cannot exist at the origin; counts the answer.
   *
   * @example
   * guard.mightExist('p1'); // true
   */
  mightExist(key: K): boolean {
    const allowed =
      this.#predicate !== undefined
        ? Boolean(this.#predicate(key))
        : this.#filter!.mightContain(key) && !(this.#removed.size !== 0 && this.#removed.has(key));
    // Counted once answered: a predicate that throws let nothing through.
    this.#checked++;
    if (!allowed) this.#rejected++;
    return allowed;
  }

  /**
   * `key` now exists at the origin (call it when you create the record): from now on
   * the guard lets it through. Idempotent: adding a key the guard already lets through
   * stores nothing (an upsert may call it on every write), and adding a removed key
   * back only forgets its removal.
   *
   * @throws TypeError for a predicate guard; `StaticFilterError` for an `'xor'` guard
   *   (use {@link rebuild}); `FilterCapacityError` when a cuckoo guard is full, or a
   *   bloom guard holds as many ids as its `capacity` (size `capacity` for the keys it
   *   is built with plus those added before the next rebuild: removing a key does not
   *   free its place). The guard is then unchanged.
   * @example
   * const product = await db.createProduct(input);
   * guard.add(product.id);
   */
  add(key: K): void {
    const filter = this.#dynamicFilter('add', key);
    // Your own filter: yours to manage, under its own contract (see the class comment).
    if (this.#recipe === undefined) return void filter.add(key);
    this.#room = addTo(filter, this.#removed, this.#room, key);
    for (const journal of this.#journals) journal.set(key, true);
  }

  /**
   * `key` no longer exists at the origin (call it when you delete the record): from
   * now on the guard rules it out like a key it never held (until it is added again).
   * Idempotent, and safe for a key the guard does not hold (that changes nothing): the
   * key is not taken out of the filter, which could turn away real keys sharing its
   * bits, but held in an exact set of removed keys (see {@link removed}) until
   * {@link rebuild}; a key the filter already rules out needs no entry.
   *
   * That holds for a guard made by {@link LoaderGuard.fromKeys}, which can rebuild. A
   * guard over your own filter passes `add` and `remove` straight to it, under that
   * filter's contract (remove only a key that was added, once per add): it cannot
   * rebuild, so a removed-key set would only grow, and your filter would fill up.
   *
   * @throws TypeError for a predicate guard; `StaticFilterError` for an `'xor'` guard.
   * @example
   * await db.deleteProduct(id);
   * guard.remove(id);
   */
  remove(key: K): void {
    const filter = this.#dynamicFilter('remove', key);
    if (this.#recipe === undefined) return void filter.remove(key);
    // No entry for a key the filter rules out (in the set of removed keys, or in a
    // refresh's journal): removes of ids that never existed (or of ones already
    // removed) then cost no memory, whoever sends them.
    if (!removeFrom(filter, this.#removed, key)) return;
    for (const journal of this.#journals) journal.set(key, false);
  }

  /**
   * Replaces the key set with `keys`: a new filter of the same kind and options, swapped
   * in once complete, and the removed keys forgotten (they are simply not in `keys`).
   * Only for guards made by {@link LoaderGuard.fromKeys}.
   *
   * `keys` must be the origin's keys *now*: an {@link add} made after they were read
   * would be lost (its key rejected until the next rebuild). To read them from the
   * origin asynchronously, use {@link refresh}, which keeps such calls.
   *
   * @throws TypeError for a guard over your own filter or predicate; what
   *   {@link LoaderGuard.fromKeys} throws for these keys (the guard is then unchanged).
   * @example
   * guard.rebuild(productIdsInMemory);
   */
  rebuild(keys: Iterable<K>): void {
    const recipe = this.#rebuildRecipe('rebuild');
    const { filter, room } = growOnlyFilterFromKeys(recipe.kind, keys, recipe.options);
    this.#started++;
    this.#install(filter, new Set(), room, this.#started);
  }

  /**
   * Rebuilds from keys read asynchronously, without losing the {@link add} and
   * {@link remove} calls made while they are read: `readKeys` is called at once, and the
   * calls made from then until its keys arrive are applied again, in order, to the
   * filter built from them (so the last call for a key still decides, whether the read
   * saw that change or not). The guard answers from its current filter meanwhile. If a
   * later `refresh` or {@link rebuild} has already installed its keys when this one's
   * arrive, this one changes nothing (its keys are older). Only for guards made by
   * {@link LoaderGuard.fromKeys}. While it waits, the guard holds the last call for each
   * id added or removed meanwhile, so a read that never ends keeps those: give
   * `readKeys` a timeout. A remove of an id the guard already rules out is ignored, as
   * at any time (so that bogus ids cost nothing): if the origin created such an id
   * without {@link add} and deletes it while the keys are read, the new filter may let
   * it through (a false positive: its load finds nothing), never the other way round.
   *
   * @param readKeys - reads every key that exists at the origin; it must read them after
   *   it is called (the calls before it are assumed to be in what it reads).
   * @returns a promise that resolves once the new filter is in place (or was dropped as
   *   older), and rejects with `readKeys`'s error, or what building the filter throws
   *   (a `FilterCapacityError` when the keys outgrow `capacity`): the guard is then
   *   unchanged and still current.
   * @throws TypeError (synchronously) for a guard over your own filter or predicate, or
   *   if `readKeys` is not a function.
   * @example
   * setInterval(() => guard.refresh(() => db.allProductIds()).catch(reportError), 3_600_000);
   */
  refresh(readKeys: () => Iterable<K> | PromiseLike<Iterable<K>>): Promise<void> {
    const recipe = this.#rebuildRecipe('refresh');
    if (typeof readKeys !== 'function') {
      throw new TypeError(`${ERROR_PREFIX}guard.refresh needs a function that reads the origin's keys; got ${describe(readKeys)}`);
    }
    const started = ++this.#started;
    const journal: Journal = new Map();
    this.#journals.add(journal);
    const settle = (keys: Iterable<K>): void => {
      this.#journals.delete(journal);
      if (this.#applied > started) return;
      const built = growOnlyFilterFromKeys(recipe.kind, keys, recipe.options);
      const { filter } = built;
      let room = built.room;
      const removed = new Set<unknown>();
      for (const [key, add] of journal) {
        if (add) room = addTo(filter, removed, room, key as K);
        else removeFrom(filter, removed, key as K);
      }
      this.#install(filter, removed, room, started);
    };
    return new Promise<Iterable<K>>((resolve) => resolve(readKeys())).then(settle, (error: unknown) => {
      this.#journals.delete(journal);
      throw error;
    });
  }

  #rebuildRecipe(operation: 'rebuild' | 'refresh'): Recipe {
    const recipe = this.#recipe;
    if (recipe === undefined) {
      throw new TypeError(
        `${ERROR_PREFIX}only a guard made by LoaderGuard.fromKeys can ${operation} itself; rebuild your own filter instead`,
      );
    }
    return recipe;
  }

  #install(filter: MembershipFilter<K>, removed: Set<unknown>, room: number, started: number): void {
    this.#filter = filter;
    this.#removed = removed;
    this.#room = room;
    this.#applied = started;
  }

  /**
   * The counters, frozen.
   *
   * @example
   * const { checked, passed, rejected } = guard.stats();
   */
  stats(): LoaderGuardStats {
    return Object.freeze({ checked: this.#checked, passed: this.#checked - this.#rejected, rejected: this.#rejected });
  }

  /** Sets the counters back to 0. */
  resetStats(): void {
    this.#checked = 0;
    this.#rejected = 0;
  }

  #dynamicFilter(operation: 'add' | 'remove', key: K): MembershipFilter<K> {
    const filter = this.#filter;
    if (filter === undefined) {
      throw new TypeError(`${ERROR_PREFIX}a predicate loader guard cannot ${operation} keys; change the predicate`);
    }
    if (filter instanceof XorFilter) {
      throw new StaticFilterError(
        `${ERROR_PREFIX}cannot ${operation} ${describe(key)}: an "xor" loader guard is static. Rebuild it from ` +
          `the origin's keys (guard.rebuild(keys)), or use a "cuckoo" guard, which learns keys with add and remove`,
      );
    }
    // A filter of yours needs only mightContain to guard; to learn keys, it needs the method too.
    if (typeof filter[operation] !== 'function')
      throw new TypeError(`${ERROR_PREFIX}cannot ${operation} ${describe(key)}: the guard's filter has no ${operation} method (it is only checked)`);
    return filter;
  }
}

/**
 * The `add` (true) and `remove` (false) calls made while a refresh waits for its keys:
 * the last call for each key, since the last call decides. One entry per key, so a
 * refresh that takes long (or never settles) holds at most the keys added, and the
 * removed keys the filter let through, meanwhile.
 */
type Journal = Map<unknown, boolean>;

/**
 * A guard's `add` on a filter that only grows, with its exact set of removed keys;
 * returns the room left (see `#room`).
 *
 * @throws FilterCapacityError when the key must be stored and there is no room.
 */
function addTo<K>(filter: MembershipFilter<K>, removed: Set<unknown>, room: number, key: K): number {
  // Sound because the filter only grows: a key it answers "maybe" for (even as a
  // false positive, through another key's fingerprint) will keep that answer.
  if (!filter.mightContain(key)) {
    if (room <= 0) {
      throw new FilterCapacityError(
        `${ERROR_PREFIX}cannot add ${describe(key)}: the "bloom" loader guard holds all the ids its capacity ` +
          `allows; nothing was changed. Rebuild it with a larger capacity (past it, a bloom filter lets ever ` +
          `more unknown ids through)`,
      );
    }
    filter.add(key);
    room--;
  }
  removed.delete(key);
  return room;
}

function isMembershipFilter<K>(value: unknown): value is MembershipFilter<K> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<MembershipFilter<K>>).mightContain === 'function'
  );
}

/**
 * Checks a guard given as an option and returns it as a {@link LoaderGuard} (the same
 * object if it is one; a bare filter or predicate is wrapped once, so its counts last).
 *
 * @param option - the option's name, for the error message.
 * @throws TypeError naming the option.
 * @example
 * resolveLoaderGuard('loaderGuard', (id: string) => id.length === 8);
 */
export function resolveLoaderGuard<K>(option: string, value: unknown): LoaderGuard<K> {
  if (value instanceof LoaderGuard) return value as LoaderGuard<K>;
  if (typeof value === 'function' || isMembershipFilter<K>(value)) return new LoaderGuard<K>(value as GuardTest<K>);
  throw optionTypeError(
    option,
    'a LoaderGuard, a membership filter (with mightContain) or a function (key) => boolean',
    value,
  );
}

/**
 * Builders of {@link LoaderGuard}s, as a namespace: `loaderGuard.fromKeys(keys, options)`
 * and `loaderGuard.of(filterOrPredicate)`.
 *
 * @example
 * import { loaderGuard } from 'macho';
 * const guard = loaderGuard.fromKeys(['p1', 'p2', 'p3'], { kind: 'xor' });
 */
export const loaderGuard = Object.freeze({
  /** See {@link LoaderGuard.fromKeys}. */
  fromKeys<K>(keys: Iterable<K>, options?: LoaderGuardOptions): LoaderGuard<K> {
    return LoaderGuard.fromKeys(keys, options);
  },
  /** See the {@link LoaderGuard} constructor. */
  of<K>(test: GuardTest<K>): LoaderGuard<K> {
    return new LoaderGuard(test);
  },
});

// Holds `key` among the removed ones, unless the filter rules it out already (a key that
// never existed, or one already removed, then costs no memory). True if held.
function removeFrom<K>(filter: MembershipFilter<K>, removed: Set<unknown>, key: K): boolean {
  if (!filter.mightContain(key)) return false;
  removed.add(key);
  return true;
}
