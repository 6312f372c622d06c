import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type Compilable, type CompiledQuery } from 'kysely';
import { Prepared } from './prepared.js';
import type { StoreDatabase } from './schema.js';

/** What {@link Connection.visit} calls with each row's values. */
export type Visitor = (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown) => void;

/** The SQL function {@link Connection.visit} hands rows through. */
export const VISIT_FUNCTION = 'skills_visit';

/** How long a writer waits for another connection's write transaction before failing. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Pages the WAL may hold before a commit copies them into the database (SQLite's default is
 * 1,000): a page that many batches change (an aggregate, an index page) is then copied and
 * synced once per 16 MiB of WAL instead of once per 4 MiB. Measured: about 7% more invocations
 * per second at a million rows, a third less time waiting for the disk.
 */
const WAL_CHECKPOINT_PAGES = 4096;

/**
 * After a checkpoint, SQLite leaves the WAL file at its largest size unless told otherwise; one big
 * import would keep that many bytes on disk for good.
 */
const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * One better-sqlite3 connection with the kysely builder that writes its SQL. Queries are built and
 * compiled by kysely, then run synchronously by better-sqlite3, so that a whole batch runs inside
 * one `BEGIN IMMEDIATE` transaction without awaiting anything.
 *
 * @example
 * const conn = Connection.open('/tmp/skills.db', false);
 * migrate(conn, '/tmp/skills.db');
 * const count = conn.builder.selectFrom('invocations').select((eb) => eb.fn.countAll<number>().as('n'));
 * const row = conn.get<{ n: number }>(count);
 * conn.close();
 */
export class Connection {
  readonly db: Database.Database;
  /** Builds queries only; they run through {@link Connection.prepare} and friends. */
  readonly builder: Kysely<StoreDatabase>;
  readonly readonly: boolean;
  readonly #statements = new Map<string, Database.Statement>();
  #dataVersion: Database.Statement | undefined;
  #visitor: Visitor | undefined;

  private constructor(db: Database.Database, readonly: boolean) {
    this.db = db;
    this.readonly = readonly;
    this.builder = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: db }) });
    db.function(VISIT_FUNCTION, { deterministic: false, varargs: true }, (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown) => {
      this.#visitor?.(a, b, c, d, e);
      return 0;
    });
  }

  /**
   * Opens the file (it must exist when `readonly`) and sets the pragmas every connection needs.
   * `path` is the real file, links resolved (`realDatabasePath`): SQLite keeps the -wal and
   * -shm files beside it, where backups and checks look for them.
   */
  static open(path: string, readonly: boolean): Connection {
    const db = new Database(path, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS });
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('foreign_keys = ON');
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
        db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      }
    } catch (error) {
      db.close();
      throw error;
    }
    return new Connection(db, readonly);
  }

  /**
   * A prepared statement for a query whose values are all named parameters (see {@link named}),
   * for its owner to keep and bind from an object for every row.
   */
  prepare(query: Compilable): Prepared {
    const compiled = query.compile();
    if (compiled.parameters.length > 0) {
      throw new Error(`prepare() takes named parameters only; got ${compiled.parameters.length} positional ones`);
    }
    return new Prepared(this.db, compiled.sql);
  }

  /**
   * A prepared statement for a query built with placeholder values, to be bound positionally,
   * in the order the compiled query lists its parameters: for statements with many rows of
   * values (one statement costs about as much as a row), whose parameters an array fills faster
   * than names would.
   */
  preparePositional(query: Compilable): Database.Statement {
    return this.db.prepare(query.compile().sql);
  }

  /**
   * A number that changes whenever another connection commits to the file (SQLite's
   * `data_version`): the signal to forget ids this connection cached.
   */
  dataVersion(): number {
    this.#dataVersion ??= this.db.prepare('PRAGMA data_version').pluck();
    return this.#dataVersion.get() as number;
  }

  /**
   * Runs a query whose select list calls {@link VISIT_FUNCTION}`(a, b, ...)` (up to five values)
   * once per row, e.g. `count(skills_visit(x, y, z))`, and hands each row's values to `visitor`.
   * Rows never become JavaScript objects: for a million rows this is several times faster than
   * iterating them.
   */
  visit(query: Compilable, visitor: Visitor): void {
    this.#visitor = visitor;
    try {
      this.get(query);
    } finally {
      this.#visitor = undefined;
    }
  }

  /** Runs a read query built with ordinary values and returns every row. */
  all<R>(query: Compilable | CompiledQuery): R[] {
    const compiled = compile(query);
    return this.#statement(compiled.sql).all(...compiled.parameters) as R[];
  }

  /** Runs a read query and returns its first row. */
  get<R>(query: Compilable | CompiledQuery): R | undefined {
    const compiled = compile(query);
    return this.#statement(compiled.sql).get(...compiled.parameters) as R | undefined;
  }

  /** Runs a read query and yields its rows one by one, for results too large to hold twice. */
  iterate<R>(query: Compilable | CompiledQuery): IterableIterator<R> {
    const compiled = compile(query);
    return this.#statement(compiled.sql).iterate(...compiled.parameters) as IterableIterator<R>;
  }

  /** Runs a write query built with ordinary values. */
  run(query: Compilable | CompiledQuery): Database.RunResult {
    const compiled = compile(query);
    return this.#statement(compiled.sql).run(...compiled.parameters);
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction: it takes the write lock up front (waiting for
   * it), so it never fails half-way trying to upgrade a read lock while another connection writes.
   */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Runs `fn` in a read transaction, so that several queries see one snapshot. */
  read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  /** Lets SQLite refresh its planner statistics, then closes the file. */
  close(): void {
    try {
      if (!this.readonly) this.db.pragma('optimize');
    } catch {
      // Best effort: fresher statistics only speed up later queries, never worth failing a close
      // (another connection may hold the write lock past the busy timeout).
    }
    this.db.close();
  }

  /** Ad-hoc queries repeat with a handful of shapes (filters set or not): prepare each shape once. */
  #statement(sqlText: string): Database.Statement {
    let statement = this.#statements.get(sqlText);
    if (!statement) {
      statement = this.db.prepare(sqlText);
      this.#statements.set(sqlText, statement);
    }
    return statement;
  }
}

function compile(query: Compilable | CompiledQuery): CompiledQuery {
  return 'compile' in query ? query.compile() : query;
}
