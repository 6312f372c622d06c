import type { Migration } from '@skills/protocol';

/**
 * A count of prunes, kept in the file: readers that follow new invocations by rowid (see
 * `querySkillUsesSince`) must know when rows went away, also by another process's prune.
 */
export const pruneCounter: Migration = Object.freeze({
  version: 2,
  name: 'prune-counter',
  sql: `
CREATE TABLE store_meta (
  key TEXT NOT NULL PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO store_meta (key, value) VALUES ('prunes', 0);
`,
});
