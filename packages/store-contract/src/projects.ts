import {
  DEFAULT_PROJECT,
  EXPORT_FORMAT_VERSION,
  isChangeFeedStore,
  isMaintainable,
  isModelStateStore,
  isProjectStore,
  isSyncWritable,
  PROJECT_NAME_RULE,
  seededRandom,
  ValidationError,
  type ExportDocument,
  type InvocationRecord,
  type ModelStateStore,
  type ProjectStore,
  type SkillsStore,
} from '@skills/protocol';
import { describe, expect, it, vi } from 'vitest';
import type { ContractStore } from './contract.js';
import { Follower, usage } from './follower.js';
import { asStored, at, completion, finishedRecord, pendingRecord } from './records.js';
import { recount } from './recount.js';

/** Two projects' records that share skill names, a session and a query text. */
const ALPHA: readonly InvocationRecord[] = [
  finishedRecord(1, 'completed', 2, { id: 'a-1', skillName: 'builder', sessionId: 's-a', workflowPhase: 'build', userQuery: 'fix the build' }),
  pendingRecord(2, { id: 'a-2', sessionId: 's-a', userQuery: 'fix the build' }),
  finishedRecord(3, 'failed', 1, { id: 'a-3', sessionId: 's-shared', userQuery: 'alpha only', errorType: 'Crash' }),
  pendingRecord(4, { id: 'a-4', sessionId: 's-a', userQuery: null, source: 'cli' }),
];
const BETA: readonly InvocationRecord[] = [
  finishedRecord(5, 'completed', 3, { id: 'b-1', skillName: 'builder', sessionId: 's-b', workflowPhase: 'build', userQuery: 'fix the build' }),
  pendingRecord(6, { id: 'b-2', skillName: 'deployer', sessionId: 's-shared', userQuery: 'beta only' }),
  pendingRecord(7, { id: 'b-3', sessionId: 's-b', userQuery: 'beta only', errorType: null, source: 'ai-sdk' }),
];

const newestFirst = (records: readonly InvocationRecord[]) =>
  [...records].sort((a, b) => b.invokedAt.localeCompare(a.invokedAt) || (a.id < b.id ? 1 : -1)).map((r) => r.id);
const oldestFirst = (records: readonly InvocationRecord[]) => [...newestFirst(records)].reverse();
const distinct = <T>(values: readonly T[]) => new Set(values).size;

