import { ValidationError, type InvocationRecord } from '@skills/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { asStored, completion, pendingRecord } from '@skills/store-contract';
import { openSqliteStore, type SqliteStore } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

// SQLite stores text as UTF-8, where a lone surrogate becomes U+FFFD: the stored value would
// differ from the one given, never match it again, and two distinct ids would collide.
const tmp = useTempDir();
let store: SqliteStore;
afterEach(() => store?.close());

async function rejected(batch: Parameters<SqliteStore['applyBatch']>[0]): Promise<ValidationError> {
  const error = await store.applyBatch(batch).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('lone surrogates in a write batch', () => {
  it('are refused, naming the entry, the field and the rule, and nothing of the batch is written', async () => {
    store = await openSqliteStore({ path: tmp.path('surrogates.db') });
    const cases: ReadonlyArray<readonly [Partial<InvocationRecord>, string]> = [
      [{ id: 'inv-\uD800' }, 'inserts.1.id'],
      [{ skillName: 'reviewer\uDFFF' }, 'inserts.1.skillName'],
      [{ sessionId: '\uD83Ds' }, 'inserts.1.sessionId'],
      [{ userQuery: 'fix \uDE00 this' }, 'inserts.1.userQuery'],
      [{ workflowPhase: 'plan\uD800' }, 'inserts.1.workflowPhase'],
      [{ followUpActions: ['ok', 'a\uDC00'] }, 'inserts.1.followUpActions.1'],
      [{ source: 'ai-sdk\uD800' }, 'inserts.1.source'],
    ];
    for (const [override, path] of cases) {
      const error = await rejected({ inserts: [pendingRecord(1), pendingRecord(2, override)] });
      expect(error.violations, path).toEqual([
        { path, message: expect.stringContaining('must be well-formed Unicode (it holds a lone surrogate, which cannot be stored)') },
      ]);
    }
    expect(await store.countInvocations()).toBe(0);
  });

  it('are refused in a completion, which therefore never silently misses its invocation', async () => {
    store = await openSqliteStore({ path: tmp.path('completion.db') });
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    const error = await rejected({ completions: [completion('inv-000001\uD800', true)] });
    expect(error.violations[0]).toMatchObject({ path: 'completions.0.id' });
    expect(await store.getInvocation('inv-000001')).toMatchObject({ status: 'pending' });
  });

  it('two ids that differ only in a lone surrogate can no longer both be stored as one', async () => {
    store = await openSqliteStore({ path: tmp.path('collide.db') });
    await rejected({ inserts: [pendingRecord(1, { id: 'x\uD800' }), pendingRecord(2, { id: 'x\uD801' })] });
    // Astral characters (proper surrogate pairs) round-trip exactly.
    const emoji = pendingRecord(3, { id: 'inv-\uD83D\uDE00', userQuery: 'ship it \uD83D\uDE80' });
    await store.applyBatch({ inserts: [emoji] });
    expect(await store.getInvocation(emoji.id)).toEqual(asStored(emoji));
  });
});
