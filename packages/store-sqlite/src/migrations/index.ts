import type { Migration } from '@skills/protocol';
import { initialSchema } from './0001-initial-schema.js';
import { pruneCounter } from './0002-prune-counter.js';
import { invocationSource } from './0003-invocation-source.js';
import { modelState } from './0004-model-state.js';
import { projects } from './0005-projects.js';
import { rollups } from './0006-rollups.js';
import { durationBins } from './0007-duration-bins.js';

/**
 * Every schema migration, in version order. To change the schema, add a file
 * `NNNN-what-it-does.ts` exporting the next version and append it here; never edit one that
 * has shipped (its checksum is recorded in every file it upgraded).
 *
 * @example
 * import { migrations } from '@skills/store-sqlite';
 * migrations.at(-1)?.version; // the schema version this code writes
 */
export const migrations: readonly Migration[] = Object.freeze([initialSchema, pruneCounter, invocationSource, modelState, projects, rollups, durationBins]);
