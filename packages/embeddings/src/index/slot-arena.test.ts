import { describe, expect, it } from 'vitest';
import { SlotArena } from './slot-arena.js';

function put(arena: SlotArena, terms: readonly number[]): number {
  const slot = arena.reserve(terms.length);
  const at = arena.start[slot]!;
  terms.forEach((t, i) => {
    arena.terms[arena.chunk[slot]!]![at + i] = t;
  });
  return slot;
}

function read(arena: SlotArena, slot: number): number[] {
  const at = arena.start[slot]!;
  return [...arena.terms[arena.chunk[slot]!]!.subarray(at, at + arena.length[slot]!)];
}

describe('SlotArena', () => {
  it('keeps each slot whole in one chunk, chunks growing from small', () => {
    const arena = new SlotArena();
    const slots = Array.from({ length: 300 }, (_, i) => put(arena, Array.from({ length: 10 }, (_, j) => i * 10 + j)));
    expect(slots).toEqual(Array.from({ length: 300 }, (_, i) => i));
    slots.forEach((slot) => expect(read(arena, slot)).toEqual(Array.from({ length: 10 }, (_, j) => slot * 10 + j)));
    expect(arena.terms[0]!.length).toBe(1024);
    expect(arena.terms[1]!.length).toBe(2048);
    expect(arena.livePostings).toBe(3000);
    // A slot larger than the next chunk gets a chunk of its own size.
    const big = put(arena, Array.from({ length: 5000 }, (_, j) => j));
    expect(arena.terms[arena.chunk[big]!]!.length).toBe(5000);
  });

  it('drops deleted slots when compacted, keeping the others in order', () => {
    const arena = new SlotArena();
    for (let i = 0; i < 5; i++) put(arena, [i, i + 100]);
    arena.delete(1);
    arena.delete(3);
    expect([arena.livePostings, arena.deadPostings]).toEqual([6, 4]);
    const compact = arena.compacted();
    expect(compact.slots).toBe(3);
    expect([0, 1, 2].map((s) => read(compact, s))).toEqual([[0, 100], [2, 102], [4, 104]]);
    expect([compact.livePostings, compact.deadPostings]).toEqual([6, 0]);
  });
});
