/**
 * Records a cache's events so a test can compare them with its metrics
 * (`metrics = counted events`) and with its entries (an entry leaves only with an
 * event that says why; see `eventLedger.ts`). Does not import fast-check.
 *
 * @module
 */
import type { Observable, Subscription } from 'rxjs';
import type { Command } from '../commands.js';
import type { CacheEvent } from '../events.js';
import type { MetricsSnapshot } from '../metrics/metricsSnapshot.js';
import type { CacheSnapshot } from '../shard/snapshot.js';
import { EventLedger } from './eventLedger.js';

/**
 * What {@link recordEvents} needs of a cache: its events and its metrics (a `Cache` has
 * both). With `snapshot()` and `commands$` too (a `Cache` has them), the recorder also
 * follows which keys the events leave live, for the checks of {@link checkInvariants}
 * that need it; a fake without them gets the metrics checks only.
 * @example
 * const recordable: RecordableCache<string, number> = new Cache<string, number>();
 */
export interface RecordableCache<K = unknown, V = unknown> {
  readonly events$: Observable<CacheEvent<K, V>>;
  /** The command log: counted, to tell whether every event applied so far was received. */
  readonly commands$?: Observable<Command<K, V>>;
  metrics(): MetricsSnapshot;
  /** The entries when the recording starts, and `version`, which counts commands applied. */
  snapshot?(): CacheSnapshot<K, V>;
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
 * From a `Cache` (which has `snapshot()` and `commands$`), the recorder also takes the
 * entries present at the start and follows, event by event, which keys are live and
 * whether each event is allowed for any policy (an eviction only when a new key finds
 * its shard full, an expiry only once due, …): {@link checkInvariants} reports what it
 * found, and compares the live keys with `snapshot()`. It listens to `commands$` only
 * to count commands (see below), which makes the cache build its log entries.
 *
 * Events reach the recorder when the command that caused them is complete. So check
 * with it between commands, not from inside a subscriber of the cache: there, the
 * events of the command being delivered (and of commands the subscriber makes) are
 * still queued. {@link checkInvariants} detects that case and says so, rather than
 * reporting false differences. A recorder started inside a subscriber is fine: it
 * starts from the cache as it is, and skips events queued before it.
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
  const tracking = startTracking(cache, baseline);
  const subscription: Subscription = cache.events$.subscribe((event) => {
    events.push(event);
    tracking?.ledger.apply(event);
  });
  if (tracking !== undefined)
    subscription.add(
      cache.commands$!.subscribe(() => {
        tracking.commands++;
      }),
    );
  const recorder: EventRecorder<K, V> = {
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
  if (tracking !== undefined) trackings.set(recorder, tracking as Tracking<unknown, unknown>);
  return recorder;
}

/**
 * What a recorder follows besides the events, for {@link checkInvariants}.
 * @internal (not exported by `macho/testing`)
 */
export interface Tracking<K, V> {
  /** The live keys as the events tell them, and the rules the events broke. */
  readonly ledger: EventLedger<K, V>;
  /** `snapshot().version` when the recording started. */
  readonly version: number;
  /** Commands received on `commands$` since. */
  commands: number;
}

// Kept beside the recorder, not on it: a recorder is a plain documented object, and a
// copy of one (`{ ...recorder }`, as a test of the metrics check makes) has no ledger.
const trackings = new WeakMap<object, Tracking<unknown, unknown>>();

/**
 * The tracking {@link recordEvents} keeps for `recorder`, if it keeps one.
 * @internal (not exported by `macho/testing`)
 * @example
 * const behind = snapshot.version - tracking.version - tracking.commands; // > 0: events still queued
 */
export function trackingOf<K, V>(recorder: EventRecorder<K, V>): Tracking<K, V> | undefined {
  return trackings.get(recorder) as Tracking<K, V> | undefined;
}

function startTracking<K, V>(cache: RecordableCache<K, V>, baseline: MetricsSnapshot): Tracking<K, V> | undefined {
  if (typeof cache.snapshot !== 'function' || cache.commands$ === undefined) return undefined;
  const snapshot = cache.snapshot();
  const capacities = Array.isArray(baseline.shards) ? baseline.shards.map((shard) => shard.maxSize) : undefined;
  return { ledger: new EventLedger(capacities, snapshot.entries), version: snapshot.version, commands: 0 };
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
