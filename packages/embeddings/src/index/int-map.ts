/**
 * A hash map from uint32 keys to non-negative int32 values with open addressing in typed
 * arrays: several times faster than a `Map` for the millions of feature lookups of indexing,
 * and no garbage per entry.
 */
export class IntMap {
  #keys: Uint32Array;
  #values: Int32Array;
  #mask: number;
  #size = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.#keys = new Uint32Array(n);
    this.#values = new Int32Array(n).fill(-1);
    this.#mask = n - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value under `key`, or -1. */
  get(key: number): number {
    const keys = this.#keys;
    const values = this.#values;
    let i = mix(key) & this.#mask;
    for (;;) {
      const v = values[i]!;
      if (v < 0) return -1;
      if (keys[i] === key) return v;
      i = (i + 1) & this.#mask;
    }
  }

  /** Sets `key` to `value` (>= 0). */
  set(key: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#keys.length) this.#grow();
    const keys = this.#keys;
    const values = this.#values;
    let i = mix(key) & this.#mask;
    for (;;) {
      if (values[i]! < 0) {
        keys[i] = key;
        values[i] = value;
        this.#size++;
        return;
      }
      if (keys[i] === key) {
        values[i] = value;
        return;
      }
      i = (i + 1) & this.#mask;
    }
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    const n = keys.length * 2;
    this.#keys = new Uint32Array(n);
    this.#values = new Int32Array(n).fill(-1);
    this.#mask = n - 1;
    this.#size = 0;
    for (let i = 0; i < keys.length; i++) if (values[i]! >= 0) this.set(keys[i]!, values[i]!);
  }
}

/** Spreads keys that differ in high bits only (hashed features usually do not). */
function mix(key: number): number {
  return Math.imul(key ^ (key >>> 16), 0x45d9f3b) >>> 0;
}
