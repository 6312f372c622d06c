import { describe, expect, it } from 'vitest';
import { decodeVector, denseVector, dot, encodeVector, norm, normalize, sparseVector, VectorFormatError, weightedSum } from './vector.js';

describe('vector codec', () => {
  it('round-trips dense vectors exactly', () => {
    const v = denseVector([0.1, -2.5, 3e-8, 0]);
    const back = decodeVector(encodeVector(v));
    expect(back).toEqual(v);
  });

  it('round-trips sparse vectors exactly, also from an offset view', () => {
    const v = sparseVector([[4_000_000, 0.25], [3, -1.5], [17, 0.125]]);
    const bytes = encodeVector(v);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(decodeVector(padded.subarray(3))).toEqual(v);
    expect(Array.from(v.indices)).toEqual([3, 17, 4_000_000]);
  });

  it('stores 8 bytes of header plus 4 per dense value, 8 per sparse entry', () => {
    expect(encodeVector(denseVector([1, 2, 3])).length).toBe(8 + 12);
    expect(encodeVector(sparseVector([[1, 1], [9, 2]])).length).toBe(8 + 16);
  });

  it('rejects truncated, unknown or disordered data', () => {
    const bytes = encodeVector(sparseVector([[1, 1], [2, 1]]));
    expect(() => decodeVector(bytes.subarray(0, bytes.length - 1))).toThrow(VectorFormatError);
    expect(() => decodeVector(new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/unknown stored vector format 9/);
    expect(() => decodeVector(new Uint8Array(3))).toThrow(/too short/);
    const swapped = bytes.slice();
    swapped.set(bytes.subarray(12, 16), 8);
    swapped.set(bytes.subarray(8, 12), 12);
    expect(() => decodeVector(swapped)).toThrow(/not ascending/);
  });
});

describe('vector maths', () => {
  it('normalises to unit length and leaves zero vectors alone', () => {
    expect(norm(normalize(denseVector([3, 4])))).toBeCloseTo(1, 6);
    const zero = sparseVector([]);
    expect(normalize(zero)).toBe(zero);
  });

  it('takes dot products of dense and of sparse vectors, never mixed', () => {
    expect(dot(denseVector([1, 2]), denseVector([3, 4]))).toBe(11);
    expect(dot(sparseVector([[1, 2], [5, 3]]), sparseVector([[5, 4], [7, 1]]))).toBe(12);
    expect(() => dot(denseVector([1]), sparseVector([[0, 1]]))).toThrow(TypeError);
  });
});

describe('weightedSum', () => {
  it('sums sparse vectors by feature, dropping cancelled terms', () => {
    const sum = weightedSum([
      [sparseVector([[9, 1], [1, 1]]), 2],
      [sparseVector([[1, 1], [4, 1], [9, 2]]), -1],
    ]);
    expect(sum).toEqual(sparseVector([[1, 1], [4, -1]]));
  });

  it('sums dense vectors, and refuses mixtures', () => {
    expect(weightedSum([[denseVector([1, 2]), 1], [denseVector([3, 4]), 0.5]])).toEqual(denseVector([2.5, 4]));
    expect(weightedSum([])).toBeNull();
    expect(() => weightedSum([[denseVector([1]), 1], [sparseVector([[0, 1]]), 1]])).toThrow(TypeError);
  });
});
