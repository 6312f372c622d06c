import type { Migration } from '@skills/protocol';
import { initialSchema } from './0001-initial-schema.js';
import { modelState } from './0002-model-state.js';
import { projects } from './0003-projects.js';
import { writePathWithoutForeignKeys } from './0004-write-path-without-foreign-keys.js';

/**
 * Every schema migration, in version order. To change the schema, add a file
 * `NNNN-what-it-does.ts` exporting the next version and append it here; never edit one that
 * has shipped (its checksum is recorded in every database it upgraded).
 *
 * @example
 * import { migrations } from '@skills/store-postgres';
 * migrations.at(-1)?.version; // the schema version this code writes
 */
export const migrations: readonly Migration[] = Object.freeze([initialSchema, modelState, projects, writePathWithoutForeignKeys]);
