/** FNV-1a offset basis. */
export const FNV_OFFSET = 0x811c9dc5;

/** One FNV-1a step: the state after `code` (a UTF-16 code unit). */
export function fnvStep(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193);
}

/** FNV-1a state after every code unit of `s`, from state `h`. */
export function fnvString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** murmur3's final avalanche, so that the low bits used for a hash space are well mixed. */
export function finalizeHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * 32-bit FNV-1a over the UTF-16 code units of `s`, finished with murmur3's avalanche.
 *
 * @example
 * hash32('w:pytest') & 0xfffff; // a feature index in a 2^20 space
 */
export function hash32(s: string): number {
  return finalizeHash(fnvString(FNV_OFFSET, s));
}
