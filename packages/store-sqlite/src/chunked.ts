import type Database from 'better-sqlite3';
import type { Compilable } from 'kysely';
import type { Connection } from './connection.js';

/** Rows one statement carries at most; remainders go as 32, 16, ... 1 rows. */
export const CHUNK_ROWS = 64;

/**
 * One statement with many rows of values (a multi-row INSERT or upsert), prepared once per row
 * count, and a buffer that runs it every {@link CHUNK_ROWS} rows. Running a statement costs
 * about as much as writing a row, so this writes rows several times faster than one statement
 * each. Values are bound positionally, in the order the compiled statement lists its parameters,
 * which is `width` values per row, row after row.
 *
 * @example
 * const insert = new ChunkedStatement(conn, 2, (rows) =>
 *   conn.builder.insertInto('catalog').values(Array.from({ length: rows }, () => ({ skill_name: '', description: '' }))),
 * );
 * let o = insert.offset;
 * insert.values[o++] = 'code-reviewer'; // one row's values, in column order
 * insert.values[o++] = 'reviews changes';
 * insert.commitRow();
 * insert.flush(); // at the end: the rows still buffered
 */
export class ChunkedStatement {
  readonly #conn: Connection;
  readonly #width: number;
  readonly #build: (rows: number) => Compilable;
  readonly #statements = new Map<number, Database.Statement>();
  readonly #values: unknown[];
  #rows = 0;

  constructor(conn: Connection, width: number, build: (rows: number) => Compilable) {
    this.#conn = conn;
    this.#width = width;
    this.#build = build;
    this.#values = new Array(CHUNK_ROWS * width);
  }

  /** The flat value buffer and the offset where the next row's values go; call {@link commitRow} after filling it. */
  get values(): unknown[] {
    return this.#values;
  }

  get offset(): number {
    return this.#rows * this.#width;
  }

  /** Counts the row just written at {@link offset}; runs the statement when the buffer is full. */
  commitRow(): void {
    if (++this.#rows === CHUNK_ROWS) {
      this.#statement(CHUNK_ROWS).run(this.#values);
      this.#rows = 0;
    }
  }

  /** Runs the rows still buffered, in power-of-two statements so that few shapes are ever prepared. */
  flush(): void {
    let offset = 0;
    let rows = this.#rows;
    this.#rows = 0;
    for (let size = CHUNK_ROWS / 2; rows > 0; size /= 2) {
      if (rows < size) continue;
      this.#statement(size).run(this.#values.slice(offset * this.#width, (offset + size) * this.#width));
      offset += size;
      rows -= size;
    }
  }

  /** Forgets buffered rows (after a failure). */
  discard(): void {
    this.#rows = 0;
  }

  #statement(rows: number): Database.Statement {
    let statement = this.#statements.get(rows);
    if (!statement) {
      const query = this.#build(rows);
      const count = query.compile().parameters.length;
      if (count !== rows * this.#width) {
        throw new Error(`a statement of ${rows} rows should have ${rows * this.#width} parameters, not ${count}`);
      }
      statement = this.#conn.preparePositional(query);
      this.#statements.set(rows, statement);
    }
    return statement;
  }
}
