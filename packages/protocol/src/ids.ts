/**
 * A new invocation id: a UUIDv7 (time-ordered, so ids sort by creation and index appends
 * stay cheap), made with the platform's crypto so no dependency is needed.
 *
 * @example
 * newInvocationId(); // '01936f0e-8c2a-7c3d-9f4e-2b1a0c9d8e7f'
 */
export function newInvocationId(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
