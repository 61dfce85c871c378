/**
 * Keys crafted to share the cuckoo filter's bucket hash (FNV-1a under the filter's seed,
 * finished by a bijection): anyone who chooses keys can make thousands. Such keys share
 * their first bucket at every table size; their fingerprints come from a second hash.
 *
 * @module
 */

// The cuckoo filter's hash seed (KEY_SEED in src/filters/cuckooFilter.ts), copied
// rather than exported; cuckooFlood.spec.ts checks that these keys really collide there.
export const CUCKOO_KEY_SEED = 0x3c6ef372;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

// FNV-1a's state after `text`, from `state` (hashString applies mix32, a bijection, to it).
function fnv(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME) >>> 0;
  return h;
}

function word(n: number): string {
  let text = '';
  for (let i = 0; i < 5; i++, n = Math.floor(n / 36)) text += DIGITS[n % 36];
  return text;
}

const isWordChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

// Two different 6-character words that take FNV-1a from `state` to the same state.
// The last step is (h ^ c) · P, so two 5-character prefixes whose states differ only
// in the low 7 bits collide once their last characters differ by that XOR: a birthday
// search over 25 bits (a few thousand prefixes), not 32.
function collision(state: number): readonly [string, string, number] {
  const seen = new Map<number, number>();
  for (let n = 0; ; n++) {
    const reached = fnv(state, word(n));
    const other = seen.get(reached >>> 7);
    if (other !== undefined) {
      const difference = (reached ^ fnv(state, word(other))) & 0x7f;
      for (let c = 0x30; c <= 0x7a; c++) {
        if (isWordChar(c) && isWordChar(c ^ difference)) {
          const a = word(other) + String.fromCharCode(c);
          return [a, word(n) + String.fromCharCode(c ^ difference), fnv(state, a)];
        }
      }
    }
    seen.set(reached >>> 7, n);
  }
}

/** `2^rounds` distinct strings starting with `prefix` that share the cuckoo filter's bucket hash. */
export function collidingKeys(prefix: string, rounds: number): string[] {
  let state = fnv((FNV_OFFSET ^ CUCKOO_KEY_SEED) >>> 0, prefix);
  let keys = [prefix];
  for (let r = 0; r < rounds; r++) {
    const [a, b, next] = collision(state);
    keys = keys.flatMap((key) => [key + a, key + b]);
    state = next;
  }
  return keys;
}
