import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { byText } from './name-ids.js';
import type { StoreDatabase } from './schema.js';

/**
 * Which invocations a read or a write reaches: one project's (its id), or every project's (null).
 * A view of a project that is not stored yet has {@link NO_PROJECT}: it reads nothing.
 */
export type Scope = number | null;

/** An id no project has (ids start at 1): the scope of a project with nothing stored. */
export const NO_PROJECT = 0;

/** `column = scope`, or true for every project. */
export function inScope(column: string, scope: Scope): RawBuilder<SqlBool> {
  return scope === null ? sql<SqlBool>`true` : sql<SqlBool>`${sql.ref(column)} = ${scope}`;
}

/** True for the query `column` names when it is one of `scope`'s (query texts are per project; always, for every project). */
export function queryIn(column: string, scope: Scope): RawBuilder<SqlBool> {
  return scope === null ? sql<SqlBool>`true` : sql<SqlBool>`EXISTS (SELECT 1 FROM queries q WHERE q.id = ${sql.ref(column)} AND q.project_id = ${scope})`;
}

/**
 * Project ids by name, shared by a store and its views. A project's row is never deleted nor
 * renamed, so an id once read is kept for the life of the store: a view resolves its project once,
 * and writes never look a project up per row.
 */
export class ProjectIds {
  readonly #ids = new Map<string, number>();

  /** The id of `name`, or undefined while no project of that name is stored. */
  async find(db: Kysely<StoreDatabase>, name: string): Promise<number | undefined> {
    const known = this.#ids.get(name);
    if (known !== undefined) return known;
    const row = await db.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirst();
    if (row) this.#ids.set(name, row.id);
    return row?.id;
  }

  /**
   * The ids of `names`, storing the projects not stored yet. Run it outside the write transaction
   * (autocommit): an id it keeps is committed, whatever becomes of the write.
   */
  async ensure(db: Kysely<StoreDatabase>, names: Iterable<string>): Promise<ReadonlyMap<string, number>> {
    const missing = [...new Set(names)].filter((n) => !this.#ids.has(n)).sort(byText);
    if (missing.length > 0) {
      await sql`INSERT INTO projects (name) SELECT * FROM unnest(${missing}::text[]) ON CONFLICT (name) DO NOTHING`.execute(db);
      const rows = await db.selectFrom('projects').select(['id', 'name']).where('name', '=', sql<string>`ANY(${missing}::text[])`).execute();
      for (const r of rows) this.#ids.set(r.name, r.id);
    }
    return this.#ids;
  }
}

/** Projects holding at least one invocation (a group of counts) or catalog entry, by name (bytes). */
export async function listProjects(db: Kysely<StoreDatabase>): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    SELECT name FROM projects p
    WHERE EXISTS (SELECT 1 FROM skill_phase_stats s WHERE s.project_id = p.id) OR EXISTS (SELECT 1 FROM catalog c WHERE c.project_id = p.id)
    ORDER BY name COLLATE "C"`.execute(db);
  return rows.rows.map((r) => r.name);
}
