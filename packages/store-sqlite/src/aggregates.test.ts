import fc from 'fast-check';
import type { InvocationRecord, InvocationStatus } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { at, completion, finishedRecord, pendingRecord } from '@skills/store-contract';
import { openSqliteStore } from './index.js';
import { NO_AGGREGATES, recountAggregates } from './test-support/recount.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

// What markAbandoned and prune do is the store contract's (contract.test.ts). Here, a random mix of
// every write (fast-check shrinks a failure); afterwards the stored aggregate tables must equal a
// recount from the rows in plain SQL, and the rows must match a plain model of the semantics.
describe('aggregates under any sequence of writes', () => {
  const skills = ['alpha', 'beta', 'gamma'];
  const phases = ['plan', 'build', null];
  const texts = ['fix the build', 'review my change', 'run the tests', null];
  const sessions = ['session-1', 'session-2', 'session-3'];
  const projects = [undefined, 'other'];
  // Few ids, so that completions and abandonment often reach a stored pending row.
  const IDS = 24;
  // Seconds: whole milliseconds as hooks report them, and any double up to the 30-day limit
  // (sub-microsecond ones, powers of two and their neighbours: the edges of the duration bins).
  const durationArb = fc.option(
    fc.oneof(
      fc.integer({ min: 0, max: 100_000 }).map((ms) => ms / 1000),
      fc.double({ min: 0, max: 2_592_000, noNaN: true }),
      fc.integer({ min: 7, max: 41 }).chain((e) => fc.integer({ min: -1, max: 1 }).map((d) => (2 ** e + d) / 1_000_000)),
    ),
  );

  const recordArb = fc
    .record({
      // Minutes: the records span two hours of the activity rollup and more.
      n: fc.integer({ min: 0, max: 150 }),
      skill: fc.constantFrom(...skills),
      phase: fc.constantFrom(...phases),
      text: fc.constantFrom(...texts),
      session: fc.constantFrom(...sessions),
      project: fc.constantFrom(...projects),
      status: fc.constantFrom<InvocationStatus>('pending', 'pending', 'completed', 'failed', 'abandoned'),
      duration: durationArb,
    })
    .map(({ n, skill, phase, text, session, project, status, duration }) => {
      const overrides = { id: `id-${n % IDS}`, skillName: skill, workflowPhase: phase, userQuery: text, sessionId: session, ...(project ? { project } : {}) };
      return status === 'pending' ? pendingRecord(n, overrides) : finishedRecord(n, status, duration, overrides);
    });
  const idArb = fc.integer({ min: 0, max: IDS + 1 }).map((n) => `id-${n}`);
  const minuteArb = fc.integer({ min: 0, max: 152 });
  const opArb = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), records: fc.array(recordArb, { maxLength: 6 }) }),
    fc.record({
      kind: fc.constant('complete' as const),
      ids: fc.array(idArb, { maxLength: 4 }),
      completed: fc.boolean(),
      duration: durationArb,
    }),
    fc.record({ kind: fc.constant('abandonIds' as const), ids: fc.array(idArb, { maxLength: 4 }) }),
    fc.record({ kind: fc.constant('abandonOlder' as const), minute: minuteArb }),
    fc.record({ kind: fc.constant('prune' as const), minute: minuteArb }),
    fc.record({ kind: fc.constant('import' as const), records: fc.array(recordArb, { maxLength: 6 }) }),
  );

  it('keeps the aggregates and the rollups equal to a recount from the rows', async () => {
    // One file for every run (creating one costs more than a run): pruning everything resets it.
    const s = await openSqliteStore({ path: tmp.path('property.db') });
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        await s.prune('9999-12-31T23:59:59.999Z');
        expect(recountAggregates(s.location).stored).toEqual(NO_AGGREGATES);
        const model = new Map<string, InvocationRecord>();
        for (const op of ops) {
          switch (op.kind) {
            case 'insert':
            case 'import': {
              if (op.kind === 'insert') await s.applyBatch({ inserts: op.records });
              else await s.importAll({ format: 'skills-export', version: 1, exportedAt: at(0), invocations: op.records, catalog: [] });
              for (const r of op.records) if (!model.has(r.id)) model.set(r.id, r);
              break;
            }
            case 'complete': {
              const result = await s.applyBatch({ completions: op.ids.map((id) => completion(id, op.completed, op.duration)) });
              let completed = 0;
              for (const id of op.ids) {
                const r = model.get(id);
                if (r?.status !== 'pending') continue;
                model.set(id, { ...r, status: op.completed ? 'completed' : 'failed' });
                completed++;
              }
              expect(result.completed).toBe(completed);
              break;
            }
            case 'abandonIds':
            case 'abandonOlder': {
              const target = op.kind === 'abandonIds' ? { ids: op.ids } : { olderThan: at(op.minute) };
              let expected = 0;
              for (const [id, r] of model) {
                const hit = op.kind === 'abandonIds' ? op.ids.includes(id) : r.invokedAt < at(op.minute);
                if (hit && r.status === 'pending') {
                  model.set(id, { ...r, status: 'abandoned' });
                  expected++;
                }
              }
              expect(await s.markAbandoned(target)).toBe(expected);
              break;
            }
            case 'prune': {
              let expected = 0;
              for (const [id, r] of model) {
                if (r.invokedAt < at(op.minute)) {
                  model.delete(id);
                  expected++;
                }
              }
              expect(await s.prune(at(op.minute))).toBe(expected);
              break;
            }
          }
        }
        const { stored, recounted } = recountAggregates(s.location);
        expect(stored).toEqual(recounted);
        const rows = (await s.exportAll()).invocations;
        expect(rows.map((r) => [r.id, r.status]).sort()).toEqual([...model.values()].map((r) => [r.id, r.status]).sort());
        expect(await s.countInvocations()).toBe(model.size);
      }),
      { numRuns: 40 },
    );
    await s.close();
  });
});
