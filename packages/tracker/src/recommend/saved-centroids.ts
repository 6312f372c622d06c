import { createHash } from 'node:crypto';
import { decodeVector, encodeVector, type Vector } from '@skills/embeddings';
import { isModelStateStore, SkillsError, type Logger, type SkillsStore } from '@skills/protocol';
import { StatePersistence } from './state-persistence.js';

/** Bumped whenever the byte layout below changes: part of the stored version. */
const FORMAT = 1;
const MAGIC = 0x43434b53; // 'SKCC', little-endian
/** The SHA-256 of everything after it, then magic, format and the header's length. */
const DIGEST = 32;
const PREFIX = DIGEST + 12;
/** Between two saves at least this long: a long-running process sums centroids after each write, and a save rewrites them all. */
const SAVE_INTERVAL_MS = 60_000;

/** The store key of one embedder's centroids (a key holds at most 200 characters: a long id is hashed). */
export function centroidsKey(embedderId: string): string {
  return `centroids/${embedderId.length <= 150 ? embedderId : createHash('sha256').update(embedderId).digest('hex')}`;
}

/** A stored centroid set that cannot be read (truncated, altered, or written by other code). */
export class CorruptCentroidsError extends SkillsError {
  constructor(reason: string) {
    super('CORRUPT_MODEL_STATE', `the stored centroids cannot be read: ${reason}`);
  }
}

/** One skill's centroid, with the fingerprint of what it was summed from. */
interface Entry {
  readonly fingerprint: string;
  /** Encoded as read back; null once in the centroid index (taken or summed), read from there when saved. */
  bytes: Uint8Array | null;
}

/** What a save reads when it runs: the centroid a skill has in the index now (if any), the highest query id indexed. */
export interface CurrentCentroids {
  centroid(skillName: string): Vector | undefined;
  lastQueryId(): number;
}

/** How many centroids were taken from the store and how many summed, as {@link SavedCentroids} counts them. */
export interface CentroidCounts {
  readonly reused: number;
  readonly summed: number;
  /** Centroid sets written to the store. */
  readonly saved: number;
}

/**
 * Keeps the skills' centroids with the store, so that opening a large store does not sum them
 * again: each is saved with a fingerprint of exactly what it was summed from (its members' ids
 * and weights in summing order, and its description's text), and a saved one is used only while
 * its skill's fingerprint is the same, so the centroid is bit for bit the one summing would
 * give. Saved per embedder, in the background after an answer, when some centroid was summed.
 *
 * @example
 * const centroids = new SavedCentroids(store, embedder.id, logger);
 * await centroids.load(lastQueryId);
 * const v = centroids.centroidOf(skill.name, skill.members, description, () => index.weightedSum(skill.members));
 * centroids.saveSoon({ centroid: (name) => index.get(numberOf(name)), lastQueryId: () => lastQueryId }); // after the answer
 */
export class SavedCentroids {
  readonly #persistence: StatePersistence<Map<string, Entry>> | null;
  #entries = new Map<string, Entry>();
  #dirty = false;
  /** The save waiting for its turn (see SAVE_INTERVAL_MS), and when the last one started. */
  #timer: NodeJS.Timeout | null = null;
  /** The recommender's centroids, as the last answer passed them. */
  #current: CurrentCentroids | null = null;
  #lastSave = -Infinity;
  #reused = 0;
  #summed = 0;
  /** Centroids summed since the last save: a running process re-sums a few after each write. */
  #summedSinceSave = 0;

  constructor(store: SkillsStore, embedderId: string, logger: Logger) {
    const kind = {
      key: centroidsKey(embedderId),
      version: `${embedderId}/centroids-v${FORMAT}`,
      what: 'centroids',
      otherwise: 'summing them again',
      unsaved: 'are summed again on opening',
      decode: decodeCentroids,
    };
    this.#persistence = isModelStateStore(store) ? new StatePersistence(store, kind, logger) : null;
  }

