import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GhostIds } from '../../src/policies/ghostIds.js';

// The obvious version it replaces: every id on a free list up front, 0 on top.
class FullFreeList {
  readonly #free: number[];
  constructor(readonly size: number) {
    this.#free = Array.from({ length: size }, (_, i) => size - 1 - i);
  }
  get full(): boolean {
    return this.#free.length === 0;
  }
  take(): number {
    return this.#free.pop()!;
  }
  release(id: number): void {
    this.#free.push(id);
  }
}

describe('GhostIds', () => {
  it('hands out the same ids in the same order as a free list holding every id from the start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.oneof(fc.constant('take' as const), fc.nat(50), fc.constant('reset' as const)), { maxLength: 200 }),
        (size, ops) => {
          let model = new FullFreeList(size);
          const ids = new GhostIds(size);
          const inUse: number[] = [];
          for (const op of ops) {
            if (op === 'reset') {
              model = new FullFreeList(size);
              ids.reset();
              inUse.length = 0;
            } else if (op === 'take') {
              expect(ids.full).toBe(model.full);
              if (model.full) continue;
              const id = ids.take();
              expect(id).toBe(model.take());
              inUse.push(id);
            } else if (inUse.length > 0) {
              const [id] = inUse.splice(op % inUse.length, 1);
              ids.release(id!);
              model.release(id!);
            }
            expect(ids.full).toBe(model.full);
            expect(ids.used).toBeLessThanOrEqual(size);
          }
        },
      ),
    );
  });
});
