/** A load in flight, shared by every caller of `getOrLoad` for its key. */
interface Load<V> {
  promise: Promise<V>;
  /** Set when the key was written or deleted meanwhile: the newer write wins. */
  superseded: boolean;
}

/**
 * The in-flight loads of `getOrLoad`: concurrent callers for one key share one call of
 * the loader. A load that fails stores nothing and rejects every caller; a load whose
 * key was written, deleted or cleared while it ran still answers its callers but does
 * not overwrite the newer state.
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
   *   the load was superseded.
   */
  load(key: K, loader: (key: K) => V | PromiseLike<V>, store: (value: V) => void): Promise<V> {
    const running = this.#loads.get(key);
    if (running !== undefined) return running.promise;
    let result: V | PromiseLike<V>;
    try {
      result = loader(key);
    } catch (error) {
      return Promise.reject(error);
    }
    const load: Load<V> = { promise: undefined as unknown as Promise<V>, superseded: false };
    const settle = (): void => {
      if (this.#loads.get(key) === load) this.#loads.delete(key);
    };
    load.promise = Promise.resolve(result).then(
      (value) => {
        settle();
        if (!load.superseded) store(value);
        return value;
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    );
    this.#loads.set(key, load);
    return load.promise;
  }

  /** `key` was written or deleted: its running load must not store its result. */
  supersede(key: K): void {
    const load = this.#loads.get(key);
    if (load !== undefined) {
      load.superseded = true;
      this.#loads.delete(key);
    }
  }

  /** Every key was cleared. */
  supersedeAll(): void {
    for (const load of this.#loads.values()) load.superseded = true;
    this.#loads.clear();
  }
}
