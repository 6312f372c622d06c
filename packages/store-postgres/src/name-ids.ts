import { createHash } from 'node:crypto';
import { QUERY_KEY_BYTES } from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from './schema.js';

/**
 * The class of the advisory locks (one per project, the project's id the second key) that a write
 * holds from storing a project's new query texts until it commits. See {@link NameIds.add}.
 */
const NEW_TEXTS_LOCK = 0x5e17;

/** The tables that store each name once, referenced by id. */
export type NameTable = 'skills' | 'sessions' | 'phases' | 'sources';

/** The order names are stored in, the same in every transaction (no lock cycle between writers). */
const NAME_TABLES: readonly NameTable[] = ['skills', 'sessions', 'phases', 'sources'];

/** A normalised query text as one project uses it (texts are stored per project). */
export interface WantedQuery {
  readonly projectId: number;
  readonly text: string;
}

/** The names a write refers to, by table, and its normalised query texts with their projects. */
export type WantedNames = Record<NameTable, readonly string[]> & { readonly queries: readonly WantedQuery[] };

/** Orders strings by UTF-16 code units, the order every write touches names and ids in. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Values by project id, then by text. Looked up once or more per record: nested maps hash each text
 * string once (V8 keeps a string's hash), where a `${project}:${text}` key is a new string to hash
 * every time.
 */
export class ByProjectText<V> {
  readonly #projects = new Map<number, Map<string, V>>();

  get(projectId: number, text: string): V | undefined {
    return this.#projects.get(projectId)?.get(text);
  }

  has(projectId: number, text: string): boolean {
    return this.#projects.get(projectId)?.has(text) ?? false;
  }

  set(projectId: number, text: string, value: V): void {
    let texts = this.#projects.get(projectId);
    if (!texts) this.#projects.set(projectId, (texts = new Map()));
    texts.set(text, value);
  }

  /** Every value, project by project. */
  *values(): IterableIterator<V> {
    for (const texts of this.#projects.values()) yield* texts.values();
  }
}

/**
 * A project's query text as SQL keys it: its project id, then `queries.hash` in hex (the first
 * bytes of the text's SHA-256). Keys order as the unique index (project_id, hash) does within a project.
 */
function hashKey(projectId: number, text: string): string {
  return `${projectId}:${createHash('sha256').update(text).digest('hex').slice(0, 2 * QUERY_KEY_BYTES)}`;
}

/** {@link hashKey} in SQL, of the row `queries` alias `q`. */
const HASH_KEY_SQL = sql<string>`q.project_id || ':' || encode(q.hash, 'hex')`;

/** Queries wanted by {@link hashKey}. */
type QueriesByHash = ReadonlyMap<string, WantedQuery>;

/** The wanted queries' columns (project ids, hashes, texts), in key order: project, then hash. */
function queryColumns(wanted: QueriesByHash): { projects: number[]; hashes: Buffer[]; texts: string[] } {
  const keys = [...wanted.keys()].sort((a, b) => wanted.get(a)!.projectId - wanted.get(b)!.projectId || byText(a, b));
  return {
    projects: keys.map((k) => wanted.get(k)!.projectId),
    hashes: keys.map((k) => Buffer.from(k.slice(k.indexOf(':') + 1), 'hex')),
    texts: keys.map((k) => wanted.get(k)!.text),
  };
}

/**
 * The ids of the names and query texts one write transaction refers to: {@link read} looks up all
 * of them in one statement, {@link add} stores those still missing.
 */
export class NameIds {
  readonly #names: Record<NameTable, Map<string, number>> = {
    skills: new Map(),
    sessions: new Map(),
    phases: new Map(),
    sources: new Map(),
  };
  /** Query ids by project and normalised text. */
  readonly #queries = new ByProjectText<number>();

  /** The id of a name, if read or added. */
  get(table: NameTable, name: string): number | undefined {
    return this.#names[table].get(name);
  }

  /** The id of a project's normalised query text, if read or added. */
  queryId(projectId: number, text: string): number | undefined {
    return this.#queries.get(projectId, text);
  }

