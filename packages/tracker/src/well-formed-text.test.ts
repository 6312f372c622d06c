import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { createSkillsTracker } from './create-tracker.js';
import { memoryLogger, tempDir } from './test-support/temp.js';

// A lone surrogate is stored as U+FFFD (SQLite keeps UTF-8): the invocation could never be found
// again by the text it was tracked with. The tracker refuses it where the host calls it.
const RULE = 'must be well-formed Unicode (it holds a lone surrogate, which cannot be stored)';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('the direct tracker and lone surrogates', () => {
  it('refuses them when tracking, completing and asking, naming the field and the rule; stores nothing bad', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const tracker = await createSkillsTracker({ backend: 'direct', dbPath, env: {}, sessionId: 's-1', logger: memoryLogger() });
    expect(refusal(() => tracker.trackInvocation({ skillName: 'reviewer\uD800' }))).toContain(`skillName ${RULE}`);
    expect(refusal(() => tracker.trackInvocation({ skillName: 'reviewer', userQuery: '\uDC00 review' }))).toContain(`userQuery ${RULE}`);
    expect(refusal(() => tracker.trackInvocation({ skillName: 'reviewer', alternativesConsidered: ['a\uDBFF'] }))).toContain(
      `alternativesConsidered entry ${RULE}`,
    );
    const done = tracker.trackInvocation({ skillName: 'reviewer', userQuery: 'ship it \uD83D\uDE80' })!;
    expect(refusal(() => done({ followUpActions: ['git \uD800push'] }))).toContain(`followUpActions entry ${RULE}`);
    done({ completed: true });
    await expect(tracker.getRecommendations({ userQuery: 'ship \uD800' })).rejects.toThrow(`userQuery ${RULE}`);
    await tracker.close();

    const store = await openSqliteStore({ path: dbPath, readonly: true });
    const rows = await store.listInvocations({}, { limit: 10 });
    await store.close();
    expect(rows).toMatchObject([{ skillName: 'reviewer', userQuery: 'ship it \uD83D\uDE80', status: 'completed' }]);
  });
});
