import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError, type SkillsStore } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { waitFor } from '@skills/vitest-config/wait-for';
import { createSkillsTracker } from './create-tracker.js';
import { memoryLogger, tempDir } from './test-support/temp.js';

async function readBack<T>(dbPath: string, read: (store: SkillsStore) => Promise<T>): Promise<T> {
  const store = await openSqliteStore({ path: dbPath });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

const direct = (dbPath: string, extra: Record<string, unknown> = {}) =>
  createSkillsTracker({ backend: 'direct', dbPath, env: {}, sessionId: 'session-1', logger: memoryLogger(), ...extra });

describe('direct tracker', () => {
  it('stores every field of a tracked and completed invocation', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const tracker = await direct(dbPath);
    const before = Date.now();
    const done = tracker.trackInvocation({
      skillName: 'code-reviewer',
      userQuery: '  review   my pull request  ',
      workflowPhase: 'verification',
      alternativesConsidered: ['linter', 'test-runner'],
      selectionRank: 2,
    });
    expect(done).not.toBeNull();
    const tracked = performance.now();
    await waitFor(() => performance.now() - tracked >= 20, { what: '20 ms to pass' }); // a measurable duration
    done!({ completed: false, followUpActions: ['git commit', 'open PR'], errorType: 'TimeoutError' });
    await tracker.close();

    const record = await readBack(dbPath, (s) => s.getInvocation(done!.invocationId));
    expect(record).toMatchObject({
      id: done!.invocationId,
      skillName: 'code-reviewer',
      sessionId: 'session-1',
      status: 'failed',
      completed: false,
      userQuery: 'review my pull request',
      workflowPhase: 'verification',
      alternativesConsidered: ['linter', 'test-runner'],
      selectionRank: 2,
      followUpActions: ['git commit', 'open PR'],
      errorType: 'TimeoutError',
    });
    expect(Date.parse(record!.invokedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(record!.invokedAt).toMatch(/Z$/);
    expect(Date.parse(record!.completedAt!)).toBeGreaterThanOrEqual(Date.parse(record!.invokedAt));
    expect(record!.durationSeconds).toBeGreaterThanOrEqual(0.015);
    expect(record!.durationSeconds).toBeLessThan(5);
  });

  it("stores the source label, and the host's own duration instead of the measured one", async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const tracker = await direct(dbPath);
    const labelled = tracker.trackInvocation({ skillName: 'search', source: 'ai-sdk' })!;
    labelled({ completed: true, durationSeconds: 12.5 });
    // Not in the fast path's normal form: the schema trims it, as it trims every name.
    const padded = tracker.trackInvocation({ skillName: 'search', source: ' langchain ' })!;
    padded({ completed: false, errorType: 'Timeout', durationSeconds: 0 });
    const unlabelled = tracker.trackInvocation({ skillName: 'search' })!;
    unlabelled();
    expect(() => tracker.trackInvocation({ skillName: 'search', source: '' })).toThrow(/source: source must not be empty/);
    const refused = tracker.trackInvocation({ skillName: 'search' })!;
    expect(() => refused({ durationSeconds: -1 })).toThrow(/durationSeconds: durationSeconds must not be negative/);
    refused({ completed: true });
    await tracker.close();

    const stored = await readBack(dbPath, (s) => Promise.all([labelled, padded, unlabelled, refused].map((d) => s.getInvocation(d.invocationId))));
    expect(stored.map((r) => [r?.source, r?.status, r?.durationSeconds])).toEqual([
      ['ai-sdk', 'completed', 12.5],
      ['langchain', 'failed', 0],
      [null, 'completed', expect.any(Number)],
      [null, 'completed', expect.any(Number)],
    ]);
    expect(stored[2]!.durationSeconds).toBeLessThan(5);
  });

  it('stores the shown scores of the alternatives, through the fast path and the schema alike (issue 16)', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const tracker = await direct(dbPath);
    const plain = tracker.trackInvocation({ skillName: 'linter', alternativesConsidered: ['formatter', 'typer'], alternativeScores: [0.8, 0.25] })!;
    // A padded name leaves the fast path: the schema normalises, and must keep the scores too.
    const padded = tracker.trackInvocation({ skillName: ' linter ', alternativesConsidered: ['formatter'], alternativeScores: [0.5] })!;
    const none = tracker.trackInvocation({ skillName: 'linter', alternativesConsidered: ['formatter'] })!;
    expect(() => tracker.trackInvocation({ skillName: 'linter', alternativesConsidered: ['formatter'], alternativeScores: [0.5, 0.1] })).toThrow(
      /alternativeScores: alternativeScores must have one score per entry of alternativesConsidered \(1\), got 2/,
    );
    expect(() => tracker.trackInvocation({ skillName: 'linter', alternativesConsidered: ['formatter'], alternativeScores: [Number.NaN] })).toThrow(
      /alternativeScores/,
    );
    await tracker.close();
    const stored = await readBack(dbPath, (s) => Promise.all([plain, padded, none].map((d) => s.getInvocation(d.invocationId))));
    expect(stored.map((r) => r?.alternativeScores)).toEqual([[0.8, 0.25], [0.5], undefined]);
    expect(await readBack(dbPath, (s) => s.countInvocations())).toBe(3);
  });

  it("writes into the settings' project, and recommends from it alone (issue 15)", async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const alpha = await direct(dbPath, { project: 'alpha', embedder: 'lexical', minSimilarity: 0 });
    const beta = await direct(dbPath, { env: { SKILLS_PROJECT: 'beta' }, embedder: 'lexical', minSimilarity: 0 });
    alpha.trackInvocation({ skillName: 'code-reviewer', userQuery: 'review the pull request' })!({ completed: true });
    beta.trackInvocation({ skillName: 'pr-auditor', userQuery: 'review the pull request' })!({ completed: true });
    const [fromAlpha, fromBeta] = await Promise.all(
      [alpha, beta].map(async (t) => (await t.getRecommendations({ userQuery: 'review the pull request' })).map((r) => r.skillName)),
    );
    expect(fromAlpha).toEqual(['code-reviewer']);
    expect(fromBeta).toEqual(['pr-auditor']);
    await Promise.all([alpha.close(), beta.close()]);
    const stored = await readBack(dbPath, (s) => s.listInvocations());
    expect(stored.map((r) => [r.skillName, r.project]).sort()).toEqual([
      ['code-reviewer', 'alpha'],
      ['pr-auditor', 'beta'],
    ]);
  });

  it('counts a completion once however often the completer is called', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const tracker = await direct(dbPath);
    const done = tracker.trackInvocation({ skillName: 'test-runner' })!;
    done({ completed: true });
    done({ completed: false, errorType: 'Later' });
    await tracker.flush();
    done();
    await tracker.close();
    expect(tracker.health()).toMatchObject({ tracked: 1, completed: 1, failures: 0 });
    const [stats] = await readBack(dbPath, (s) => s.skillStats());
    expect(stats).toMatchObject({ skillName: 'test-runner', invocations: 1, completed: 1, failed: 0 });
    const record = await readBack(dbPath, (s) => s.getInvocation(done.invocationId));
    expect(record).toMatchObject({ status: 'completed', errorType: null });
  });

  it('marks invocations left open abandoned on close, and long-pending ones when a tracker opens', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const tracker = await direct(dbPath);
    const open = tracker.trackInvocation({ skillName: 'planner' })!;
    await tracker.close();
    open({ completed: true }); // too late: already abandoned, and must not throw
    expect((await readBack(dbPath, (s) => s.getInvocation(open.invocationId)))?.status).toBe('abandoned');

    const old = new Date(Date.now() - 2 * 3600_000).toISOString();
    await readBack(dbPath, (s) =>
      s.applyBatch({
        inserts: [
          {
            id: 'stale-1',
            skillName: 'planner',
            sessionId: 'crashed-session',
            invokedAt: old,
            status: 'pending',
            completed: false,
            completedAt: null,
            durationSeconds: null,
            userQuery: null,
            workflowPhase: null,
            alternativesConsidered: [],
            selectionRank: null,
            followUpActions: [],
            errorType: null,
          },
        ],
      }),
    );
    const second = await direct(dbPath, { abandonAfterSeconds: 3600 });
    await second.close();
    expect((await readBack(dbPath, (s) => s.getInvocation('stale-1')))?.status).toBe('abandoned');
    const [stats] = await readBack(dbPath, (s) => s.skillStats());
    expect(stats).toMatchObject({ skillName: 'planner', invocations: 2, abandoned: 2, pending: 0 });
  });

  it('rejects bad input with an error naming the field, and stores nothing', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const tracker = await direct(dbPath);
    expect(() => tracker.trackInvocation({ skillName: '   ' })).toThrow(ValidationError);
    expect(() => tracker.trackInvocation({ skillName: 'x', selectionRank: 0 })).toThrow(/selectionRank: .*at least 1/);
    expect(() => tracker.trackInvocation({ skillName: 'x', alternativesConsidered: 'y' as never })).toThrow(
      /alternativesConsidered/,
    );
    const done = tracker.trackInvocation({ skillName: 'ok' })!;
    expect(() => done({ completed: 'yes' as never })).toThrow(/completed: completed must be true or false/);
    done();
    await tracker.close();
    expect(await readBack(dbPath, (s) => s.countInvocations())).toBe(1);
  });

  it('lets several trackers in one process write one file at once', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const trackers = await Promise.all([1, 2, 3, 4].map((n) => direct(dbPath, { sessionId: `s${n}` })));
    for (let i = 0; i < 500; i++) {
      for (const [n, tracker] of trackers.entries()) {
        tracker.trackInvocation({ skillName: `skill-${i % 7}`, userQuery: `query ${i} from ${n}` })!({ completed: i % 3 !== 0 });
      }
      if (i % 100 === 0) await Promise.all(trackers.map((t) => t.flush()));
    }
    await Promise.all(trackers.map((t) => t.close()));
    expect(trackers.map((t) => t.health().failures)).toEqual([0, 0, 0, 0]);
    await readBack(dbPath, async (s) => {
      expect(await s.countInvocations()).toBe(2000);
      for (const n of [1, 2, 3, 4]) expect(await s.countInvocations({ sessionId: `s${n}` })).toBe(500);
      const stats = await s.skillStats();
      expect(stats.reduce((sum, x) => sum + x.invocations, 0)).toBe(2000);
      expect(stats.reduce((sum, x) => sum + x.completed, 0)).toBe(4 * (500 - Math.ceil(500 / 3)));
    });
  });

  it('never throws a storage failure into the host: it logs once and counts', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const logger = memoryLogger();
    const store = await openSqliteStore({ path: dbPath });
    const tracker = await createSkillsTracker({ backend: 'direct', env: {}, store, logger });
    await store.close(); // the store goes away underneath the tracker
    for (let i = 0; i < 3; i++) tracker.trackInvocation({ skillName: 'x' })?.({ completed: true });
    await expect(tracker.flush()).resolves.toBeUndefined();
    await tracker.flush();
    expect(tracker.health().failures).toBeGreaterThanOrEqual(2);
    expect(tracker.health().lastError).toBeTruthy();
    expect(logger.lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
    await expect(tracker.close()).resolves.toBeUndefined();
  });

  it('writes what was tracked when the process exits normally without close()', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'skills.db');
    const script = `
      import { createSkillsTracker } from '@skills/tracker';
      const tracker = await createSkillsTracker({ backend: 'direct', dbPath: ${JSON.stringify(dbPath)}, env: {} });
      for (let i = 0; i < 250; i++) tracker.trackInvocation({ skillName: 'exit-test', userQuery: 'q' + i })({ completed: true });
      if (process.argv.includes('--explicit-exit')) process.exit(0);
    `;
    for (const args of [[], ['--explicit-exit']]) {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
        cwd: join(import.meta.dirname, '..'),
        encoding: 'utf8',
      });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
    }
    expect(await readBack(dbPath, (s) => s.countInvocations({ status: 'completed' }))).toBe(500);
  });
});

