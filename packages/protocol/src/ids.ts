/** Two hex digits for each byte value. */
const HEX_PAIR: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** Random bytes drawn from the platform's CSPRNG in blocks (one call per 409 ids instead of one each). */
const RANDOM = new Uint8Array(4096);
let randomAt = RANDOM.length;
/** The time part of the last id, reused while the millisecond is the same (ids come in bursts). */
let idTimeMs = -1;
let idTimeHex = '';

/**
 * A new invocation id: a UUIDv7 (48-bit millisecond time, version 7, variant 10, 74 random bits
 * from the platform's `crypto.getRandomValues`): time-ordered, so ids sort by creation and index
 * appends stay cheap. Allocation-light, since trackers make one per tracked call.
 *
 * @example
 * newInvocationId(); // '01936f0e-8c2a-7c3d-9f4e-2b1a0c9d8e7f'
 */
export function newInvocationId(now: number = Date.now()): string {
  if (randomAt + 10 > RANDOM.length) {
    globalThis.crypto.getRandomValues(RANDOM);
    randomAt = 0;
  }
  if (now !== idTimeMs) {
    idTimeMs = now;
    const hex = Math.floor(now).toString(16).padStart(12, '0').slice(-12);
    idTimeHex = `${hex.slice(0, 8)}-${hex.slice(8)}`;
  }
  const r = RANDOM;
  const i = randomAt;
  randomAt += 10;
  return (
    idTimeHex +
    '-7' +
    HEX_PAIR[r[i]!]!.charAt(1) +
    HEX_PAIR[r[i + 1]!]! +
    '-' +
    HEX_PAIR[(r[i + 2]! & 0x3f) | 0x80]! +
    HEX_PAIR[r[i + 3]!]! +
    '-' +
    HEX_PAIR[r[i + 4]!]! +
    HEX_PAIR[r[i + 5]!]! +
    HEX_PAIR[r[i + 6]!]! +
    HEX_PAIR[r[i + 7]!]! +
    HEX_PAIR[r[i + 8]!]! +
    HEX_PAIR[r[i + 9]!]!
  );
}
