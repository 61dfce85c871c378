import type { SchedulerLike, Subscription } from 'rxjs';
import { reportError } from '../stream/reportError.js';

// Timer APIs take a signed 32-bit delay; a far expiry is reached in several hops
// (the cache re-arms for whatever is then due, which may still be nothing).
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * One timer for a whole cache: always armed for the earliest expiry of any shard, so
 * the number of pending timers is one, not one per entry. When it fires, the cache
 * cleans up whatever is due and arms it again for the next expiry.
 */
// Timers whose scheduler dropped their pending action without running it (a
// VirtualTimeScheduler whose flush() meets a throwing action unsubscribes every pending
// one), until they are armed again or cancelled: see ExpiryTimer.rearmDropped. Held
// weakly: nothing else refers to such a cache but its owner, who may well drop it (a
// failed test), and it must then be collectable like any other.
const dropped = new Set<WeakRef<ExpiryTimer>>();
const forgetCollected = new FinalizationRegistry<WeakRef<ExpiryTimer>>((ref) => dropped.delete(ref));

export class ExpiryTimer {
  readonly #maxDelay: number;
  readonly #scheduler: SchedulerLike;
  readonly #onDue: (reached: number) => void;
  readonly #earliest: () => number;
  readonly #report: (error: unknown) => void;
  #action: Subscription | undefined;
  #dueAt = Infinity;
  // The last schedule() failed, or its action was dropped: the timer lost track of what
  // is pending, and the next arm() asks for the earliest expiry rather than trusting
  // the time it is given.
  #lost = false;
  // This timer's entry in `dropped`, while it is there.
  #droppedRef: WeakRef<ExpiryTimer> | undefined = undefined;

  /**
   * @param scheduler - the clock and timer source (virtual in tests).
   * @param onDue - called when the armed time comes, with that time (the scheduler's
   *   time at arming plus the delay asked for: a far expiry's hop ends before it);
   *   must call {@link arm} again.
   * @param earliest - the earliest pending expiry (`Infinity` if none).
   * @param report - where a failed schedule() goes (the cache's outbox: reported after
   *   the command under way, which arms the timer in its middle).
   * @param maxDelay - the longest delay one action may have: {@link MAX_TIMER_DELAY}
   *   for schedulers over real timers; `Infinity` for a virtual clock, which has no
   *   such limit (hops of 2^31 ms made a far TTL cost millions of them in a flush).
   */
  constructor(
    scheduler: SchedulerLike,
    onDue: (reached: number) => void,
    earliest: () => number,
    report: (error: unknown) => void,
    maxDelay = MAX_TIMER_DELAY,
  ) {
    this.#maxDelay = maxDelay;
    this.#scheduler = scheduler;
    this.#onDue = onDue;
    this.#earliest = earliest;
    this.#report = report;
  }

  /** When the timer will fire, or `Infinity` if it is not armed. */
  get dueAt(): number {
    return this.#dueAt;
  }

