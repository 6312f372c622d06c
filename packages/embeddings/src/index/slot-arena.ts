/** Largest chunk, in terms (4 MB): chunks grow to it, doubling from small. */
const MAX_CHUNK = 1 << 20;
const MIN_CHUNK = 1 << 10;

/**
 * The term numbers of a {@link SparseIndex}'s vectors, slot by slot, in a few large chunks rather
 * than a typed array each: a million vectors then cost no objects for them (a typed array weighs
 * some 200 bytes besides its data). A slot lies whole in one chunk, at `start[slot]` for
 * `length[slot]` terms. Deleted slots keep their space until the owner compacts
 * ({@link compacted}). Hot loops read the fields directly.
 *
 * @example
 * const arena = new SlotArena();
 * const slot = arena.reserve(2);
 * const at = arena.start[slot]!;
 * arena.terms[arena.chunk[slot]!]![at] = 7;
 */
export class SlotArena {
  /** Per chunk: term numbers. */
  readonly terms: Uint32Array[] = [];
  /** Per slot: its chunk, first position, and term count (-1 once deleted). */
  readonly chunk: number[] = [];
  readonly start: number[] = [];
  readonly length: number[] = [];
  livePostings = 0;
  deadPostings = 0;
  /** Terms used in the last chunk. */
  #used = 0;

  get slots(): number {
    return this.chunk.length;
  }

  /** A new slot of `n` terms (to be written by the caller), after the others. */
  reserve(n: number): number {
    const last = this.terms.length - 1;
    if (last < 0 || this.#used + n > this.terms[last]!.length) {
      const size = Math.max(n, Math.min(MAX_CHUNK, last < 0 ? MIN_CHUNK : this.terms[last]!.length * 2));
      this.terms.push(new Uint32Array(size));
      this.#used = 0;
    }
    const slot = this.chunk.length;
    this.chunk.push(this.terms.length - 1);
    this.start.push(this.#used);
    this.length.push(n);
    this.#used += n;
    this.livePostings += n;
    return slot;
  }

  /** Marks `slot` deleted; its space is reclaimed by {@link compacted}. */
  delete(slot: number): void {
    const n = this.length[slot]!;
    this.length[slot] = -1;
    this.livePostings -= n;
    this.deadPostings += n;
  }

  /** A copy holding the live slots alone, in order (numbered from 0), in chunks no larger than needed. */
  compacted(): SlotArena {
    const out = new SlotArena();
    // One chunk for the small: a compacted index seldom grows by much before its next compaction.
    if (this.livePostings > 0) out.#preallocate(Math.min(Math.max(this.livePostings, MIN_CHUNK), MAX_CHUNK));
    for (let slot = 0; slot < this.length.length; slot++) {
      const n = this.length[slot]!;
      if (n < 0) continue;
      const to = out.reserve(n);
      const from = this.start[slot]!;
      const at = out.start[to]!;
      out.terms[out.chunk[to]!]!.set(this.terms[this.chunk[slot]!]!.subarray(from, from + n), at);
    }
    return out;
  }

  #preallocate(size: number): void {
    this.terms.push(new Uint32Array(size));
    this.#used = 0;
  }
}
