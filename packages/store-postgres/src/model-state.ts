import { validateModelState, type ModelState } from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from './schema.js';

export type { ModelState };

/** The `model_state` table (migration 2). */
interface ModelStateTable {
  key: string;
  version: string;
  trained_up_to: number;
  bytes: Uint8Array;
}

type Db = Kysely<StoreDatabase & { model_state: ModelStateTable }>;

const withModelState = (db: Kysely<StoreDatabase>): Db => db.withTables<{ model_state: ModelStateTable }>();

/** The state under `key` (its bytes in a buffer of their own), or null when none. */
export async function getModelState(db: Kysely<StoreDatabase>, key: string): Promise<ModelState | null> {
  const row = await withModelState(db).selectFrom('model_state').select(['version', 'trained_up_to', 'bytes']).where('key', '=', key).executeTakeFirst();
  if (!row) return null;
  const bytes = row.bytes as Buffer;
  return { version: row.version, trainedUpTo: row.trained_up_to, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice() };
}

/** Stores `state` under `key`, replacing the one there; a bad key or state (ValidationError) writes nothing. */
export async function putModelState(db: Kysely<StoreDatabase>, key: string, state: ModelState): Promise<void> {
  validateModelState(key, state);
  const bytes = Buffer.from(state.bytes.buffer, state.bytes.byteOffset, state.bytes.byteLength);
  await withModelState(db)
    .insertInto('model_state')
    .values({ key, version: state.version, trained_up_to: state.trainedUpTo, bytes })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        version: eb.ref('excluded.version'),
        trained_up_to: eb.ref('excluded.trained_up_to'),
        bytes: eb.ref('excluded.bytes'),
        updated_at: sql`now()`,
      })),
    )
    .execute();
}