/** The ValidationError `promise` rejects with (fails the test when it resolves or rejects otherwise). */
async function validationError(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

/** The ValidationError `fn` throws. */
function thrownValidationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/**
 * The projects part of the store contract (`ProjectScopes`, issue 15) and the shown scores kept
 * with each record (`alternativeScores`, issue 16): two projects on one store never see each
 * other's data, whichever method reads it. Registered by {@link describeStoreContract}.
 */
export function describeProjectsContract(
  fresh: () => Promise<ContractStore>,
  another: (store: ContractStore) => Promise<ContractStore>,
): void {
  const freshProjectStore = async (): Promise<ProjectStore> => {
    const store = await fresh();
    expect(isProjectStore(store)).toBe(true);
    return store as ProjectStore;
  };
  /** A store holding {@link ALPHA} in project alpha and {@link BETA} in beta, each written through its view. */
  const twoProjects = async () => {
    const store = await freshProjectStore();
    const alpha = store.forProject('alpha');
    const beta = store.forProject('beta');
    await alpha.applyBatch({ inserts: ALPHA });
    await beta.applyBatch({ inserts: BETA });
    return { store, alpha, beta };
  };
  const expectAggregatesMatchRows = async (store: ContractStore) => {
    const { stored, recounted } = await recount(store);
    expect(stored).toEqual(recounted);
  };

  describe('projects (ProjectScopes)', () => {
    it("a view reads only its project's invocations, statistics, queries, vectors and insights; the store reads all", async () => {
      const { store, alpha, beta } = await twoProjects();
      const queryIds = (await store.listQueries()).map((q) => q.id);
      await store.putEmbeddings('lexical', new Map(queryIds.map((id) => [id, Uint8Array.of(id)])));
      for (const [view, project, mine, theirs] of [
        [alpha, 'alpha', ALPHA, BETA],
        [beta, 'beta', BETA, ALPHA],
      ] as const) {
        const label = `view ${project}`;
        for (const r of mine) expect(await view.getInvocation(r.id), label).toEqual(asStored(r, project));
        for (const r of theirs) expect(await view.getInvocation(r.id), label).toBeNull();
        expect((await view.listInvocations()).map((r) => r.id), label).toEqual(newestFirst(mine));
        expect((await view.listInvocations({ skillName: 'builder' })).map((r) => r.id), label).toEqual(newestFirst(mine.filter((r) => r.skillName === 'builder')));
        expect(await view.countInvocations(), label).toBe(mine.length);
        expect(await view.countInvocations({ sessionId: 's-shared' }), label).toBe(1);
        expect(await view.countInvocations({ status: 'pending' }), label).toBe(mine.filter((r) => r.status === 'pending').length);
        const texts = [...new Set(mine.map((r) => r.userQuery).filter((t) => t !== null))].sort();
        const queries = await view.listQueries();
        expect(queries.map((q) => q.text).sort(), label).toEqual(texts);
        expect((await view.listQuerySkillCounts()).reduce((n, c) => n + c.invocations, 0), label).toBe(mine.filter((r) => r.userQuery !== null).length);
        expect([...(await view.getEmbeddings('lexical')).keys()], label).toEqual(queries.map((q) => q.id));
        const exported = await view.exportAll();
        expect(exported.invocations, label).toEqual(oldestFirst(mine).map((id) => asStored(mine.find((r) => r.id === id)!, project)));
        // Statistics, counts and (query, skill) counts from the aggregates agree with this project's rows alone.
        await expectAggregatesMatchRows(view);
        expect((await view.skillStats()).reduce((n, s) => n + s.invocations, 0), label).toBe(mine.length);
        expect((await view.phaseStats({ workflowPhase: 'build' })).map((s) => [s.skillName, s.invocations]), label).toEqual([['builder', 1]]);
        expect(await view.sessionCount(), label).toBe(distinct(mine.map((r) => r.sessionId)));
        expect(await view.sessionsSince(at(0)), label).toBe(distinct(mine.map((r) => r.sessionId)));
        const { points } = await view.activity({ bucket: 'day' });
        expect(points.reduce((n, p) => n + p.invocations, 0), label).toBe(mine.length);
        const profile = await view.skillProfile('code-reviewer');
        const reviews = mine.filter((r) => r.skillName === 'code-reviewer' && r.userQuery !== null);
        expect(profile?.queries.map((q) => q.query), label).toEqual(newestFirst(reviews).map((id) => mine.find((r) => r.id === id)!.userQuery));
        expect(profile?.sources.reduce((n, s) => n + s.count, 0), label).toBe(mine.filter((r) => r.skillName === 'code-reviewer').length);
      }
      expect(await alpha.skillProfile('deployer')).toBeNull();
      expect(await alpha.listCatalog()).toEqual([]);

      const all = [...ALPHA.map((r) => asStored(r, 'alpha')), ...BETA.map((r) => asStored(r, 'beta'))];
      for (const r of all) expect(await store.getInvocation(r.id)).toEqual(r);
      expect((await store.listInvocations()).map((r) => r.id)).toEqual(newestFirst(all));
      expect(await store.countInvocations()).toBe(all.length);
      expect((await store.exportAll()).invocations).toEqual(oldestFirst(all).map((id) => all.find((r) => r.id === id)));
      expect(await store.sessionCount()).toBe(distinct(all.map((r) => r.sessionId)));
      await expectAggregatesMatchRows(store);
      // A text is stored once per project: the two projects' "fix the build" are two queries.
      const fixTheBuild = async (s: SkillsStore) => (await s.listQueries()).filter((q) => q.text === 'fix the build').map((q) => q.id);
      const [alphaFix] = await fixTheBuild(alpha);
      const [betaFix] = await fixTheBuild(beta);
      expect(alphaFix).not.toBe(betaFix);
      expect(await fixTheBuild(store)).toEqual([alphaFix, betaFix].sort((a, b) => a! - b!));
      const builderCounts = async (s: SkillsStore, queryId: number | undefined) =>
        (await s.listQuerySkillCounts()).filter((c) => c.skillName === 'builder' && c.queryId === queryId).map((c) => c.invocations);
      expect(await builderCounts(store, alphaFix)).toEqual([1]);
      expect(await builderCounts(store, betaFix)).toEqual([1]);
      expect(await builderCounts(alpha, alphaFix)).toEqual([1]);
      expect(await builderCounts(alpha, betaFix)).toEqual([]);
      expect(await builderCounts(beta, betaFix)).toEqual([1]);
      expect(await store.listProjects()).toEqual(['alpha', 'beta']);
    });

    it('abandons and prunes only within a view', async () => {
      const { store, alpha, beta } = await twoProjects();
      expect(await alpha.markAbandoned({ ids: ['b-2', 'a-2'] })).toBe(1);
      expect(await alpha.markAbandoned({ olderThan: at(100) })).toBe(1);
      expect(await beta.countInvocations({ status: 'pending' })).toBe(2);
      expect(await beta.prune(at(100))).toBe(BETA.length);
      expect(await beta.countInvocations()).toBe(0);
      expect(await alpha.countInvocations()).toBe(ALPHA.length);
      expect(await store.countInvocations()).toBe(ALPHA.length);
      expect((await store.listQueries()).map((q) => q.text).sort()).toEqual(['alpha only', 'fix the build']);
      expect(await beta.listQueries()).toEqual([]);
      expect(await beta.skillStats()).toEqual([]);
      expect(await beta.sessionCount()).toBe(0);
      // Alone in the store now: its sessions, counted without a pass over its rows, are still its own.
      expect(await alpha.sessionCount()).toBe(distinct(ALPHA.map((r) => r.sessionId)));
      expect(await alpha.sessionsSince(at(0))).toBe(distinct(ALPHA.map((r) => r.sessionId)));
      expect(await beta.sessionsSince(at(0))).toBe(0);
      for (const s of [store, alpha, beta]) await expectAggregatesMatchRows(s);
      expect(await store.listProjects()).toEqual(['alpha']);
    });

    it("stamps a view's inserts with its project; a record naming another project is refused by its place and nothing is written", async () => {
      const store = await freshProjectStore();
      const alpha = store.forProject('alpha');
      expect(await alpha.applyBatch({ inserts: [pendingRecord(1), pendingRecord(2, { project: 'alpha' })] })).toMatchObject({ inserted: 2 });
      expect(await store.getInvocation('inv-000001')).toMatchObject({ project: 'alpha' });
      expect(await alpha.getInvocation('inv-000002')).toMatchObject({ project: 'alpha' });

      const error = await validationError(alpha.applyBatch({ inserts: [pendingRecord(3, { userQuery: 'never stored' }), pendingRecord(4, { project: 'beta' })] }));
      expect(error.violations.map((v) => v.path)).toEqual(['inserts.1.project']);
      expect(error.message).toContain('inserts.1.project');
      expect(await store.countInvocations()).toBe(2);
      expect((await store.listQueries()).map((q) => q.text)).not.toContain('never stored');

      // The store itself writes each record to its own project, `default` when it names none.
      await store.applyBatch({ inserts: [pendingRecord(5, { project: 'beta' }), pendingRecord(6)] });
      expect(await store.getInvocation('inv-000005')).toMatchObject({ project: 'beta' });
      expect(await store.getInvocation('inv-000006')).toMatchObject({ project: DEFAULT_PROJECT });
      expect(await store.forProject(DEFAULT_PROJECT).countInvocations()).toBe(1);

      const badName = await validationError(store.applyBatch({ inserts: [pendingRecord(7), pendingRecord(8, { project: 'Team A' })] }));
      expect(badName.violations.map((v) => v.path)).toEqual(['inserts.1.project']);
      expect(badName.message).toContain(PROJECT_NAME_RULE);
      expect(await store.countInvocations()).toBe(4);
      expect(await store.listProjects()).toEqual(['alpha', 'beta', DEFAULT_PROJECT]);
    });

    it('refuses a bad project name for a view, naming project and its rule', async () => {
      const store = await freshProjectStore();
      for (const name of ['Team-A', '', '*', '-lead', 'a'.repeat(65), 'with space', 42 as unknown as string]) {
        const error = thrownValidationError(() => store.forProject(name));
        expect(error.violations.map((v) => v.path), String(name)).toEqual(['project']);
        expect(error.message).toContain(PROJECT_NAME_RULE);
      }
      expect(await store.listProjects()).toEqual([]);
    });

    it("treats a completion or abandonment of another project's invocation as unknown, and applies none", async () => {
      const store = await freshProjectStore();
      const alpha = store.forProject('alpha');
      const beta = store.forProject('beta');
      await alpha.applyBatch({ inserts: [pendingRecord(1), pendingRecord(2)] });
      expect(await beta.applyBatch({ completions: [completion('inv-000001', true)] })).toEqual({
        inserted: 0,
        duplicates: 0,
        completed: 0,
        alreadyFinished: [],
        unknown: ['inv-000001'],
      });
      expect(await beta.markAbandoned({ ids: ['inv-000001', 'inv-000002'] })).toBe(0);
      expect(await beta.markAbandoned({ olderThan: at(100) })).toBe(0);
      expect((await alpha.listInvocations()).map((r) => r.status)).toEqual(['pending', 'pending']);
      // The store itself reaches every project.
      expect(await store.applyBatch({ completions: [completion('inv-000001', true, 4)] })).toMatchObject({ completed: 1, unknown: [] });
      expect(await alpha.applyBatch({ completions: [completion('inv-000002', false, 1)] })).toMatchObject({ completed: 1, unknown: [] });
      expect((await alpha.skillStats())[0]).toMatchObject({ invocations: 2, completed: 1, failed: 1, pending: 0 });
      expect(await beta.skillStats()).toEqual([]);
      for (const s of [store, alpha, beta]) await expectAggregatesMatchRows(s);
    });

    it('keeps invocation ids unique across projects: an id stored in another project is a duplicate and changes nothing', async () => {
      const store = await freshProjectStore();
      const alpha = store.forProject('alpha');
      const beta = store.forProject('beta');
      const first = pendingRecord(1, { userQuery: 'alpha text' });
      await alpha.applyBatch({ inserts: [first] });
      const replay = { ...first, skillName: 'other-skill', userQuery: 'beta text' };
      expect(await beta.applyBatch({ inserts: [replay] })).toMatchObject({ inserted: 0, duplicates: 1 });
      expect(await store.applyBatch({ inserts: [{ ...replay, project: 'gamma' }] })).toMatchObject({ inserted: 0, duplicates: 1 });
      expect(await beta.countInvocations()).toBe(0);
      expect(await alpha.getInvocation(first.id)).toEqual(asStored(first, 'alpha'));
      expect((await store.listQueries()).map((q) => q.text)).toEqual(['alpha text']);
      expect(await store.listProjects()).toEqual(['alpha']);
      await expectAggregatesMatchRows(store);
    });

    it('keeps a catalog per project', async () => {
      const store = await freshProjectStore();
      const alpha = store.forProject('alpha');
      const beta = store.forProject('beta');
      await alpha.upsertCatalog([{ skillName: 'builder', description: 'Builds alpha' }]);
      await beta.upsertCatalog([
        { skillName: 'deployer', description: 'Deploys' },
        { skillName: 'builder', description: 'Builds beta', project: 'beta' },
      ]);
      expect(await alpha.listCatalog()).toEqual([{ skillName: 'builder', description: 'Builds alpha', project: 'alpha' }]);
      expect(await beta.listCatalog()).toEqual([
        { skillName: 'builder', description: 'Builds beta', project: 'beta' },
        { skillName: 'deployer', description: 'Deploys', project: 'beta' },
      ]);
      await store.upsertCatalog([
        { skillName: 'linter', description: 'Lints' },
        { skillName: 'linter', description: 'Lints gamma', project: 'gamma' },
      ]);
      // The store lists every project's entries, by project then skill name.
      expect(await store.listCatalog()).toEqual([
        { skillName: 'builder', description: 'Builds alpha', project: 'alpha' },
        { skillName: 'builder', description: 'Builds beta', project: 'beta' },
        { skillName: 'deployer', description: 'Deploys', project: 'beta' },
        { skillName: 'linter', description: 'Lints', project: DEFAULT_PROJECT },
        { skillName: 'linter', description: 'Lints gamma', project: 'gamma' },
      ]);
      const error = await validationError(alpha.upsertCatalog([{ skillName: 'x', description: 'y' }, { skillName: 'z', description: 'w', project: 'beta' }]));
      expect(error.violations.map((v) => v.path)).toEqual(['1.project']);
      expect(await alpha.listCatalog()).toHaveLength(1);
      // A project with catalog entries and no invocation is a project.
      expect(await store.listProjects()).toEqual(['alpha', 'beta', DEFAULT_PROJECT, 'gamma']);
    });

    it('keeps model states per project: the same key in two projects is two states', async () => {
      const store = await freshProjectStore();
      expect(isModelStateStore(store)).toBe(true);
      const models = (project: string) => store.forProject(project) as unknown as ModelStateStore;
      const alpha = models('alpha');
      const beta = models('beta');
      expect(isModelStateStore(alpha)).toBe(true);
      await alpha.putModelState('learned-ranker', { version: 'v1', trainedUpTo: 1, bytes: Uint8Array.of(1) });
      await beta.putModelState('learned-ranker', { version: 'v2', trainedUpTo: 2, bytes: Uint8Array.of(2, 2) });
      expect(await alpha.getModelState('learned-ranker')).toEqual({ version: 'v1', trainedUpTo: 1, bytes: Uint8Array.of(1) });
      expect(await beta.getModelState('learned-ranker')).toEqual({ version: 'v2', trainedUpTo: 2, bytes: Uint8Array.of(2, 2) });
      expect(await models('gamma').getModelState('learned-ranker')).toBeNull();
      // The store's own model states are the default project's.
      const unscoped = store as unknown as ModelStateStore;
      expect(await unscoped.getModelState('learned-ranker')).toBeNull();
      await unscoped.putModelState('learned-ranker', { version: 'v3', trainedUpTo: 3, bytes: Uint8Array.of(3) });
      expect(await models(DEFAULT_PROJECT).getModelState('learned-ranker')).toEqual({ version: 'v3', trainedUpTo: 3, bytes: Uint8Array.of(3) });
      expect(await alpha.getModelState('learned-ranker')).toMatchObject({ version: 'v1' });
      // A model state makes no project.
      expect(await store.listProjects()).toEqual([]);
    });

    it("exports and imports one project's view, and every project through the store (format 3)", async () => {
      const { store, alpha, beta } = await twoProjects();
      await alpha.upsertCatalog([{ skillName: 'builder', description: 'Builds alpha' }]);
      await beta.upsertCatalog([{ skillName: 'builder', description: 'Builds beta' }]);
      const alphaDoc = await alpha.exportAll();
      expect(alphaDoc.version).toBe(EXPORT_FORMAT_VERSION);
      expect(EXPORT_FORMAT_VERSION).toBeGreaterThanOrEqual(3);
      expect(alphaDoc.invocations.map((r) => r.project)).toEqual(ALPHA.map(() => 'alpha'));
      expect(alphaDoc.catalog).toEqual([{ skillName: 'builder', description: 'Builds alpha', project: 'alpha' }]);

      const target = await freshProjectStore();
      const json = (doc: ExportDocument) => JSON.parse(JSON.stringify(doc)) as ExportDocument;
      expect(await target.forProject('alpha').importAll(json(alphaDoc))).toEqual({ imported: ALPHA.length, duplicates: 0 });
      expect({ ...(await target.forProject('alpha').exportAll()), exportedAt: alphaDoc.exportedAt }).toEqual(alphaDoc);
      await expectAggregatesMatchRows(target.forProject('alpha'));

      // Into another project's view: refused by its place, nothing imported.
      const error = await validationError(target.forProject('beta').importAll(json(alphaDoc)));
      expect(error.violations[0]?.path).toBe('invocations.0.project');
      expect(await target.countInvocations()).toBe(ALPHA.length);
      expect(await target.forProject('beta').listCatalog()).toEqual([]);
      const catalogOnly = { ...json(alphaDoc), invocations: [] };
      expect((await validationError(target.forProject('beta').importAll(catalogOnly))).violations[0]?.path).toBe('catalog.0.project');

      // Records and entries with no project go to the importing view's.
      const unnamed = (doc: ExportDocument): ExportDocument => ({
        ...doc,
        invocations: doc.invocations.map(({ project: _, ...r }) => ({ ...r, id: `g-${r.id}` })),
        catalog: doc.catalog.map(({ project: _, ...c }) => c),
      });
      expect(await target.forProject('gamma').importAll(unnamed(alphaDoc))).toEqual({ imported: ALPHA.length, duplicates: 0 });
      expect((await target.forProject('gamma').exportAll()).invocations.map((r) => [r.id, r.project])).toEqual(
        alphaDoc.invocations.map((r) => [`g-${r.id}`, 'gamma']),
      );
      expect(await target.forProject('gamma').listCatalog()).toEqual([{ skillName: 'builder', description: 'Builds alpha', project: 'gamma' }]);

      // The store's export holds every project; importing it keeps each record's and entry's project.
      const allDoc = await store.exportAll();
      expect(allDoc.invocations.map((r) => r.project).sort()).toEqual([...ALPHA.map(() => 'alpha'), ...BETA.map(() => 'beta')]);
      const copy = await freshProjectStore();
      expect(await copy.importAll(json(allDoc))).toEqual({ imported: ALPHA.length + BETA.length, duplicates: 0 });
      expect({ ...(await copy.exportAll()), exportedAt: allDoc.exportedAt }).toEqual(allDoc);
      expect((await copy.forProject('beta').exportAll()).invocations).toEqual((await beta.exportAll()).invocations);
      for (const s of [copy, copy.forProject('alpha'), copy.forProject('beta')]) await expectAggregatesMatchRows(s);
      // An older document names no project: it goes to default through the store.
      expect(await copy.importAll({ ...unnamed(alphaDoc), version: 2 })).toEqual({ imported: ALPHA.length, duplicates: 0 });
      expect(await copy.forProject(DEFAULT_PROJECT).countInvocations()).toBe(ALPHA.length);
      expect(await copy.listProjects()).toEqual(['alpha', 'beta', DEFAULT_PROJECT]);
    });

    it("follows one project's counts with its cursor, whatever other projects write or prune", async () => {
      const store = await freshProjectStore();
      const alpha = store.forProject('alpha');
      const beta = store.forProject('beta');
      await alpha.applyBatch({ inserts: [pendingRecord(1, { userQuery: 'shared' }), pendingRecord(2, { userQuery: 'alpha only' })] });
      await beta.applyBatch({ inserts: [pendingRecord(3, { userQuery: 'shared' }), pendingRecord(4, { userQuery: 'beta only' })] });
      const follower = new Follower();
      await follower.follow(alpha);
      expect(follower.usage()).toEqual(usage(await alpha.listQuerySkillCounts()));
      expect((await alpha.listQuerySkillCounts()).map((c) => c.invocations)).toEqual([1, 1]);

      // Beta's inserts change nothing alpha reads: its cursor reports no change.
      await beta.applyBatch({ inserts: [pendingRecord(5, { userQuery: 'shared' }), pendingRecord(6, { userQuery: 'beta later' })] });
      const mine = usage(await alpha.listQuerySkillCounts());
      expect(await alpha.querySkillCountsSince(follower.cursor)).toMatchObject({ complete: false, queryIds: [], counts: [] });
      await follower.follow(alpha);
      expect(follower.usage()).toEqual(mine);

      await alpha.applyBatch({ inserts: [pendingRecord(7, { userQuery: 'shared' })] });
      await follower.follow(alpha);
      expect(follower.usage()).toEqual(usage(await alpha.listQuerySkillCounts()));

      // A prune in another project, then as many new rows there as it deleted.
      expect(await beta.prune(at(100))).toBe(4);
      await beta.applyBatch({ inserts: Array.from({ length: 4 }, (_, i) => pendingRecord(200 + i, { userQuery: 'shared' })) });
      await follower.follow(alpha);
      expect(follower.usage()).toEqual(usage(await alpha.listQuerySkillCounts()));

      // Random writes by both projects through two connections; the follower of alpha stays exact.
      const other = await another(store);
      const views = [alpha, beta, (other as ProjectStore).forProject('alpha'), (other as ProjectStore).forProject('beta')];
      const rand = seededRandom(23);
      let n = 1000;
      const ids: string[] = [];
      for (let step = 0; step < 80; step++) {
        const writer = views[Math.floor(rand() * views.length)]!;
        const roll = rand();
        if (roll < 0.7) {
          const inserts = Array.from({ length: 1 + Math.floor(rand() * 4) }, () =>
            pendingRecord(++n, { userQuery: `query ${Math.floor(rand() * 12)}`, skillName: `skill-${Math.floor(rand() * 3)}` }),
          );
          ids.push(...inserts.map((r) => r.id));
          await writer.applyBatch({ inserts });
        } else if (roll < 0.9 && ids.length > 0) {
          await writer.applyBatch({ completions: [completion(ids[Math.floor(rand() * ids.length)]!, rand() < 0.5)] });
        } else {
          await writer.prune(at(1000 + Math.floor(rand() * (n - 1000))));
        }
        if (rand() < 0.5) {
          await follower.follow(alpha);
          expect(follower.usage(), `step ${step}`).toEqual(usage(await alpha.listQuerySkillCounts()));
          expect(follower.untexted(), `step ${step}`).toEqual([]);
        }
      }
      for (const s of [store, alpha, beta]) await expectAggregatesMatchRows(s);
    });

    it("gives a project's first use of a text another project stored a new query id, so a follower of its texts and counts sees every text it counts", async () => {
      const store = await freshProjectStore();
      const alpha = store.forProject('alpha');
      const beta = store.forProject('beta');
      await alpha.applyBatch({ inserts: [pendingRecord(1, { userQuery: 'text t' })] });
      await beta.applyBatch({ inserts: [pendingRecord(2, { userQuery: 'text u' })] });
      const follower = new Follower();
      await follower.follow(beta);
      expect([...follower.texts.values()]).toEqual(['text u']);
      const seen = follower.watermark;

      // Beta now uses alpha's text: a query of beta's own, above every id beta's reader saw.
      await beta.applyBatch({ inserts: [pendingRecord(3, { userQuery: '  text   t ' }), pendingRecord(4, { userQuery: 'text t' })] });
      await follower.follow(beta);
      expect(follower.untexted()).toEqual([]);
      expect([...follower.texts.values()]).toEqual(['text u', 'text t']);
      const betaT = (await beta.listQueries()).find((q) => q.text === 'text t')!.id;
      expect(betaT).toBeGreaterThan(seen);
      expect(follower.usage()).toEqual(usage(await beta.listQuerySkillCounts()));
      expect(follower.usage()).toContain(`${betaT}/code-reviewer/2`);
      const alphaT = (await alpha.listQueries()).map((q) => q.id);
      expect(alphaT).not.toContain(betaT);
      expect(usage(await alpha.listQuerySkillCounts())).toEqual([`${alphaT[0]}/code-reviewer/1`]);
      // Alpha's vector of the text is not beta's: vectors are kept by query id.
      await store.putEmbeddings('lexical', new Map([[alphaT[0]!, Uint8Array.of(1)]]));
      expect([...(await beta.getEmbeddings('lexical')).keys()]).toEqual([]);

      // Once pruned from beta, the text stays alpha's; beta's next use is a newer query again.
      expect(await beta.prune(at(100))).toBe(3);
      expect((await alpha.listQueries()).map((q) => q.id)).toEqual(alphaT);
      expect((await store.listQueries()).map((q) => q.text)).toEqual(['text t']);
      await beta.applyBatch({ inserts: [pendingRecord(5, { userQuery: 'text t' })] });
      const again = (await beta.listQueries()).map((q) => q.id);
      expect(again).toHaveLength(1);
      expect(again[0]).toBeGreaterThan(betaT);
      await follower.follow(beta);
      expect(follower.untexted()).toEqual([]);
      for (const s of [store, alpha, beta]) await expectAggregatesMatchRows(s);
    });

    it('offers on a view the capabilities of the store, sharing its connection: closing a view does nothing, closing the store ends every view', async () => {
      const store = await freshProjectStore();
      const alpha = store.forProject('alpha');
      expect(isChangeFeedStore(alpha)).toBe(isChangeFeedStore(store));
      expect(isModelStateStore(alpha)).toBe(isModelStateStore(store));
      expect(isSyncWritable(alpha)).toBe(isSyncWritable(store));
      expect(isMaintainable(alpha)).toBe(isMaintainable(store));
      if (isSyncWritable(alpha)) {
        expect(alpha.applyBatchSync({ inserts: [pendingRecord(1)] })).toMatchObject({ inserted: 1 });
        expect(await store.getInvocation('inv-000001')).toMatchObject({ project: 'alpha' });
        expect(() => alpha.applyBatchSync({ inserts: [pendingRecord(2, { project: 'beta' })] })).toThrow(ValidationError);
      }
      if (isChangeFeedStore(alpha)) {
        let signals = 0;
        const unsubscribe = alpha.watchChanges(() => signals++);
        await alpha.applyBatch({ inserts: [pendingRecord(3)] });
        await vi.waitFor(() => expect(signals).toBeGreaterThan(0), { timeout: 5000, interval: 20 });
        unsubscribe();
      }
      await alpha.close();
      expect(await store.forProject('alpha').countInvocations()).toBe(isSyncWritable(alpha) ? 2 : 1);
      expect(await alpha.countInvocations()).toBe(isSyncWritable(alpha) ? 2 : 1);
      await store.close();
      await expect(alpha.countInvocations()).rejects.toThrow(/closed/);
      await expect(alpha.applyBatch({ inserts: [pendingRecord(4)] })).rejects.toThrow(/closed/);
    });
  });

  describe('shown scores (alternativeScores)', () => {
    it('keeps the scores given with the alternatives, and reads none back where none were given', async () => {
      const store = await freshProjectStore();
      const scored = pendingRecord(1, { alternativesConsidered: ['linter', 'builder'], alternativeScores: [0.91, -0.5], selectionRank: 2 });
      const unscored = pendingRecord(2, { alternativesConsidered: ['linter'] });
      const empty = pendingRecord(3, { alternativesConsidered: ['linter'], alternativeScores: [] });
      await store.applyBatch({ inserts: [scored, unscored, empty] });
      expect(await store.getInvocation(scored.id)).toEqual(asStored(scored));
      expect((await store.getInvocation(scored.id))?.alternativeScores).toEqual([0.91, -0.5]);
      for (const id of [unscored.id, empty.id]) expect(Object.keys((await store.getInvocation(id))!)).not.toContain('alternativeScores');
      const doc = await store.exportAll();
      expect(doc.invocations.map((r) => r.alternativeScores)).toEqual([[0.91, -0.5], undefined, undefined]);
      const copy = await freshProjectStore();
      await copy.importAll(JSON.parse(JSON.stringify(doc)) as ExportDocument);
      expect(await copy.getInvocation(scored.id)).toEqual(asStored(scored));
      expect((await copy.listInvocations()).map((r) => Object.keys(r).includes('alternativeScores'))).toEqual([false, false, true]);
    });

    it('refuses scores that do not pair with the alternatives, or are not finite numbers, naming the field, and writes nothing', async () => {
      const store = await freshProjectStore();
      const bad: Array<[Partial<InvocationRecord>, string]> = [
        [{ alternativesConsidered: ['linter', 'builder'], alternativeScores: [0.5] }, 'inserts.1.alternativeScores'],
        [{ alternativesConsidered: [], alternativeScores: [0.5] }, 'inserts.1.alternativeScores'],
        [{ alternativesConsidered: ['linter'], alternativeScores: [Number.NaN] }, 'inserts.1.alternativeScores.0'],
        [{ alternativesConsidered: ['linter'], alternativeScores: [Number.POSITIVE_INFINITY] }, 'inserts.1.alternativeScores.0'],
        [{ alternativesConsidered: ['linter'], alternativeScores: ['0.5'] as unknown as number[] }, 'inserts.1.alternativeScores.0'],
        [{ alternativesConsidered: ['linter'], alternativeScores: 0.5 as unknown as number[] }, 'inserts.1.alternativeScores'],
      ];
      for (const [overrides, path] of bad) {
        const error = await validationError(store.applyBatch({ inserts: [pendingRecord(1), pendingRecord(2, overrides)] }));
        expect(error.violations.map((v) => v.path), path).toEqual([path]);
      }
      expect(await store.countInvocations()).toBe(0);
      expect(await store.listQueries()).toEqual([]);
    });
  });
}
