import Database from 'better-sqlite3';
import { DEFAULT_PROJECT, StoreError } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { at, pendingRecord } from '@skills/store-contract';
import { Connection } from './connection.js';
import { migrationChecksum, migrations, openSqliteStore, type Migration } from './index.js';
import { migrate } from './migrator.js';
import { recountAggregates } from './test-support/recount.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

function appliedRows(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version').all() as Array<{
      version: number;
      name: string;
      checksum: string;
      applied_at: string;
    }>;
  } finally {
    db.close();
  }
}

function tamper(path: string, statement: string): void {
  const db = new Database(path);
  db.exec(statement);
  db.close();
}

describe('migrations', () => {
  it('are numbered 1, 2, 3, ... with distinct names', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
  });

  it('build an empty file up to the newest version, recording each with its checksum', async () => {
    const path = tmp.path('fresh.db');
    const store = await openSqliteStore({ path });
    await store.close();
    const rows = appliedRows(path);
    expect(rows.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(
      migrations.map((m) => ({ version: m.version, name: m.name, checksum: migrationChecksum(m) })),
    );
    expect(Date.parse(rows[0]!.applied_at)).not.toBeNaN();
  });

  it('reopen an existing file without applying anything again', async () => {
    const path = tmp.path('reopen.db');
    const first = await openSqliteStore({ path });
    await first.applyBatch({ inserts: [pendingRecord(1)] });
    await first.close();
    const before = appliedRows(path);

    const second = await openSqliteStore({ path });
    expect(await second.countInvocations()).toBe(1);
    await second.close();
    expect(appliedRows(path)).toEqual(before);
  });

  it('refuse a file whose recorded checksum differs from the code, naming the migration', async () => {
    const path = tmp.path('checksum.db');
    await (await openSqliteStore({ path })).close();
    tamper(path, "UPDATE schema_migrations SET checksum = 'abc123' WHERE version = 1");
    const error = await openSqliteStore({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/schema migration 1 \(initial-schema\) was applied with checksum abc123/);
    expect((error as Error).message).toContain(migrationChecksum(migrations[0]!));
  });

  it('refuse a file built by newer code, saying so', async () => {
    const path = tmp.path('newer.db');
    await (await openSqliteStore({ path })).close();
    const next = migrations.length + 1;
    tamper(path, `INSERT INTO schema_migrations VALUES (${next}, 'from-the-future', 'x', '2030-01-01T00:00:00.000Z')`);
    const error = await openSqliteStore({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(`is at schema version ${next}, newer than this code knows (${migrations.length})`);
    await expect(openSqliteStore({ path, readonly: true })).rejects.toThrow(/newer than this code knows/);
  });

  it('apply a migration appended later to a file built by the earlier ones', async () => {
    const path = tmp.path('upgrade.db');
    const store = await openSqliteStore({ path });
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    await store.close();

    const addNotes: Migration = { version: migrations.length + 1, name: 'add-notes', sql: 'ALTER TABLE invocations ADD COLUMN notes TEXT;' };
    const conn = Connection.open(path, false);
    migrate(conn, path, [...migrations, addNotes]);
    const columns = conn.db.prepare("SELECT name FROM pragma_table_info('invocations')").all() as { name: string }[];
    conn.close();
    expect(columns.map((c) => c.name)).toContain('notes');
    expect(appliedRows(path).map((r) => r.name)).toEqual([...migrations.map((m) => m.name), 'add-notes']);

    // The shipped code no longer recognises the file: it is newer than the code.
    await expect(openSqliteStore({ path })).rejects.toThrow(/newer than this code knows/);
  });

  it('upgrade a file built before sources were kept: every row stays, with no source', async () => {
    // The file as code with migrations 1 and 2 wrote it: rows and aggregates in that schema.
    const path = tmp.path('before-sources.db');
    const conn = Connection.open(path, false);
    migrate(conn, path, migrations.slice(0, 2));
    conn.db.exec(`
      INSERT INTO skills (id, name) VALUES (1, 'code-reviewer');
      INSERT INTO sessions (id, name) VALUES (1, 'session-1');
      INSERT INTO phases (id, name) VALUES (1, 'review');
      INSERT INTO invocations (id, skill_id, session_id, invoked_at, status, completed, completed_at, duration, phase_id, follow_ups, error_type)
        VALUES ('old-1', 1, 1, ${Date.parse(at(1))}, 1, 1, ${Date.parse(at(2))}, 60.0, 1, '["open-pr"]', NULL),
               ('old-2', 1, 1, ${Date.parse(at(3))}, 0, 0, NULL, NULL, NULL, NULL, NULL);
      INSERT INTO skill_phase_stats VALUES (1, 1, 1, 1, 0, 0, 0, 60000000, 1, ${Date.parse(at(1))}),
                                           (1, 0, 1, 0, 0, 0, 1, 0, 0, ${Date.parse(at(3))});
    `);
    conn.close();
    expect(appliedRows(path)).toHaveLength(2);

    const store = await openSqliteStore({ path });
    expect(appliedRows(path).map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    expect(await store.countInvocations()).toBe(2);
    expect(await store.getInvocation('old-1')).toEqual({
      id: 'old-1',
      skillName: 'code-reviewer',
      sessionId: 'session-1',
      invokedAt: at(1),
      status: 'completed',
      completed: true,
      completedAt: at(2),
      durationSeconds: 60,
      userQuery: null,
      workflowPhase: 'review',
      alternativesConsidered: [],
      selectionRank: null,
      followUpActions: ['open-pr'],
      errorType: null,
      source: null,
      project: DEFAULT_PROJECT,
    });
    expect((await store.exportAll()).invocations.map((r) => [r.id, r.source])).toEqual([
      ['old-1', null],
      ['old-2', null],
    ]);
    // New rows carry their source next to the old ones.
    await store.applyBatch({ inserts: [pendingRecord(4, { source: 'cli' })] });
    expect((await store.skillProfile('code-reviewer'))?.sources).toEqual([
      { source: null, count: 2 },
      { source: 'cli', count: 1 },
    ]);
    await store.close();
    const { stored, recounted } = recountAggregates(path);
    expect(stored).toEqual(recounted);
  });

  it('run with foreign keys off, and refuse a step that leaves a broken reference, applying nothing', async () => {
    const path = tmp.path('broken-reference.db');
    const store = await openSqliteStore({ path });
    await store.applyBatch({ inserts: [pendingRecord(1, { userQuery: 'kept' })] });
    await store.putEmbeddings('lexical', new Map([[1, Uint8Array.of(7)]]));
    await store.close();
    // Rebuilding a parent table (dropping it, renaming its copy) keeps its children's rows.
    const rebuild: Migration = {
      version: migrations.length + 1,
      name: 'rebuild-queries',
      sql: `CREATE TABLE queries_copy (id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL, hash BLOB NOT NULL, text TEXT NOT NULL, UNIQUE (project_id, hash)) STRICT;
            INSERT INTO queries_copy SELECT id, project_id, hash, text FROM queries;
            DROP TABLE queries;
            ALTER TABLE queries_copy RENAME TO queries;`,
    };
    const dangling: Migration = { version: migrations.length + 2, name: 'dangling', sql: 'DELETE FROM skills;' };
    const conn = Connection.open(path, false);
    expect(() => migrate(conn, path, [...migrations, rebuild, dangling])).toThrow(
      /would leave rows referring to missing rows: .*invocations -> skills \(1\).*; nothing was changed/,
    );
    expect(appliedRows(path)).toHaveLength(migrations.length);
    migrate(conn, path, [...migrations, rebuild]);
    expect(conn.db.prepare('SELECT count(*) AS n FROM embeddings').get()).toEqual({ n: 1 });
    expect(conn.db.pragma('foreign_keys', { simple: true })).toBe(1);
    conn.close();
  });

  it('leave a file that still needs a step alone when opened readonly', async () => {
    const path = tmp.path('needs-upgrade.db');
    await (await openSqliteStore({ path })).close();
    const addNotes: Migration = { version: migrations.length + 1, name: 'add-notes', sql: 'ALTER TABLE invocations ADD COLUMN notes TEXT;' };
    const conn = Connection.open(path, true);
    expect(() => migrate(conn, path, [...migrations, addNotes])).toThrow(/open it once without readonly to upgrade it/);
    conn.close();
    expect(appliedRows(path)).toHaveLength(migrations.length);
  });

  it('refuse a list with a gap in its versions', () => {
    const conn = Connection.open(tmp.path('gap.db'), false);
    const gap: Migration = { version: migrations.length + 2, name: 'gap', sql: '' };
    expect(() => migrate(conn, 'gap.db', [...migrations, gap])).toThrow(/versions must be 1, 2, 3/);
    conn.close();
  });

  it('refuse, readonly, a SQLite file that is not a skills store', async () => {
    const path = tmp.path('foreign.db');
    tamper(path, 'CREATE TABLE something (a INTEGER)');
    await expect(openSqliteStore({ path, readonly: true })).rejects.toThrow(/is not a skills store/);
  });
});
