import type { SchedulerLike, Subscription } from 'rxjs';

// Timer APIs take a signed 32-bit delay; a far expiry is reached in several hops
// (the cache re-arms for whatever is then due, which may still be nothing).
const MAX_DELAY = 2 ** 31 - 1;

/**
 * One timer for a whole cache: always armed for the earliest expiry of any shard, so
 * the number of pending timers is one, not one per entry. When it fires, the cache
 * cleans up whatever is due and arms it again for the next expiry.
 */
export class ExpiryTimer {
  readonly #scheduler: SchedulerLike;
  readonly #onDue: () => void;
  #action: Subscription | undefined;
  #dueAt = Infinity;

  /**
   * @param scheduler - the clock and timer source (virtual in tests).
   * @param onDue - called when the armed time comes; must call {@link arm} again.
   */
  constructor(scheduler: SchedulerLike, onDue: () => void) {
    this.#scheduler = scheduler;
    this.#onDue = onDue;
  }

  /** When the timer will fire, or `Infinity` if it is not armed. */
  get dueAt(): number {
    return this.#dueAt;
  }

  /**
   * Makes sure the timer fires no later than `dueAt`. Cheap when it already does,
   * which is the common case: with one default TTL, each new expiry is the latest.
   */
  arm(dueAt: number): void {
    if (dueAt >= this.#dueAt) return;
    this.#action?.unsubscribe();
    this.#action = undefined;
    const delay = Math.min(MAX_DELAY, Math.max(0, dueAt - this.#scheduler.now()));
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
      this.#onDue(); // re-arms for the next expiry, or for the next hop of a far one
    };
    // If schedule() throws (a scheduler that cannot run here), nothing is armed and
    // #dueAt stays as it was, so the next arm() tries again.
    let action = this.#scheduler.schedule(fire, delay);
    arming = false;
    if (ranWhileArming) action = this.#scheduler.schedule(fire, Math.max(1, delay));
    this.#action = action;
    this.#dueAt = dueAt;
  }

  /** Cancels the pending timer, if any. */
  cancel(): void {
    this.#action?.unsubscribe();
    this.#action = undefined;
    this.#dueAt = Infinity;
  }
}
