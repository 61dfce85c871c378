/**
 * CLOCK-Pro (Jiang, Chen & Zhang, USENIX ATC 2005) on a plain array, for model-based
 * tests: the paper's one clock of hot, cold and non-resident cold pages, with its three
 * hands as positions that walk the clock, written as section 3 states it, so that it is
 * obviously correct by reading it. (The policy keeps one queue per kind of page instead;
 * the spec checks that the two agree.)
 *
 * What the paper leaves open is settled as the policy documents it (and Caffeine's
 * simulator does): `m_c` starts at its lower bound and stays within [1%, 99%] of the
 * capacity; with free slots a new key is hot while more than the lower bound's slots are
 * free; a promotion that HAND_hot cannot make room for before reaching the promoted page
 * is refused; ghosts are bounded by `nonResidentMultiplier × capacity` (default 1); deletes
 * and expiry forget a key entirely.
 *
 * @module
 */

import type { TimedEntry } from './frequencyModels.js';
import { PolicyModel } from './frequencyModels.js';
import { sameValueZero } from './models.js';

/** One page of the clock. */
interface Page<K> {
  key: K;
  kind: 'hot' | 'cold' | 'ghost';
  /** In its test period (cold pages only; ghosts always). */
  test: boolean;
  /** The reference bit. */
  ref: boolean;
}

/** The counts a CLOCK-Pro policy reports (`ClockProPolicy.clock`). */
export interface ClockProModelCounts {
  hot: number;
  cold: number;
  nonResident: number;
  inTest: number;
  coldTarget: number;
}

/** CLOCK-Pro on an array: the clock, oldest page first, the head (newest) last. */
export class ClockProModel<K, V> extends PolicyModel<K, V> {
  readonly minCold: number;
  readonly maxCold: number;
  readonly maxNonResident: number;
  /** `m_c`. */
  coldTarget: number;
  /** The clock: index 0 is the oldest page; "the list head" is the end. */
  readonly clock: Page<K>[] = [];
  #handHot: Page<K> | undefined;
  #handCold: Page<K> | undefined;
  #handTest: Page<K> | undefined;
  #evicting: Page<K> | undefined;
  #evicted = false;

  /** The defaults are the `'clockpro'` strategy's; others match `clockPro({ ... })`. */
  constructor(capacity: number, nonResidentMultiplier = 1, minColdPercent = 0.01, maxColdPercent = 0.99) {
    super(capacity);
    this.minCold = Math.max(1, Math.floor(capacity * minColdPercent));
    this.maxCold = Math.max(this.minCold, Math.min(Math.floor(capacity * maxColdPercent), capacity - this.minCold));
    this.maxNonResident = Math.floor(capacity * nonResidentMultiplier);
    this.coldTarget = this.minCold;
  }

  /** The same figures as `ClockProPolicy.clock`. */
  counts(): ClockProModelCounts {
    this.expire();
    const count = (p: (page: Page<K>) => boolean) => this.clock.filter(p).length;
    return {
      hot: count((p) => p.kind === 'hot'),
      cold: count((p) => p.kind === 'cold'),
      nonResident: count((p) => p.kind === 'ghost'),
      inTest: count((p) => p.test),
      coldTarget: this.coldTarget,
    };
  }

  protected create(key: K, value: V, expiresAt: number): TimedEntry<K, V> {
    return { key, value, expiresAt };
  }

  // A miss: the page is loaded into the slot the victim freed (or a free one).
  protected inserted({ key }: TimedEntry<K, V>): void {
    const missWhenFull = this.#evicted;
    this.#evicted = false;
    const ghost = this.clock.find((p) => p.kind === 'ghost' && sameValueZero(p.key, key));
    if (missWhenFull) {
      // "If the faulted page is in the list (a non-resident cold page in its test period),
      // it turns into a hot page and is placed at the head" (if HAND_hot makes room);
      // "otherwise it is placed at the head as a cold page and starts its test period."
      if (ghost !== undefined && this.#canPromote(ghost)) {
        this.#toHead(ghost, 'hot', false);
        this.#settleHotHand();
      } else {
        if (ghost !== undefined) this.#leave(ghost);
        this.#toHead({ key, kind: 'cold', test: true, ref: false }, 'cold', true);
      }
      return;
    }
    // Free slots: hot while more than the cold target's lower bound are free.
    if (ghost !== undefined) this.#leave(ghost);
    const free = this.capacity - this.clock.filter((p) => p.kind !== 'ghost').length;
    if (free > this.minCold) {
      this.#toHead({ key, kind: 'hot', test: false, ref: false }, 'hot', false);
      this.#settleHotHand();
    } else this.#toHead({ key, kind: 'cold', test: true, ref: false }, 'cold', true);
  }

  // A hit: "the reference bit is set"; nothing moves.
  protected touched({ key }: TimedEntry<K, V>): void {
    this.#page(key).ref = true;
  }