  /** Reads the stored ids of those of `wanted` not known yet, every table in one statement. */
  async read(db: Kysely<StoreDatabase>, wanted: WantedNames): Promise<void> {
    const names = NAME_TABLES.map((t) => this.#unknown(t, wanted[t]));
    const queries = this.#unknownQueries(wanted.queries);
    if (queries.size === 0 && names.every((n) => n.length === 0)) return;
    const q = queryColumns(queries);
    const rows = await sql<{ t: number; id: number; key: string }>`
      SELECT 0 AS t, id, name AS key FROM skills WHERE name = ANY(${names[0]}::text[])
      UNION ALL SELECT 1, id, name FROM sessions WHERE name = ANY(${names[1]}::text[])
      UNION ALL SELECT 2, id, name FROM phases WHERE name = ANY(${names[2]}::text[])
      UNION ALL SELECT 3, id, name FROM sources WHERE name = ANY(${names[3]}::text[])
      UNION ALL SELECT 4, q.id, ${HASH_KEY_SQL} FROM queries q
        JOIN unnest(${q.projects}::integer[], ${q.hashes}::bytea[]) AS w(project_id, hash) ON q.project_id = w.project_id AND q.hash = w.hash`.execute(db);
    for (const r of rows.rows) {
      if (r.t === 4) this.#setQuery(queries, r.key, r.id);
      else this.#names[NAME_TABLES[r.t]!].set(r.key, r.id);
    }
  }

  /**
   * Stores those of `wanted` not known yet, table by table in a fixed order, each in key order
   * (query texts of every project in one statement). A name another writer is storing at the same
   * moment is waited for (the unique index), then read.
   *
   * A project's first use of a text takes a new id from the sequence, whichever project stored the
   * text before, and becomes readable with an id above every id of that project readable before:
   * a project's readers follow its texts by "ids above the last one seen". Ids are drawn in one
   * order and transactions commit in another, so a write holds its projects' {@link NEW_TEXTS_LOCK}
   * from drawing ids until it commits: the texts of one project become readable in id order.
   * Writes that store no new text take no such lock.
   */
  async add(db: Kysely<StoreDatabase>, wanted: WantedNames): Promise<void> {
    for (const table of NAME_TABLES) {
      const missing = this.#unknown(table, wanted[table]);
      if (missing.length === 0) continue;
      const added = await sql<{ id: number; name: string }>`
        INSERT INTO ${sql.table(table)} (name) SELECT * FROM unnest(${missing}::text[])
        ON CONFLICT (name) DO NOTHING RETURNING id, name`.execute(db);
      for (const r of added.rows) this.#names[table].set(r.name, r.id);
    }
    const queries = this.#unknownQueries(wanted.queries);
    if (queries.size > 0) {
      const q = queryColumns(queries);
      // In project order, the same in every transaction: no lock cycle between writers.
      await sql`SELECT pg_advisory_xact_lock(${NEW_TEXTS_LOCK}, p) FROM (SELECT DISTINCT unnest(${q.projects}::integer[]) AS p) d ORDER BY p`.execute(db);
      const added = await sql<{ id: number; key: string }>`
        INSERT INTO queries AS q (project_id, hash, text)
        SELECT * FROM unnest(${q.projects}::integer[], ${q.hashes}::bytea[], ${q.texts}::text[])
        ON CONFLICT (project_id, hash) DO NOTHING RETURNING q.id, ${HASH_KEY_SQL} AS key`.execute(db);
      for (const r of added.rows) this.#setQuery(queries, r.key, r.id);
    }
    await this.read(db, wanted);
  }

  /** The distinct names of `list` with no id known, in order. */
  #unknown(table: NameTable, list: readonly string[]): string[] {
    const known = this.#names[table];
    return [...new Set(list)].filter((n) => !known.has(n)).sort(byText);
  }

  /** The distinct queries of `list` with no id known, by {@link hashKey}. */
  #unknownQueries(list: readonly WantedQuery[]): QueriesByHash {
    // Distinct first: a batch repeats its queries, and each hash costs a SHA-256.
    const distinct = new ByProjectText<WantedQuery>();
    for (const w of list) if (!this.#queries.has(w.projectId, w.text)) distinct.set(w.projectId, w.text, w);
    const unknown = new Map<string, WantedQuery>();
    for (const w of distinct.values()) unknown.set(hashKey(w.projectId, w.text), w);
    return unknown;
  }

  /** Keeps the id read for the query of `wanted` under `key` (a {@link hashKey}). */
  #setQuery(wanted: QueriesByHash, key: string, id: number): void {
    const w = wanted.get(key)!;
    this.#queries.set(w.projectId, w.text, id);
  }
}
