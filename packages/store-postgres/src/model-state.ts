import type { ModelState } from '@skills/protocol';
import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from './schema.js';

export type { ModelState };

/** The `model_state` table (migration 2; keyed by project since migration 3). */
interface ModelStateTable {
  project_id: number;
  key: string;
  version: string;
  trained_up_to: number;
  bytes: Uint8Array;
}

type Db = Kysely<StoreDatabase & { model_state: ModelStateTable }>;

const withModelState = (db: Kysely<StoreDatabase>): Db => db.withTables<{ model_state: ModelStateTable }>();

/** The state of one project under `key` (its bytes in a buffer of their own), or null when none. */
export async function getModelState(db: Kysely<StoreDatabase>, projectId: number, key: string): Promise<ModelState | null> {
  const row = await withModelState(db)
    .selectFrom('model_state')
    .select(['version', 'trained_up_to', 'bytes'])
    .where('project_id', '=', projectId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return null;
  const bytes = row.bytes as Buffer;
  return { version: row.version, trainedUpTo: row.trained_up_to, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice() };
}

/** Stores `state` of one project under `key`, replacing the one there. Call {@link validateModelState} first. */
export async function putModelState(db: Kysely<StoreDatabase>, projectId: number, key: string, state: ModelState): Promise<void> {
  const bytes = Buffer.from(state.bytes.buffer, state.bytes.byteOffset, state.bytes.byteLength);
  await withModelState(db)
    .insertInto('model_state')
    .values({ project_id: projectId, key, version: state.version, trained_up_to: state.trainedUpTo, bytes })
    .onConflict((oc) =>
      oc.columns(['project_id', 'key']).doUpdateSet((eb) => ({
        version: eb.ref('excluded.version'),
        trained_up_to: eb.ref('excluded.trained_up_to'),
        bytes: eb.ref('excluded.bytes'),
        updated_at: sql`now()`,
      })),
    )
    .execute();
}
