import type { Migration } from '@skills/protocol';

/**
 * Trained models kept beside the history (the learned ranker's), one per key, so that opening a
 * store continues from its model instead of training again. A cache: exports leave it out.
 * trained_up_to: the highest query id the model learned from; updated_at: ms since the epoch.
 */
export const modelState: Migration = Object.freeze({
  version: 4,
  name: 'model-state',
  sql: `
CREATE TABLE model_state (
  key TEXT NOT NULL PRIMARY KEY,
  version TEXT NOT NULL,
  trained_up_to INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
`,
});
