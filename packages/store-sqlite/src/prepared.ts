import type Database from 'better-sqlite3';

/** Row values by parameter name (extra properties are ignored). */
export type Params = object;

/** String literals, quoted identifiers, or a named parameter: only the last is rewritten. */
const TOKEN = /'(?:[^']|'')*'|"(?:[^"]|"")*"|@([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * A statement compiled once with named parameters (`@name`) and bound positionally: binding an
 * array is measurably cheaper per row in better-sqlite3 than binding an object by name.
 */
export class Prepared {
  readonly #statement: Database.Statement;
  readonly #order: readonly string[];

  constructor(db: Database.Database, namedSql: string) {
    const order: string[] = [];
    const positional = namedSql.replace(TOKEN, (token, name: string | undefined) => {
      if (name === undefined) return token;
      order.push(name);
      return '?';
    });
    this.#statement = db.prepare(positional);
    this.#order = order;
  }

  /** Runs a write. */
  run(params: Params = {}): Database.RunResult {
    return this.#statement.run(...this.#bind(params));
  }

  /** The first row. */
  get<R>(params: Params = {}): R | undefined {
    return this.#statement.get(...this.#bind(params)) as R | undefined;
  }

  /** Every row. */
  all<R>(params: Params = {}): R[] {
    return this.#statement.all(...this.#bind(params)) as R[];
  }

  #bind(params: Params): unknown[] {
    return this.#order.map((name) => {
      const value = (params as Record<string, unknown>)[name];
      if (value === undefined) throw new Error(`missing parameter @${name}`);
      return value;
    });
  }
}
