/**
 * LIRS (Jiang & Zhang, SIGMETRICS 2002) on plain arrays, for model-based tests: the
 * paper's stack S and queue Q written out as its section 3.3 states them, scanned
 * linearly, so that it is obviously correct by reading it.
 *
 * What the paper leaves open is settled as the cache documents it: at most
 * `2 × capacity` non-resident keys by default (the one that left the cache first is
 * forgotten first); deletes and expiry forget a key entirely; the HIR share is 1% by
 * default, at least one slot.
 *
 * @module
 */

import type { TimedEntry } from './frequencyModels.js';
import { PolicyModel } from './frequencyModels.js';
import { sameValueZero } from './models.js';

const indexIn = <K>(list: readonly K[], key: K): number => list.findIndex((k) => sameValueZero(k, key));
const isIn = <K>(list: readonly K[], key: K): boolean => indexIn(list, key) !== -1;
const remove = <K>(list: K[], key: K): void => {
  const i = indexIn(list, key);
  if (i !== -1) list.splice(i, 1);
};

/** The sizes a LIRS policy reports (`LirsPolicy.stacks`). */
export interface LirsCounts {
  lir: number;
  hir: number;
  nonResident: number;
  s: number;
}

/** LIRS on arrays: S (bottom first), Q (front, the next victim, first), the LIR set and the ghosts. */
export class LirsModel<K, V> extends PolicyModel<K, V> {
  readonly maxHir: number;
  readonly maxLir: number;
  readonly maxNonResident: number;
  /** Stack S, bottom (largest recency) first, top last. */
  readonly s: K[] = [];
  /** Queue Q of resident HIR keys, front (the next victim) first. */
  readonly q: K[] = [];
  /** The LIR keys (always resident, always in S). */
  readonly lir: K[] = [];
  /** Non-resident HIR keys in S, in the order they left the cache. */
  readonly nonResident: K[] = [];
  #evicting = false;

  /** The defaults are the `'lirs'` strategy's; others match `lirs({ hirPercent, nonResidentMultiplier })`. */
  constructor(capacity: number, hirPercent = 0.01, nonResidentMultiplier = 2) {
    super(capacity);
    this.maxHir = Math.max(1, Math.ceil(capacity * hirPercent));
    this.maxLir = capacity - this.maxHir;
    this.maxNonResident = Math.floor(capacity * nonResidentMultiplier);
  }

  /** The same figures as `LirsPolicy.stacks`. */
  counts(): LirsCounts {
    this.expire();
    return { lir: this.lir.length, hir: this.q.length, nonResident: this.nonResident.length, s: this.s.length };
  }

  protected create(key: K, value: V, expiresAt: number): TimedEntry<K, V> {
    return { key, value, expiresAt };
  }

  // A miss: the block is loaded into the buffer the victim freed.
  protected inserted({ key }: TimedEntry<K, V>): void {
    if (isIn(this.nonResident, key)) {
      // "If X is in stack S, we change its status to LIR and move the LIR block at the
      // bottom of stack S to the end of stack Q with its status changed to HIR."
      remove(this.nonResident, key);
      this.#toTop(key);
      this.#becomeLir(key);
    } else if (this.lir.length < this.maxLir) {
      // "When LIR block set is not full, all the referenced blocks are given an LIR status."
      this.#toTop(key);
      this.lir.push(key);
    } else {
      // "If X is not in stack S, we leave its status unchanged and place it at the end of Q."
      this.#toTop(key);
      this.q.push(key);
    }
    this.#prune();
    while (this.nonResident.length > this.maxNonResident) remove(this.s, this.nonResident.shift()!);
  }

  // A hit.
  protected touched({ key }: TimedEntry<K, V>): void {
    if (isIn(this.lir, key)) {
      // "We move it to the top of stack S. If the LIR block is originally located at the
      // bottom of the stack, we conduct a stack pruning."
      this.#toTop(key);
    } else if (isIn(this.s, key)) {
      // A resident HIR block in S: it becomes LIR, leaves Q; S's bottom LIR goes to Q's end.
      this.#toTop(key);
      remove(this.q, key);
      this.#becomeLir(key);
    } else {
      // Not in S: it stays HIR and moves to the end of Q.
      this.#toTop(key);
      remove(this.q, key);
      this.q.push(key);
    }
    this.#prune();
  }

  protected chooseVictim(): TimedEntry<K, V> {
    // "We remove the HIR resident block at the front of stack Q."
    this.#evicting = true;
    return this.live.find((e) => sameValueZero(e.key, this.q[0]))!;
  }

  protected removing({ key }: TimedEntry<K, V>): void {
    if (this.#evicting) {
      // "It then becomes a non-resident block" if it is in S; otherwise it is gone.
      this.#evicting = false;
      remove(this.q, key);
      if (isIn(this.s, key)) this.nonResident.push(key);
      return;
    }
    remove(this.lir, key);
    remove(this.q, key);
    remove(this.s, key);
    this.#prune();
  }

  protected cleared(): void {
    this.s.length = this.q.length = this.lir.length = this.nonResident.length = 0;
  }

  #toTop(key: K): void {
    remove(this.s, key);
    this.s.push(key);
  }

  #becomeLir(key: K): void {
    this.lir.push(key);
    if (this.lir.length <= this.maxLir) return;
    const bottom = this.s.shift()!;
    remove(this.lir, bottom);
    this.q.push(bottom);
  }

  // "Stack pruning": HIR blocks leave S's bottom until an LIR block is there.
  #prune(): void {
    while (this.s.length > 0 && !isIn(this.lir, this.s[0]!)) remove(this.nonResident, this.s.shift()!);
  }
}