  /**
   * Makes sure the timer fires no later than `dueAt`. Cheap when it already does,
   * which is the common case: with one default TTL, each new expiry is the latest.
   * @param report - where a failed schedule() goes: by default the one given to the
   *   constructor (after the command under way); callers outside any command pass
   *   `reportError`, to report at once.
   */
  arm(dueAt: number, report: (error: unknown) => void = this.#report): void {
    if (dueAt >= this.#dueAt) return;
    if (this.#lost) {
      // The last action was never scheduled, or was dropped: the time given is only the
      // newest expiry, not necessarily the earliest pending one.
      dueAt = Math.min(dueAt, this.#earliest());
      this.#lost = false;
      this.#leaveDropped();
    }
    const previous = this.#action;
    this.#action = undefined; // first: its teardown must not take this for a drop
    previous?.unsubscribe();
    this.#dueAt = Infinity; // not armed until schedule() returns
    const armedAt = this.#scheduler.now();
    const delay = Math.min(this.#maxDelay, Math.max(0, dueAt - armedAt));
    // The timer is armed while a command is being applied. A scheduler that runs work due
    // now synchronously (RxJS's queueScheduler) would expire entries in the middle of
    // that command, and its events would go out before the command's own; such a run is
    // put off by 1 ms instead (every other scheduler runs the work later anyway).
    let arming = true;
    let ranWhileArming = false;
    const fire = (): void => {
      if (arming) {
        ranWhileArming = true;
        return;
      }
      this.#action = undefined;
      this.#dueAt = Infinity;
      this.#onDue(armedAt + delay); // re-arms for the next expiry, or for the next hop of a far one
    };
    let action: Subscription;
    try {
      action = this.#scheduler.schedule(fire, delay);
      arming = false;
      if (ranWhileArming) action = this.#scheduler.schedule(fire, Math.max(1, delay));
    } catch (error) {
      // A scheduler that failed to schedule: nothing is armed, and the next arm() tries
      // again (entries due meanwhile still expire when a command reaches their shard).
      // Reported, not thrown: the timer is armed while a command is being applied, and
      // a throw would leave it half-done (the entry stored, its log entry and events gone).
      this.#lost = true;
      report(error);
      return;
    }
    // Unsubscribed while still ours: the scheduler dropped it without running it (a
    // VirtualTimeScheduler whose flush() meets a throwing action unsubscribes every
    // pending one; we clear #action before we cancel, and when it fires). Then it is
    // as if schedule() had failed. A scheduler of your own may return a bare
    // { unsubscribe } rather than a Subscription: then drops go unseen.
    if (typeof (action as Partial<Subscription>).add === 'function') {
      action.add(() => {
        if (this.#action !== action) return;
        this.#action = undefined;
        this.#dueAt = Infinity;
        this.#lost = true;
        this.#enterDropped();
      });
    }
    unrefHostTimer(action);
    this.#action = action;
    this.#dueAt = dueAt;
  }

  /**
   * Arms again, for its cache's earliest expiry, every timer whose pending action its
   * scheduler dropped without running it. For `macho/testing`'s virtual clock, after a
   * flush that a throwing action cut short: each cache on that scheduler then expires
   * on time again, not only at its next write.
   */
  static rearmDropped(): void {
    for (const ref of dropped) {
      const timer = ref.deref();
      if (timer === undefined) {
        dropped.delete(ref);
        continue;
      }
      timer.#leaveDropped();
      const next = timer.#earliest();
      // Not inside a command: a failed schedule() is reported at once (to the caller's
      // hook, as advance() has put it back by now).
      if (next !== Infinity) timer.arm(next, reportError);
    }
  }

  /** Cancels the pending timer, if any. */
  cancel(): void {
    const action = this.#action;
    this.#action = undefined;
    action?.unsubscribe();
    this.#dueAt = Infinity;
    this.#lost = false;
    this.#leaveDropped();
  }

  #enterDropped(): void {
    if (this.#droppedRef !== undefined) return;
    const ref = new WeakRef(this);
    this.#droppedRef = ref;
    dropped.add(ref);
    forgetCollected.register(this, ref, ref);
  }

  #leaveDropped(): void {
    const ref = this.#droppedRef;
    if (ref === undefined) return;
    this.#droppedRef = undefined;
    dropped.delete(ref);
    forgetCollected.unregister(ref);
  }
}

/**
 * RxJS's own schedulers (`asyncScheduler`, and `asapScheduler` or `queueScheduler` for
 * delayed work) run a delayed action on a host interval whose handle is the action's
 * `id`; in Node that handle is ref'd, and it would keep the process running until the
 * expiry is due (ten minutes with the default TTL), where the contract is that
 * real-time expiry timers never do. So it is unref'd here. A handle that is not a Node
 * timer (a number in browsers and Deno, or a `TestScheduler.run` virtual handle) and a
 * `VirtualTimeScheduler`'s action (no `id`) are left alone. Any scheduler whose actions
 * keep a Node timer as `id` (RxJS's, and so any scheduler that delegates to them) has
 * it unref'd; one of your own that keeps its timers elsewhere keeps them as they are.
 */
function unrefHostTimer(action: Subscription): void {
  const id = (action as { id?: unknown }).id;
  if (typeof id === 'object' && id !== null && typeof (id as { unref?: unknown }).unref === 'function')
    (id as { unref(): void }).unref();
}
