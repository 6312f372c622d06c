import type { Migration } from '@skills/protocol';

/**
 * Trained models kept beside the history (the learned ranker's), one per key, so that opening a
 * store continues from its model instead of training again. A cache: exports leave it out.
 * trained_up_to: the highest query id the model learned from.
 */
export const modelState: Migration = Object.freeze({
  version: 2,
  name: 'model-state',
  sql: `
CREATE TABLE model_state (
  key text NOT NULL PRIMARY KEY,
  version text NOT NULL,
  trained_up_to bigint NOT NULL,
  bytes bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
});
