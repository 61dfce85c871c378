import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Counts } from 'macho';
import {
  Cache,
  countEvents,
  CuckooFilter,
  FrequencySketch,
  loaderGuard,
  shardOf,
  SlotList,
  traceName,
  validateCommand,
} from 'macho';
import { VirtualTimeError } from 'macho/testing';

// The public helpers outside the Cache class: a bad argument is a TypeError (wrong type)
// or RangeError (out of range) naming it, never an engine error or a silent default.
describe('public helpers refuse bad arguments, naming them', () => {
  it('validateCommand: a bad shardCount or index is the caller’s mistake, not the command’s', () => {
    const command = { type: 'expire', shard: 0, at: 0 };
    expect(() => validateCommand(command, 'x' as unknown as number)).toThrow(new TypeError('macho: validateCommand: shardCount must be a number; got "x"'));
    expect(() => validateCommand(command, Number.NaN)).toThrow(RangeError);
    expect(() => validateCommand(command, 0)).toThrow(/shardCount must be an integer ≥ 1; got 0/);
    expect(() => validateCommand(command, 1, -1)).toThrow(/index must be an integer ≥ 0 or left out; got -1/);
    expect(() => validateCommand(command, 1, 3)).not.toThrow();
  });

  it('Cache#forEach: a callback that is not a function, even on an empty cache', () => {
    const cache = new Cache({ scheduler: new VirtualTimeScheduler() });
    expect(() => cache.forEach(5 as never)).toThrow(new TypeError('macho: forEach() takes a callback function; got 5'));
    cache.dispose();
  });

  it('a loader guard over a filter with only mightContain guards, and says why it cannot learn keys', () => {
    const guard = loaderGuard.of<string>({ mightContain: (key: string) => key === 'a' } as never);
    expect(guard.mightExist('a')).toBe(true);
    expect(() => guard.add('b')).toThrow(new TypeError('macho: cannot add "b": the guard\'s filter has no add method (it is only checked)'));
    expect(() => guard.remove('a')).toThrow(/has no remove method/);
  });

  it('countEvents: counts to start from, one per shard with every counter', () => {
    expect(() => countEvents([])).toThrow(TypeError);
    const cache = new Cache({ scheduler: new VirtualTimeScheduler() });
    expect(() => countEvents(cache.metrics() as unknown as Counts[])).toThrow(/takes the counts to start from, one per shard/);
    expect(() => countEvents([{ hits: 0 } as Counts])).toThrow(/the counts of shard 0 have no number "misses"/);
    expect(() => countEvents(cache.metrics().shards)).not.toThrow();
    cache.dispose();
  });

  it('traceName, SlotList, FrequencySketch, shardOf, VirtualTimeError and the cuckoo seed', () => {
    expect(() => traceName(5 as never)).toThrow(new TypeError('macho/simulator: traceName() takes a path string; got 5'));
    expect(() => new SlotList(-1)).toThrow(/^macho\/slotList: capacity must be an integer from 0 to 2147483647; got -1/);
    expect(() => new SlotList('5' as never)).toThrow(TypeError);
    expect(() => new SlotList(1.5)).toThrow(RangeError);
    expect(() => new SlotList(2, new Uint32Array(3))).toThrow(/links must hold 2 × 2 numbers; got 3/);
    expect(() => new FrequencySketch('5' as never)).toThrow(new TypeError('macho/frequencySketch: capacity must be a number; got "5"'));
    expect(() => new FrequencySketch(8, 0)).toThrow(RangeError);
    expect(() => shardOf('k', '4' as never)).toThrow(new TypeError('macho: shardOf needs a shardCount that is a number; got "4"'));
    expect(() => new VirtualTimeError(5 as never, 0, 1)).toThrow(TypeError);
    expect(() => new CuckooFilter(100, 0.01, { seed: 1.5 })).toThrow(new RangeError('macho/cuckoo: seed must be a safe integer; got 1.5'));
    expect(() => new CuckooFilter(100, 0.01, { seed: 2 ** 40 })).not.toThrow();
  });
});
