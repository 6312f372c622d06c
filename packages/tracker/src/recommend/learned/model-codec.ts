import { createHash } from 'node:crypto';
import { SkillsError } from '@skills/protocol';
import type { LinearModelParts } from './linear-model.js';

/** Bumped whenever the layout below changes: part of the stored state's version. */
export const CODEC_FORMAT = 1;

const MAGIC = 0x524c4b53; // 'SKLR', little-endian
/** Magic, format, header length, then the SHA-256 of everything after it. */
const PREFIX = 12;
const DIGEST = 32;

/** The (query, skill) counts a saved model had learned from, skills by their place in `skillNames`. */
export interface SavedPairs {
  readonly queryIds: Float64Array;
  readonly skills: Uint32Array;
  readonly invocations: Float64Array;
  readonly failed: Float64Array;
}

/** Everything the learned ranker keeps with the store to continue after a restart. */
export interface LearnedState {
  /** The ranker's version (embedder id and model version): checked again on reading. */
  readonly version: string;
  /** Skill names by the model's skill numbers. */
  readonly skillNames: readonly string[];
  readonly rowsAtFit: number;
  readonly lastFitMs: number;
  readonly model: LinearModelParts;
  readonly pairs: SavedPairs;
}

/** A stored state that cannot be read (truncated, altered, or written by other code). */
export class CorruptModelStateError extends SkillsError {
  constructor(reason: string) {
    super('CORRUPT_MODEL_STATE', `the stored learned model cannot be read: ${reason}`);
  }
}

interface Header {
  readonly version: string;
  readonly skillNames: readonly string[];
  readonly rowsAtFit: number;
  readonly lastFitMs: number;
  readonly skills: number;
  readonly unseenIdf: number;
  readonly idf: number;
  readonly features: number;
  readonly weights: number;
  readonly pairs: number;
}

type Typed = Int32Array | Uint32Array | Float32Array | Float64Array;
type TypedCtor = { new (buffer: ArrayBufferLike, offset: number, length: number): Typed; readonly BYTES_PER_ELEMENT: number };

/** The sections after the header, in order: each array's type and its length from the header. */
const SECTIONS: readonly (readonly [TypedCtor, (h: Header) => number])[] = [
  [Int32Array, (h) => h.idf],
  [Float64Array, (h) => h.idf],
  [Int32Array, (h) => h.features],
  [Uint32Array, (h) => h.features],
  [Int32Array, (h) => h.weights],
  [Float32Array, (h) => h.weights],
  [Float64Array, (h) => h.pairs],
  [Uint32Array, (h) => h.pairs],
  [Float64Array, (h) => h.pairs],
  [Float64Array, (h) => h.pairs],
];

const align8 = (n: number) => (n + 7) & ~7;

/**
 * The state as bytes: a fixed prefix (magic, format, header length), a SHA-256 of the rest, a
 * JSON header (names and sizes), then the typed arrays, each 8-byte aligned so that reading
 * views them without copying. Little-endian, as every platform Node runs on.
 *
 * @example
 * const bytes = encodeLearnedState(state);
 * decodeLearnedState(bytes).skillNames; // state.skillNames
 */
export function encodeLearnedState(state: LearnedState): Uint8Array {
  const m = state.model;
  const header: Header = {
    version: state.version,
    skillNames: state.skillNames,
    rowsAtFit: state.rowsAtFit,
    lastFitMs: state.lastFitMs,
    skills: m.skills,
    unseenIdf: m.unseenIdf,
    idf: m.idfFeatures.length,
    features: m.features.length,
    weights: m.postingWeights.length,
    pairs: state.pairs.queryIds.length,
  };
  const arrays: Typed[] = [
    m.idfFeatures,
    m.idfValues,
    m.features,
    m.counts,
    m.postingSkills,
    m.postingWeights,
    state.pairs.queryIds,
    state.pairs.skills,
    state.pairs.invocations,
    state.pairs.failed,
  ];
  const json = new TextEncoder().encode(JSON.stringify(header));
  let size = align8(PREFIX + DIGEST + json.length);
  for (const a of arrays) size = align8(size + a.byteLength);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, CODEC_FORMAT, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, PREFIX + DIGEST);
  let at = align8(PREFIX + DIGEST + json.length);
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at = align8(at + a.byteLength);
  }
  bytes.set(digest(bytes), PREFIX);
  return bytes;
}