  protected chooseVictim(): TimedEntry<K, V> {
    for (;;) {
      const page = this.#coldHand();
      if (!page.ref) {
        // "If the reference bit of the cold page under HAND_cold is unset, we replace it."
        this.#evicting = page;
        return this.live.find((e) => sameValueZero(e.key, page.key))!;
      }
      // "If its bit is set and it is in its test period, we turn the cold page into a
      // hot page ... If its bit is set but it is not in its test period, there is no
      // status change. In both cases its bit is reset and it moves to the list head."
      if (page.test && this.#canPromote(page)) {
        this.#toHead(page, 'hot', false);
        this.#settleHotHand();
      } else this.#toHead(page, 'cold', true);
    }
  }

  protected removing({ key }: TimedEntry<K, V>): void {
    const page = this.#page(key);
    if (page === this.#evicting) {
      this.#evicting = undefined;
      this.#evicted = true;
      // "The replaced cold page remains in the list as a non-resident cold page until it
      // runs out of its test period, if it is in its test period; if not, it leaves."
      if (!page.test) {
        this.#leave(page);
        return;
      }
      page.kind = 'ghost';
      // "Once the number of non-resident pages exceeds m, we terminate the test period of
      // the cold page pointed to by HAND_test."
      while (this.clock.filter((p) => p.kind === 'ghost').length > this.maxNonResident) this.#terminate(this.#testHand());
      return;
    }
    // Delete or expiry: gone, no ghost.
    const wasHot = page.kind === 'hot';
    this.#leave(page);
    if (wasHot) this.#settleHotHand();
  }

  protected cleared(): void {
    this.clock.length = 0;
    this.#handHot = this.#handCold = this.#handTest = this.#evicting = undefined;
    this.#evicted = false;
    this.coldTarget = this.minCold;
  }

  #page(key: K): Page<K> {
    return this.clock.find((p) => p.kind !== 'ghost' && sameValueZero(p.key, key))!;
  }

  /** The page after `page`, clockwise (towards the head, then round to the oldest). */
  #next(page: Page<K>): Page<K> {
    return this.clock[(this.clock.indexOf(page) + 1) % this.clock.length]!;
  }

  /** `page` leaves its place; a hand on it moves on to the next page. */
  #leave(page: Page<K>): void {
    const i = this.clock.indexOf(page);
    if (i === -1) return;
    const next = this.clock.length > 1 ? this.#next(page) : undefined;
    if (this.#handHot === page) this.#handHot = next;
    if (this.#handCold === page) this.#handCold = next;
    if (this.#handTest === page) this.#handTest = next;
    this.clock.splice(i, 1);
  }

  #toHead(page: Page<K>, kind: Page<K>['kind'], test: boolean): void {
    this.#leave(page);
    page.kind = kind;
    page.test = test;
    page.ref = false;
    this.clock.push(page);
  }

  /** HAND_cold moves on (clockwise) to a resident cold page. */
  #coldHand(): Page<K> {
    let page = this.#handCold ?? this.clock[0]!;
    while (page.kind !== 'cold') page = this.#next(page);
    return (this.#handCold = page);
  }

  /** HAND_test moves on to a page in its test period. */
  #testHand(): Page<K> {
    let page = this.#handTest ?? this.clock[0]!;
    while (!page.test) page = this.#next(page);
    return (this.#handTest = page);
  }

  /** "We terminate the test period of the cold page, and remove it if it is non-resident." */
  #terminate(page: Page<K>): void {
    if (!page.test) return;
    page.test = false;
    if (page.kind === 'ghost') this.#leave(page);
    this.#adjust(page.ref ? +1 : -1);
  }

  #adjust(by: number): void {
    this.coldTarget = Math.min(this.maxCold, Math.max(this.minCold, this.coldTarget + by));
  }

  #hotCount(): number {
    return this.clock.filter((p) => p.kind === 'hot').length;
  }

  /** A cold page was referenced in its test period: m_c + 1, and room is made for it. */
  #canPromote(page: Page<K>): boolean {
    this.#adjust(+1);
    while (this.#hotCount() >= this.capacity - this.coldTarget) {
      if (!page.test) return false;
      if (!this.#runHandHot(page)) return false;
    }
    return true;
  }

  /**
   * HAND_hot: "if the bit of the hot page under the hand is unset, it turns into a cold
   * page; if set, the bit is reset and it stays hot (at the head). Whenever the hand
   * encounters a cold page, it terminates its test period." Stops at `trigger`.
   */
  #runHandHot(trigger: Page<K>): boolean {
    if (this.#hotCount() === 0) return false;
    let demoted = false;
    while (this.#handHot !== trigger) {
      const page = this.#handHot!;
      if (page.kind === 'hot') {
        if (page.ref) this.#toHead(page, 'hot', false);
        else {
          this.#toHead(page, 'cold', false);
          demoted = true;
          break;
        }
      } else {
        this.#handHot = this.#next(page);
        this.#terminate(page);
      }
    }
    this.#settleHotHand();
    return demoted;
  }

  /** "Finally the hand stops at a hot page", ending test periods on the way. */
  #settleHotHand(): void {
    if (this.#hotCount() === 0) {
      this.#handHot = undefined;
      return;
    }
    let page = this.#handHot ?? this.clock[0]!;
    while (page.kind !== 'hot') {
      const next = this.#next(page);
      this.#terminate(page);
      page = next;
    }
    this.#handHot = page;
  }
}