  /** Centroids reused and summed so far, and sets saved. */
  get counts(): CentroidCounts {
    return { reused: this.#reused, summed: this.#summed, saved: this.#persistence?.saved ?? 0 };
  }

  /** Reads the saved centroids; none when they were summed from queries past `lastQueryId` (another history). */
  async load(lastQueryId: number): Promise<void> {
    const loaded = await this.#persistence?.load();
    if (!loaded || loaded.trainedUpTo > lastQueryId) return;
    // Copied out, so that the stored state's buffer goes once the skills ranked take theirs.
    for (const entry of loaded.state.values()) entry.bytes = entry.bytes && entry.bytes.slice();
    this.#entries = loaded.state;
  }

  /**
   * The centroid of a skill with these members (vector id -> weight, in summing order; a negative
   * id is its description, whose text is `description`): the saved one when its fingerprint
   * matches, else `sum()`'s, to be saved. The caller keeps it in its index (read back when saving).
   */
  centroidOf(name: string, members: ReadonlyMap<number, number>, description: string | undefined, sum: () => Vector | null): Vector | null {
    if (!this.#persistence) {
      this.#summed++;
      return sum();
    }
    const fingerprint = fingerprintOf(members, description);
    const entry = this.#entries.get(name);
    if (entry?.bytes && entry.fingerprint === fingerprint) {
      const vector = readVector(entry.bytes);
      if (vector) {
        entry.bytes = null;
        this.#reused++;
        return vector;
      }
    }
    this.#summed++;
    this.#summedSinceSave++;
    const vector = sum();
    if (vector) this.#entries.set(name, { fingerprint, bytes: null });
    else this.#entries.delete(name);
    this.#dirty = true;
    return vector;
  }

  /**
   * When at least a quarter of the centroids known were summed since the last save (as on opening
   * a store with none saved), saves them all after the current task (never on an answer's path),
   * or a minute after the last save: encoded then (the centroids in the index read through
   * `current`), written in the background. A save rewrites every centroid (52 MB at 1M
   * invocations), so the few a write re-sums wait for {@link flush} (on closing), which saves
   * whatever was summed.
   */
  saveSoon(current: CurrentCentroids): void {
    this.#current = current;
    if (!this.#persistence || !this.#dirty || this.#timer || this.#summedSinceSave * 4 < this.#entries.size) return;
    this.#timer = setTimeout(() => this.#save(), Math.max(0, this.#lastSave + SAVE_INTERVAL_MS - performance.now()));
    // A process that ends without closing loses a cache write, nothing more.
    this.#timer.unref();
  }

  /** Encodes the centroids now (those in the index read through `current`) and writes them in the background. */
  #save(): void {
    const persistence = this.#persistence;
    const current = this.#current;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (!persistence || !current || !this.#dirty) return;
    this.#dirty = false;
    this.#summedSinceSave = 0;
    this.#lastSave = performance.now();
    void persistence.save({ version: persistence.version, trainedUpTo: current.lastQueryId(), bytes: this.#encode(current) });
  }

  /** Saves whatever was summed since the last save, at once, and resolves when no write is under way. */
  async flush(): Promise<void> {
    this.#save();
    await this.#persistence?.idle();
  }

  /** The entries still valid, encoded: one taken or summed whose skill's centroid left the index since (its members changed) is dropped. */
  #encode(current: CurrentCentroids): Uint8Array {
    const out = new Map<string, { fingerprint: string; bytes: Uint8Array }>();
    for (const [name, entry] of this.#entries) {
      const vector = entry.bytes ? null : current.centroid(name);
      if (entry.bytes) out.set(name, { fingerprint: entry.fingerprint, bytes: entry.bytes });
      else if (vector) out.set(name, { fingerprint: entry.fingerprint, bytes: encodeVector(vector) });
      else this.#entries.delete(name);
    }
    return encodeCentroids(out);
  }
}

/** SHA-256 of the members' ids and weights in order (a description's id, which depends on the process, as its text). */
function fingerprintOf(members: ReadonlyMap<number, number>, description: string | undefined): string {
  const pairs = new Float64Array(members.size * 2);
  let i = 0;
  for (const [id, weight] of members) {
    pairs[i++] = id < 0 ? -1 : id;
    pairs[i++] = weight;
  }
  const hash = createHash('sha256').update(new Uint8Array(pairs.buffer));
  if (description !== undefined) hash.update(description);
  return hash.digest('base64');
}

function readVector(bytes: Uint8Array): Vector | null {
  try {
    return decodeVector(bytes);
  } catch {
    return null;
  }
}

interface Header {
  readonly names: readonly string[];
  readonly fingerprints: readonly string[];
  readonly lengths: readonly number[];
}

/** The prefix (checksum, magic, format, header length), a JSON header, then each centroid as {@link encodeVector} writes it. */
function encodeCentroids(entries: ReadonlyMap<string, { readonly fingerprint: string; readonly bytes: Uint8Array }>): Uint8Array {
  const vectors = [...entries.values()].map((e) => e.bytes);
  const header: Header = {
    names: [...entries.keys()],
    fingerprints: [...entries.values()].map((e) => e.fingerprint),
    lengths: vectors.map((v) => v.byteLength),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  let size = PREFIX + json.length;
  for (const v of vectors) size += v.byteLength;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(DIGEST, MAGIC, true);
  view.setUint32(DIGEST + 4, FORMAT, true);
  view.setUint32(DIGEST + 8, json.length, true);
  bytes.set(json, PREFIX);
  let at = PREFIX + json.length;
  for (const v of vectors) {
    bytes.set(v, at);
    at += v.byteLength;
  }
  bytes.set(createHash('sha256').update(bytes.subarray(DIGEST)).digest(), 0);
  return bytes;
}

/**
 * Reads what {@link encodeCentroids} wrote; the centroids stay encoded until used.
 *
 * @throws {CorruptCentroidsError} when the bytes are truncated, altered or inconsistent.
 */
function decodeCentroids(bytes: Uint8Array): Map<string, Entry> {
  if (bytes.byteLength < PREFIX) throw new CorruptCentroidsError(`${bytes.byteLength} bytes, too short`);
  const sum = createHash('sha256').update(bytes.subarray(DIGEST)).digest();
  if (!sum.equals(bytes.subarray(0, DIGEST))) throw new CorruptCentroidsError('checksum mismatch');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(DIGEST, true) !== MAGIC) throw new CorruptCentroidsError('not a centroid set (wrong magic number)');
  const format = view.getUint32(DIGEST + 4, true);
  if (format !== FORMAT) throw new CorruptCentroidsError(`format ${format}, this code reads ${FORMAT}`);
  const jsonLength = view.getUint32(DIGEST + 8, true);
  let at = PREFIX + jsonLength;
  if (at > bytes.byteLength) throw new CorruptCentroidsError('truncated header');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, at))) as Header;
  } catch (error) {
    throw new CorruptCentroidsError(`unreadable header (${(error as Error).message})`);
  }
  const { names, fingerprints, lengths } = header;
  if (!Array.isArray(names) || !Array.isArray(fingerprints) || !Array.isArray(lengths) || fingerprints.length !== names.length || lengths.length !== names.length) {
    throw new CorruptCentroidsError('bad header');
  }
  const entries = new Map<string, Entry>();
  names.forEach((name, i) => {
    const length = lengths[i]!;
    if (typeof name !== 'string' || typeof fingerprints[i] !== 'string' || !Number.isSafeInteger(length) || length < 0 || at + length > bytes.byteLength) {
      throw new CorruptCentroidsError(`bad entry ${i}`);
    }
    entries.set(name, { fingerprint: fingerprints[i]!, bytes: bytes.subarray(at, at + length) });
    at += length;
  });
  return entries;
}
