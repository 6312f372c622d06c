import Database from 'better-sqlite3';
import { tempFolder } from '../fs.js';
import { collectGarbage } from '../stats.js';
import type { CompactWorkload } from '../workload.js';

/**
 * Rows per transaction: the direct tracker writes when 2,000 changes are buffered, and a
 * tracked-then-completed invocation is two changes (an insert and its completion) that land as
 * one row, so 1,000 rows per transaction.
 */
export const RAW_BATCH = 1_000;

/**
 * The `invocations` table as the store's migrations leave it (same columns, types, uniqueness
 * and indexes), without the name and query tables its ids point to: what a row costs at best.
 */
const SCHEMA = `
CREATE TABLE invocations (
  id ANY NOT NULL UNIQUE,
  skill_id INTEGER NOT NULL,
  session_id INTEGER NOT NULL,
  invoked_at INTEGER NOT NULL,
  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),
  completed INTEGER NOT NULL CHECK (completed IN (0, 1)),
  completed_at INTEGER,
  duration REAL,
  query_id INTEGER,
  phase_id INTEGER,
  alternatives TEXT,
  selection_rank INTEGER,
  follow_ups TEXT,
  error_type TEXT,
  source_id INTEGER
) STRICT;
CREATE INDEX invocations_session ON invocations (session_id);
CREATE INDEX invocations_invoked_at ON invocations (invoked_at);
CREATE INDEX invocations_pending ON invocations (invoked_at) WHERE status = 0;
`;

/**
 * Invocations per second of raw better-sqlite3 inserts of the store's row shape into a new file
 * set up as the store sets up its files (WAL, `synchronous = NORMAL`, the same checkpoint and
 * journal limits), {@link RAW_BATCH} rows per transaction, one prepared single-row INSERT, the
 * rows built from the same workload in the loop (16-byte UUIDv7-shaped ids, numbers for the
 * names and query, lists as their JSON text). From the first row until the last transaction
 * committed and the file closed; the file must then hold every row.
 */
export function rawInsertRate(size: number, items: CompactWorkload): number {
  const folder = tempFolder();
  try {
    const db = new Database(folder.file('raw.db'));
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
    db.pragma('wal_autocheckpoint = 4096');
    db.exec(SCHEMA);
    // The store keeps a list as its JSON text: the workload's alternatives, one text per skill.
    const n = items.skills.length;
    const alternativesOf = items.skills.map((_, k) => JSON.stringify([items.skills[(k + 1) % n], items.skills[(k + 7) % n]]));
    const insert = db.prepare('INSERT INTO invocations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const write = db.transaction((from: number, to: number, now: number) => {
      for (let i = from; i < to; i++) {
        const c = items.codes(i % items.count);
        const id = Buffer.allocUnsafe(16);
        id.writeUIntBE(now + i, 0, 6);
        id.writeUIntBE(i, 6, 6);
        id.writeUInt32BE(0x7000_8000 ^ i, 12);
        const invokedAt = now + i;
        const alternatives = i % 3 === 0 ? alternativesOf[c.skill]! : null;
        insert.run(
          id,
          c.skill + 1,
          1 + Math.floor(i / 500),
          invokedAt,
          c.failed ? 2 : 1,
          c.failed ? 0 : 1,
          invokedAt + 1200,
          items.durationSeconds(i % items.count),
          c.query + 1,
          c.phase === 0 ? null : c.phase,
          alternatives,
          c.rank,
          null,
          c.failed ? 'ToolError' : null,
          null,
        );
      }
    });
    collectGarbage();
    const start = performance.now();
    const now = Date.now();
    for (let from = 0; from < size; from += RAW_BATCH) write(from, Math.min(size, from + RAW_BATCH), now);
    db.close();
    const seconds = (performance.now() - start) / 1000;
    const check = new Database(folder.file('raw.db'), { readonly: true });
    const stored = (check.prepare('SELECT count(*) AS n FROM invocations').get() as { n: number }).n;
    check.close();
    if (stored !== size) throw new Error(`raw inserts: ${stored} of ${size} rows stored`);
    return size / seconds;
  } finally {
    folder.remove();
  }
}