describe('disabled tracker', () => {
  it('does nothing: no completer, no file, no recommendations', async () => {
    const dir = tempDir();
    const tracker = await createSkillsTracker({ enabled: false, dbPath: join(dir, 'skills.db'), env: {} });
    expect(tracker.isEnabled()).toBe(false);
    expect(tracker.getBackend()).toMatchObject({ kind: 'none' });
    expect(tracker.trackInvocation({ skillName: 'anything' })).toBeNull();
    expect(await tracker.getRecommendations({ userQuery: 'x' })).toEqual([]);
    await tracker.close();
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'skills.db'))).toBe(false);
  });

  it('is chosen by SKILLS_ENABLED=false in the environment', async () => {
    const tracker = await createSkillsTracker({ backend: 'direct', env: { SKILLS_ENABLED: 'false' } });
    expect(tracker.isEnabled()).toBe(false);
  });
});

describe('secrets in queries', () => {
  it('are redacted before storage by default, and kept when redactSecrets is off', async () => {
    const query = 'deploy with token=abc123 to postgres://app:s3cr3t@db:5432';
    for (const redactSecrets of [true, false]) {
      const dbPath = join(tempDir(), 'skills.db');
      const tracker = await direct(dbPath, { redactSecrets });
      const done = tracker.trackInvocation({ skillName: 'deployer', userQuery: query })!;
      await tracker.close();
      const stored = (await readBack(dbPath, (s) => s.getInvocation(done.invocationId)))?.userQuery;
      expect(stored).toBe(
        redactSecrets ? 'deploy with token=[REDACTED:secret] to postgres://app:[REDACTED:url-password]@db:5432' : query,
      );
    }
  });
});
