import type { ModelState } from '@skills/protocol';
import type { Connection } from './connection.js';

/** The `model_state` table (migration 4, keyed by project since migration 5). */
interface ModelStateTable {
  project_id: number;
  key: string;
  version: string;
  trained_up_to: number;
  bytes: Uint8Array;
  updated_at: number;
}

/** Reads and writes of trained models kept with the store (see `ModelStateStore`). */
export class ModelStateStatements {
  readonly #conn: Connection;

  constructor(conn: Connection) {
    this.#conn = conn;
  }

  #builder() {
    return this.#conn.builder.withTables<{ model_state: ModelStateTable }>();
  }

  /** The state of one project under `key`, its bytes in a buffer of their own; null when none. */
  get(projectId: number, key: string): ModelState | null {
    const row = this.#conn.get<{ version: string; trained_up_to: number; bytes: Buffer }>(
      this.#builder()
        .selectFrom('model_state')
        .select(['version', 'trained_up_to', 'bytes'])
        .where('project_id', '=', projectId)
        .where('key', '=', key),
    );
    if (!row) return null;
    // better-sqlite3 gives each blob its own buffer; a view of it is the caller's to keep.
    return { version: row.version, trainedUpTo: row.trained_up_to, bytes: new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength) };
  }

  /** Stores `state` of one project under `key`, replacing the one there; run inside a write transaction, after validation. */
  put(projectId: number, key: string, state: ModelState): void {
    const row = {
      project_id: projectId,
      key,
      version: state.version,
      trained_up_to: state.trainedUpTo,
      bytes: Buffer.from(state.bytes.buffer, state.bytes.byteOffset, state.bytes.byteLength),
      updated_at: Date.now(),
    };
    this.#conn.run(
      this.#builder()
        .insertInto('model_state')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['project_id', 'key']).doUpdateSet((eb) => ({
            version: eb.ref('excluded.version'),
            trained_up_to: eb.ref('excluded.trained_up_to'),
            bytes: eb.ref('excluded.bytes'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        ),
    );
  }
}
