/** A load in flight, shared by every caller of `getOrLoad` for its key. */
interface Load<V> {
  readonly promise: Promise<V>;
  /**
   * Stores the loaded value; dropped when the key is written, deleted or cleared
   * meanwhile (the newer write wins). Dropped, not flagged: a loader that never settles
   * then no longer holds the cache (through this closure) after a clear or a dispose.
   */
  store: StoreLoaded<V> | undefined;
}

/**
 * Stores a load's value. `superseded()` turns true if the key is written, deleted or
 * cleared from here on: the store itself first expires what is due, and an 'expire'
 * handler may do any of those, so it asks just before it writes.
 */
export type StoreLoaded<V> = (value: V, superseded: () => boolean) => void;

/**
 * The in-flight loads of `getOrLoad`: concurrent callers for one key share one call of
 * the loader. A load that fails stores nothing and rejects every caller; a load whose
 * key was written, deleted or cleared while it ran still answers its callers but does
 * not overwrite the newer state.
 *
 * "While it ran" starts before the loader is called: a load is registered first, so
 * what the loader itself does synchronously (an `async` loader runs up to its first
 * `await` inside the call) is seen like anything done later. A write, delete or clear of
 * the key there supersedes the load, and a `getOrLoad` of the same key there joins it
 * (it gets the same promise; a loader that awaited that promise would wait for itself).
 */
export class InflightLoads<K, V> {
  readonly #loads = new Map<K, Load<V>>();

  /** How many loads are in flight. */
  get size(): number {
    return this.#loads.size;
  }

  /**
   * The shared load for `key`, starting `loader` if none is in flight.
   * @param store - called with the loaded value before any caller resumes, unless
   *   the load was superseded; if it throws, every caller is rejected with its error.
   *   The load stays registered while it runs: a `getOrLoad` of the key from there
   *   (an 'expire' handler) joins it, and a write supersedes it.
   */
  load(key: K, loader: (key: K) => V | PromiseLike<V>, store: StoreLoaded<V>): Promise<V> {
    const running = this.#loads.get(key);
    if (running !== undefined) return running.promise;
    let resolve!: (value: V) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<V>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const load: Load<V> = { promise, store };
    // Before the loader runs, so that its synchronous part is inside the load (see above).
    this.#loads.set(key, load);
    const settle = (): void => {
      if (this.#loads.get(key) === load) this.#loads.delete(key);
    };
    let result: V | PromiseLike<V>;
    try {
      result = loader(key);
    } catch (error) {
      settle();
      reject(error);
      return promise;
    }
    const superseded = (): boolean => load.store === undefined;
    Promise.resolve(result).then(
      (value) => {
        const storeNow = load.store;
        try {
          if (storeNow !== undefined) storeNow(value, superseded);
        } catch (error) {
          reject(error);
          return;
        } finally {
          load.store = undefined;
          settle();
        }
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
    return promise;
  }

  /** `key` was written or deleted: its running load must not store its result. */
  supersede(key: K): void {
    const load = this.#loads.get(key);
    if (load !== undefined) {
      load.store = undefined;
      this.#loads.delete(key);
    }
  }

  /** Every key was cleared. */
  supersedeAll(): void {
    for (const load of this.#loads.values()) load.store = undefined;
    this.#loads.clear();
  }
}
