import { describe, expect, it } from 'vitest';
import { SnapshotMemo } from '../../src/shard/snapshotMemo.js';

// The per-slot entries a shard keeps while its cache streams snapshots. Through the
// cache it is checked against snapshots built afresh (spec/streams/snapshots.spec.ts);
// here, what the cache cannot reach: a walk that keeps more slots than it announced.
describe('SnapshotMemo', () => {
  it('drops, at the end of a walk, what the walk before kept and this one did not reach', () => {
    const memo = new SnapshotMemo<string>(8);
    memo.begin(4, 1); // announces one live entry, keeps three: room is made, nothing is lost
    memo.keep(0, 'a');
    memo.keep(2, 'c');
    memo.keep(3, 'd');
    memo.end();
    expect([memo.get(0), memo.get(1), memo.get(2), memo.get(3)]).toEqual(['a', undefined, 'c', 'd']);
    memo.begin(6, 1);
    memo.keep(2, 'c2');
    memo.end();
    expect([memo.get(0), memo.get(2), memo.get(3)]).toEqual([undefined, 'c2', undefined]);
    memo.begin(6, 0);
    memo.end();
    expect(memo.get(2)).toBeUndefined();
  });
});
