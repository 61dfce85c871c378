/**
 * Hashing of cache keys, consistent with `Map`'s SameValueZero equality: equal keys
 * hash equally (`NaN` with `NaN`, `-0` with `0`), objects and functions by identity.
 *
 * Used to route a key to its shard and to index membership filters. Primitive keys
 * hash the same in every process, so a replayed command log routes every key to the
 * shard it had in the recording.
 *
 * @module
 */
import { describe } from '../errors.js';

/** Murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units, finished with {@link mix32}. */
export function hashString(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

// One shared view pair: reading a double's bits without allocating per call.
const float64 = new Float64Array(1);
const words = new Uint32Array(float64.buffer);

function hashNumber(n: number, seed: number): number {
  if ((n | 0) === n) return mix32((n ^ seed ^ 0x9e3779b9) >>> 0); // also folds -0 into 0
  if (n !== n) return mix32(0x7ff80000 ^ seed); // every NaN is one key
  float64[0] = n;
  return mix32((words[0]! ^ Math.imul(words[1]! ^ seed, 0x9e3779b1)) >>> 0);
}

// Identity numbers for object, function and unregistered-symbol keys. Module-wide, not
// per cache, so that a cache replaying another's log in the same process gives every
// object key the number (and so the shard) it had in the original.
const identities = new WeakMap<object, number>();
let nextIdentity = 1;

function hashObject(o: object, seed: number): number {
  let id = identities.get(o);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(o, id);
  }
  return mix32((Math.imul(id, 0x9e3779b1) ^ seed) >>> 0);
}

/**
 * A 32-bit unsigned hash of `key`, stable for the key's lifetime.
 *
 * @param seed - selects an independent hash function (membership filters use two).
 * @example
 * hashKey('user:1') === hashKey('user:1'); // true
 * hashKey(-0) === hashKey(0);              // true
 * hashKey(NaN) === hashKey(Number.NaN);    // true
 */
export function hashKey(key: unknown, seed = 0): number {
  switch (typeof key) {
    case 'string':
      return hashString(key, seed);
    case 'number':
      return hashNumber(key, seed);
    case 'object':
      return key === null ? mix32(0x6e756c6c ^ seed) : hashObject(key, seed);
    case 'function':
      return hashObject(key, seed);
    case 'boolean':
      return mix32((key ? 0x74727565 : 0x66616c73) ^ seed);
    case 'undefined':
      return mix32(0x756e6466 ^ seed);
    case 'bigint':
      return hashString(key.toString(), seed ^ 0x62696769);
    case 'symbol': {
      // Registered symbols (Symbol.for) are the same key everywhere: hash the registry
      // key. Unique symbols hash by description; collisions only cost distribution.
      const name = Symbol.keyFor(key) ?? key.description ?? '';
      return hashString(name, seed ^ 0x73796d62);
    }
  }
  return 0;
}

/**
 * Where {@link hashKeyPair} leaves its two hashes: `[hashKey(key, seedA), hashKey(key,
 * seedB)]`. One shared buffer instead of a returned pair, so that the filters' lookups
 * allocate nothing; read both right after the call.
 */
export const hashPair: Uint32Array = new Uint32Array(2); // typed as plain Uint32Array: TS 5.4 users read our .d.ts

/**
 * `hashKey(key, seedA)` and `hashKey(key, seedB)` into {@link hashPair}, the same values
 * as two calls, in one pass over a string key's characters (two FNV-1a lanes side by
 * side cost little more than one: the multiplications are independent) and one identity
 * lookup for an object. The membership filters need two independent hashes per key.
 *
 * @example
 * hashKeyPair('user:1', 1, 2);
 * hashPair[0] === hashKey('user:1', 1) && hashPair[1] === hashKey('user:1', 2); // true
 */
export function hashKeyPair(key: unknown, seedA: number, seedB: number): void {
  if (typeof key === 'string') {
    let a = (0x811c9dc5 ^ seedA) >>> 0;
    let b = (0x811c9dc5 ^ seedB) >>> 0;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193);
    }
    hashPair[0] = mix32(a);
    hashPair[1] = mix32(b);
  } else {
    // Both into locals first: hashing a bigint, symbol or object can run user code (a
    // patched toString or WeakMap method) that hashes another key through here.
    const a = hashKey(key, seedA);
    const b = hashKey(key, seedB);
    hashPair[0] = a;
    hashPair[1] = b;
  }
}

/**
 * The shard (0 … `shardCount` - 1) that owns `key`.
 *
 * @throws RangeError if `shardCount` is not an integer ≥ 1.
 * @example
 * shardOf('user:1', 4); // a number in 0..3, the same every time
 */
export function shardOf(key: unknown, shardCount: number): number {
  if (typeof shardCount !== 'number') throw new TypeError(`macho: shardOf needs a shardCount that is a number; got ${describe(shardCount)}`);
  if (!(Number.isInteger(shardCount) && shardCount >= 1))
    throw new RangeError(`macho: shardOf needs a shardCount that is an integer ≥ 1; got ${String(shardCount)}`);
  return shardIndex(key, shardCount);
}

/**
 * {@link shardOf} without the check, for the cache's routing (every command of a
 * sharded cache goes through it, with a shard count checked at construction).
 */
export function shardIndex(key: unknown, shardCount: number): number {
  return shardCount === 1 ? 0 : hashKey(key) % shardCount;
}

/** `Map`'s key equality (SameValueZero): `===`, except that `NaN` equals `NaN`. */
export function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}
