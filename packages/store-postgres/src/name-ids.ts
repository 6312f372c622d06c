import { createHash } from 'node:crypto';
import { QUERY_KEY_BYTES } from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from './schema.js';

/** The tables that store each name once, referenced by id. */
export type NameTable = 'skills' | 'sessions' | 'phases' | 'sources';

/** The order names are stored in, the same in every transaction (no lock cycle between writers). */
const NAME_TABLES: readonly NameTable[] = ['skills', 'sessions', 'phases', 'sources'];

/** The names a write refers to, by table, and its normalised query texts. */
export type WantedNames = Record<NameTable | 'queries', readonly string[]>;

/** Orders strings by UTF-16 code units, the order every write touches names and ids in. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `queries.hash` of a text, in hex: the first bytes of its SHA-256. */
function queryKey(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 2 * QUERY_KEY_BYTES);
}

/**
 * The ids of the names and query texts one write transaction refers to: {@link read} looks up all
 * of them in one statement, {@link add} stores those still missing.
 */
export class NameIds {
  readonly #ids: Record<NameTable | 'queries', Map<string, number>> = {
    skills: new Map(),
    sessions: new Map(),
    phases: new Map(),
    sources: new Map(),
    queries: new Map(),
  };

  /** The id of a name (or, in `queries`, of a normalised text), if read or added. */
  get(table: NameTable | 'queries', name: string): number | undefined {
    return this.#ids[table].get(name);
  }

  /** Reads the stored ids of those of `wanted` not known yet, every table in one statement. */
  async read(db: Kysely<StoreDatabase>, wanted: WantedNames): Promise<void> {
    const names = NAME_TABLES.map((t) => this.#unknown(t, wanted[t]));
    const keys = new Map(this.#unknown('queries', wanted.queries).map((text) => [queryKey(text), text]));
    if (keys.size === 0 && names.every((n) => n.length === 0)) return;
    const rows = await sql<{ t: number; id: number; key: string }>`
      SELECT 0 AS t, id, name AS key FROM skills WHERE name = ANY(${names[0]}::text[])
      UNION ALL SELECT 1, id, name FROM sessions WHERE name = ANY(${names[1]}::text[])
      UNION ALL SELECT 2, id, name FROM phases WHERE name = ANY(${names[2]}::text[])
      UNION ALL SELECT 3, id, name FROM sources WHERE name = ANY(${names[3]}::text[])
      UNION ALL SELECT 4, id, encode(hash, 'hex') FROM queries WHERE hash = ANY(${[...keys.keys()].map((k) => Buffer.from(k, 'hex'))}::bytea[])`.execute(db);
    for (const r of rows.rows) {
      if (r.t === 4) this.#ids.queries.set(keys.get(r.key)!, r.id);
      else this.#ids[NAME_TABLES[r.t]!].set(r.key, r.id);
    }
  }

  /**
   * Stores those of `wanted` not known yet, table by table in a fixed order, each in key order. A
   * name another writer is storing at the same moment is waited for (the unique index), then read.
   */
  async add(db: Kysely<StoreDatabase>, wanted: WantedNames): Promise<void> {
    for (const table of NAME_TABLES) {
      const missing = this.#unknown(table, wanted[table]);
      if (missing.length === 0) continue;
      const added = await sql<{ id: number; name: string }>`
        INSERT INTO ${sql.table(table)} (name) SELECT * FROM unnest(${missing}::text[])
        ON CONFLICT (name) DO NOTHING RETURNING id, name`.execute(db);
      for (const r of added.rows) this.#ids[table].set(r.name, r.id);
    }
    const texts = new Map(this.#unknown('queries', wanted.queries).map((text) => [queryKey(text), text]));
    if (texts.size > 0) {
      const keys = [...texts.keys()].sort();
      const added = await sql<{ id: number; key: string }>`
        INSERT INTO queries (hash, text)
        SELECT * FROM unnest(${keys.map((k) => Buffer.from(k, 'hex'))}::bytea[], ${keys.map((k) => texts.get(k)!)}::text[])
        ON CONFLICT (hash) DO NOTHING RETURNING id, encode(hash, 'hex') AS key`.execute(db);
      for (const r of added.rows) this.#ids.queries.set(texts.get(r.key)!, r.id);
    }
    await this.read(db, wanted);
  }

  /** The distinct names of `list` with no id known, in order. */
  #unknown(table: NameTable | 'queries', list: readonly string[]): string[] {
    const known = this.#ids[table];
    return [...new Set(list)].filter((n) => !known.has(n)).sort(byText);
  }
}