/**
 * Reads what {@link encodeLearnedState} wrote; the arrays view `bytes` (copied first when they
 * do not start on an 8-byte boundary).
 *
 * @throws {CorruptModelStateError} when the bytes are truncated, altered or inconsistent.
 */
export function decodeLearnedState(stored: Uint8Array): LearnedState {
  const bytes = stored.byteOffset % 8 === 0 ? stored : stored.slice();
  if (bytes.byteLength < PREFIX + DIGEST) throw new CorruptModelStateError(`${bytes.byteLength} bytes, too short`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new CorruptModelStateError('not a learned model (wrong magic number)');
  const format = view.getUint32(4, true);
  if (format !== CODEC_FORMAT) throw new CorruptModelStateError(`format ${format}, this code reads ${CODEC_FORMAT}`);
  const jsonLength = view.getUint32(8, true);
  if (PREFIX + DIGEST + jsonLength > bytes.byteLength) throw new CorruptModelStateError('truncated header');
  if (!equalBytes(bytes.subarray(PREFIX, PREFIX + DIGEST), digest(bytes))) throw new CorruptModelStateError('checksum mismatch');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX + DIGEST, PREFIX + DIGEST + jsonLength))) as Header;
  } catch (error) {
    throw new CorruptModelStateError(`unreadable header (${(error as Error).message})`);
  }
  let at = align8(PREFIX + DIGEST + jsonLength);
  const arrays = SECTIONS.map(([Ctor, length]) => {
    const n = length(header);
    const end = at + n * Ctor.BYTES_PER_ELEMENT;
    if (!Number.isSafeInteger(n) || n < 0 || end > bytes.byteLength) throw new CorruptModelStateError('truncated arrays');
    const a = new Ctor(bytes.buffer, bytes.byteOffset + at, n);
    at = align8(end);
    return a;
  });
  const [idfFeatures, idfValues, features, counts, postingSkills, postingWeights, queryIds, skills, invocations, failed] = arrays as [
    Int32Array, Float64Array, Int32Array, Uint32Array, Int32Array, Float32Array, Float64Array, Uint32Array, Float64Array, Float64Array,
  ];
  const state: LearnedState = {
    version: header.version,
    skillNames: header.skillNames,
    rowsAtFit: header.rowsAtFit,
    lastFitMs: header.lastFitMs,
    model: { skills: header.skills, unseenIdf: header.unseenIdf, idfFeatures, idfValues, features, counts, postingSkills, postingWeights },
    pairs: { queryIds, skills, invocations, failed },
  };
  checkConsistent(state);
  return state;
}

/** Checks what the checksum cannot: that the parts agree with each other (written by buggy or other code). */
function checkConsistent(s: LearnedState): void {
  const m = s.model;
  const names = s.skillNames;
  if (typeof s.version !== 'string' || !Array.isArray(names) || !names.every((n) => typeof n === 'string') || new Set(names).size !== names.length) {
    throw new CorruptModelStateError('bad skill names');
  }
  if (m.skills !== names.length || !(m.unseenIdf > 0) || !(s.rowsAtFit >= 0) || !(s.lastFitMs >= 0)) throw new CorruptModelStateError('bad header values');
  let total = 0;
  for (const n of m.counts) total += n;
  if (total !== m.postingSkills.length) throw new CorruptModelStateError('postings do not add up to the weights');
  for (const skill of m.postingSkills) if (skill < 0 || skill >= names.length) throw new CorruptModelStateError(`skill number ${skill} out of range`);
  for (const skill of s.pairs.skills) if (skill >= names.length) throw new CorruptModelStateError(`skill number ${skill} out of range`);
}

/** SHA-256 of everything after the digest field. */
function digest(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes.subarray(PREFIX + DIGEST)).digest();
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
