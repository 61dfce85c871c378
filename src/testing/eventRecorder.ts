/**
 * Records a cache's events so a test can compare them with its metrics
 * (`metrics = counted events`). Does not import fast-check.
 *
 * @module
 */
import type { Observable, Subscription } from 'rxjs';
import type { CacheEvent } from '../events.js';
import type { MetricsSnapshot } from '../metrics/metricsSnapshot.js';

/**
 * What {@link recordEvents} needs of a cache: its events and its metrics (a `Cache` has both).
 * @example
 * const recordable: RecordableCache<string, number> = new Cache<string, number>();
 */
export interface RecordableCache<K = unknown, V = unknown> {
  readonly events$: Observable<CacheEvent<K, V>>;
  metrics(): MetricsSnapshot;
}

/**
 * Events counted by an {@link EventRecorder}, by type, plus two derived figures.
 * @example
 * const { evict, inserted } = recorder.counts();
 */
export interface EventCounts {
  readonly set: number;
  readonly hit: number;
  readonly miss: number;
  readonly delete: number;
  readonly evict: number;
  readonly expire: number;
  /** `clear` events (one per shard per `clear()`). */
  readonly clear: number;
  /** `set` events that added a key (`replaced: false`). */
  readonly inserted: number;
  /** Entries removed by `clear` (the sum of the `count` of `clear` events). */
  readonly cleared: number;
}

/**
 * A running recording of a cache's events; see {@link recordEvents}.
 * @example
 * const recorder: EventRecorder<string, number> = recordEvents(cache);
 * recorder.events.filter((e) => e.type === 'expire');
 */
export interface EventRecorder<K = unknown, V = unknown> {
  /** Every event received, in order (the same frozen objects the cache emitted). */
  readonly events: readonly CacheEvent<K, V>[];
  /** `metrics()` when the recording started: counts are compared from there. */
  readonly baseline: MetricsSnapshot;
  /** `metrics()` when {@link stop} was called; `undefined` while recording. */
  readonly final: MetricsSnapshot | undefined;
  /** True once {@link stop} was called. */
  readonly stopped: boolean;
  /** The events received so far, counted (a new frozen object per call). */
  counts(): EventCounts;
  /** Stops recording and remembers the metrics at that moment. Calling it again does nothing. */
  stop(): void;
}

/**
 * Starts recording every event of `cache`, together with its metrics at this moment,
 * so that later `metrics() − baseline` can be checked against the counted events
 * (pass the recorder to {@link checkInvariants}). Start it before the operations you
 * want covered; stop it when done (disposing of the cache completes it too).
 *
 * @example
 * import { createVirtualCache, recordEvents, assertInvariants } from 'macho/testing';
 *
 * const { cache, dispose } = createVirtualCache<string, number>({ maxCacheSize: 2 });
 * const recorder = recordEvents(cache);
 * cache.set('a', 1).set('b', 2).set('c', 3); // one eviction
 * recorder.counts().evict; // 1
 * assertInvariants(cache, { recorder }); // metrics().evictions === 1, and so on
 * recorder.stop();
 * dispose();
 */
export function recordEvents<K, V>(cache: RecordableCache<K, V>): EventRecorder<K, V> {
  const events: CacheEvent<K, V>[] = [];
  const baseline = cache.metrics();
  let final: MetricsSnapshot | undefined;
  let stopped = false;
  const subscription: Subscription = cache.events$.subscribe((event) => {
    events.push(event);
  });
  return {
    events,
    baseline,
    get final() {
      return final;
    },
    get stopped() {
      return stopped;
    },
    counts: () => countRecorded(events),
    stop: () => {
      if (stopped) return;
      stopped = true;
      subscription.unsubscribe();
      final = cache.metrics();
    },
  };
}

function countRecorded(events: readonly CacheEvent[]): EventCounts {
  const counts = { set: 0, hit: 0, miss: 0, delete: 0, evict: 0, expire: 0, clear: 0, inserted: 0, cleared: 0 };
  for (const event of events) {
    counts[event.type]++;
    if (event.type === 'set' && !event.replaced) counts.inserted++;
    else if (event.type === 'clear') counts.cleared += event.count;
  }
  return Object.freeze(counts);
}
