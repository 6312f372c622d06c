import type { Migration } from '@skills/protocol';

/**
 * Which integration recorded each invocation (`claude-code`, `ai-sdk`, ...): a name stored once,
 * like skills and phases. Rows written before have none (NULL): adding a nullable column rewrites
 * nothing, so an old file of any size upgrades at once.
 */
export const invocationSource: Migration = Object.freeze({
  version: 3,
  name: 'invocation-source',
  sql: `
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

ALTER TABLE invocations ADD COLUMN source_id INTEGER REFERENCES sources (id);
`,
});
