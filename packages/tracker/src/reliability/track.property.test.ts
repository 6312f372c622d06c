import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LIMITS,
  TrackInvocationInputSchema,
  ValidationError,
  type Logger,
  type SkillsStore,
  type TrackInvocationInput,
} from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { createSkillsTracker } from '../create-tracker.js';
import { removeTempDirs, tempDir } from './harness.mjs';

afterAll(removeTempDirs);

const FIELDS = Object.keys(TrackInvocationInputSchema.shape);

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

const validName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
/** Names, and the near misses of a name: blank, too long, not a string. */
const nameLike = fc.oneof(
  { weight: 4, arbitrary: validName },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom('', '   ', '\t\n', ' padded '),
      fc.string({ maxLength: 6 }),
      fc.constant('n'.repeat(LIMITS.nameLength + 1)),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 })),
  },
);
/** Queries: ordinary text, whitespace, pasted secrets, near the length limit, not a string. */
const queryLike = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 60 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'deploy with token=abc123 to postgres://app:s3cr3t@db:5432',
      'use sk-ant-0123456789abcdefghijklmnop please',
      '   ',
      'a\u00a0\u2003b\n\nc',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: LIMITS.queryLength - 2, max: LIMITS.queryLength + 2 }).map((n) => 'q'.repeat(n)) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })) },
);
const rankLike = fc.oneof(
  fc.integer({ min: -2, max: LIMITS.maxRank + 2 }),
  fc.constantFrom(0.5, Number.NaN, Number.POSITIVE_INFINITY, -0, '1', null),
);
const listLike = fc.oneof(
  fc.array(nameLike, { maxLength: 3 }),
  fc.array(validName, { minLength: LIMITS.listLength - 1, maxLength: LIMITS.listLength + 1 }),
  fc.constantFrom('linter', null, 3),
);
/** Objects shaped like a TrackInvocationInput with any field missing, wrong, or extra; and anything at all. */
const inputLike: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.record(
          { skillName: nameLike, userQuery: queryLike, workflowPhase: nameLike, alternativesConsidered: listLike, selectionRank: rankLike },
          { requiredKeys: [] },
        ),
        fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }), { nil: undefined }),
      )
      .map(([known, extra]) => ({ ...extra, ...known })),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

describe('trackInvocation with arbitrary input (property)', () => {
  const dbPath = join(tempDir(), 'skills.db');
  let reader: SkillsStore;
  beforeAll(async () => {
    reader = await openSqliteStore({ path: dbPath });
  });
  afterAll(() => reader.close());

  it('either tracks (and stores it) or throws a ValidationError naming the field and rule, storing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(inputLike, async (input) => {
        // A fresh tracker each run keeps runs independent (a failed run cannot poison the next).
        const logger = memoryLogger();
        const tracker = await createSkillsTracker({ backend: 'direct', dbPath, env: {}, logger, sessionId: 'property' });
        const before = await reader.countInvocations();
        let accepted = false;
        try {
          const done = tracker.trackInvocation(input as TrackInvocationInput);
          accepted = true;
          expect(typeof done?.invocationId).toBe('string');
          done!({ completed: true });
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          const { violations, message } = error as ValidationError;
          expect(violations.length).toBeGreaterThan(0);
          expect(message).toMatch(/^Invalid trackInvocation input: /);
          for (const v of violations) {
            expect(v.message).toBeTruthy();
            // A field and the rule it broke; with no path, the input itself (not an object) or
            // the unknown keys, which the message names.
            if (v.path) expect(FIELDS).toContain(v.path.split('.')[0]);
            else expect(v.message).toMatch(/expected object|Unrecognized key/);
          }
        }
        await tracker.flush();
        expect(await reader.countInvocations()).toBe(before + (accepted ? 1 : 0));
        expect(tracker.health().failures, logger.lines.join('\n')).toBe(0);
        await tracker.close();
      }),
      { numRuns: 150 },
    );
  });
});

describe('a query that secret redaction makes longer than the limit', () => {
  // 'token=a ' is 8 characters and becomes 'token=[REDACTED:secret] ' (24): a query the tracker
  // accepts (at most LIMITS.queryLength characters) is three times over the limit once redacted,
  // and the store rejects the whole batch it is in.
  const query = 'token=a '.repeat(LIMITS.queryLength / 8).trim();

  it('is still stored (redacted, within the limit)', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const logger = memoryLogger();
    const tracker = await createSkillsTracker({ backend: 'direct', dbPath, env: {}, logger });
    expect(query.length).toBeLessThanOrEqual(LIMITS.queryLength);
    const done = tracker.trackInvocation({ skillName: 'deployer', userQuery: query })!; // accepted: within the limit
    done({ completed: true });
    await tracker.close();
    expect(tracker.health().failures, logger.lines.join('\n')).toBe(0);
    const store = await openSqliteStore({ path: dbPath });
    const stored = await store.getInvocation(done.invocationId);
    await store.close();
    expect(stored?.userQuery).toMatch(/^token=\[REDACTED:secret\]/);
    expect(stored!.userQuery!.length).toBeLessThanOrEqual(LIMITS.queryLength);
  });

  it('does not stop everything tracked after it from being stored', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const logger = memoryLogger();
    const tracker = await createSkillsTracker({ backend: 'direct', dbPath, env: {}, logger });
    tracker.trackInvocation({ skillName: 'deployer', userQuery: query })!({ completed: true });
    await tracker.flush();
    // Later, ordinary invocations, in later batches:
    for (let i = 0; i < 20; i++) {
      tracker.trackInvocation({ skillName: 'test-runner', userQuery: `run the tests ${i}` })!({ completed: true });
      await tracker.flush();
    }
    await tracker.close();
    const store = await openSqliteStore({ path: dbPath });
    const stored = await store.countInvocations({ skillName: 'test-runner' });
    await store.close();
    expect(stored, logger.lines.join('\n')).toBe(20);
  });
});
