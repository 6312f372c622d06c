// The direct tracker's hot path checks plain inputs by hand and leaves every other input to the
// protocol's schemas: whatever the input, the outcome must be the schemas' (same error, same
// stored fields). Checked here, through the tracker's public API, against the schemas directly.
import {
  CompleteInvocationInputSchema,
  parseOrThrow,
  seededRandom,
  TrackInvocationInputSchema,
  ValidationError,
  type Completion,
  type InvocationRecord,
  type SkillsStore,
  type WriteBatch,
} from '@skills/protocol';
import { DirectTracker, loadSettings, SkillsService } from '@skills/tracker';
import { describe, expect, it } from 'vitest';

/** A store that keeps what it is given. */
function captureStore() {
  const inserts: InvocationRecord[] = [];
  const completions: Completion[] = [];
  const store = {
    location: 'memory',
    async applyBatch(batch: WriteBatch) {
      inserts.push(...(batch.inserts ?? []));
      completions.push(...(batch.completions ?? []));
      return { inserted: batch.inserts?.length ?? 0, duplicates: 0, completed: batch.completions?.length ?? 0, alreadyFinished: [], unknown: [] };
    },
    async markAbandoned() {
      return 0;
    },
    async close() {},
  };
  return { store: store as unknown as SkillsStore, inserts, completions };
}

async function openTracker() {
  const capture = captureStore();
  const { settings } = loadSettings({ env: {}, overrides: { backend: 'direct', redactSecrets: false } });
  const service = await SkillsService.open({ settings, store: capture.store });
  return { tracker: new DirectTracker(service, { sessionId: 's' }), ...capture };
}

const NAMES = ['code-reviewer', ' padded', 'padded ', '', ' ', 'x'.repeat(200), 'x'.repeat(201), 'é-skill', '\u00a0nbsp', 'tab\t', 'ok'];
const QUERIES = ['review my pull request', '  spaced  ', '', ' ', 'q'.repeat(8000), 'q'.repeat(8001), 'ends with é', '\u2028line'];

function randomInput(rand: () => number): unknown {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const input: Record<string, unknown> = {};
  if (rand() < 0.95) input.skillName = rand() < 0.9 ? pick(NAMES) : pick([1, null, undefined, {}]);
  if (rand() < 0.6) input.userQuery = rand() < 0.9 ? pick(QUERIES) : pick([3, null]);
  if (rand() < 0.5) input.workflowPhase = pick([...NAMES, undefined]);
  if (rand() < 0.4) input.alternativesConsidered = rand() < 0.8 ? Array.from({ length: Math.floor(rand() * 4) }, () => pick(NAMES)) : pick(['x', Array(51).fill('a')]);
  if (rand() < 0.4) input.selectionRank = pick([1, 2, 1000, 1001, 0, -1, 1.5, Number.NaN, '1', undefined]);
  if (rand() < 0.05) input.unexpected = true;
  return input;
}

function randomResult(rand: () => number): unknown {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  if (rand() < 0.2) return undefined;
  const result: Record<string, unknown> = {};
  if (rand() < 0.7) result.completed = pick([true, false, 'yes', undefined]);
  if (rand() < 0.3) result.followUpActions = pick([[], ['git commit'], [' padded'], [''], 'x']);
  if (rand() < 0.3) result.errorType = pick(['TimeoutError', ' padded', '', null, undefined]);
  if (rand() < 0.05) result.other = 1;
  return result;
}

function outcome(fn: () => unknown): { error: string } | { value: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { error: error.message };
  }
}

describe("the direct tracker's hot path", () => {
  it('accepts, normalises and refuses exactly what the protocol schemas do', async () => {
    const { tracker, inserts, completions } = await openTracker();
    const rand = seededRandom(99);
    let stored = 0;
    let finished = 0;
    for (let i = 0; i < 3000; i++) {
      const input = randomInput(rand);
      const expected = outcome(() => parseOrThrow(TrackInvocationInputSchema, input, 'trackInvocation input'));
      const actual = outcome(() => tracker.trackInvocation(input as never));
      if ('error' in expected) {
        expect(actual).toEqual(expected);
        continue;
      }
      expect('value' in actual).toBe(true);
      await tracker.flush();
      const valid = expected.value as ReturnType<typeof TrackInvocationInputSchema.parse>;
      expect(inserts[stored++]).toMatchObject({
        skillName: valid.skillName,
        userQuery: valid.userQuery || null,
        workflowPhase: valid.workflowPhase ?? null,
        alternativesConsidered: valid.alternativesConsidered ?? [],
        selectionRank: valid.selectionRank ?? null,
      });
      const done = (actual as { value: (r?: unknown) => void }).value;
      const result = randomResult(rand);
      const expectedDone = outcome(() => parseOrThrow(CompleteInvocationInputSchema, result ?? {}, 'completer input'));
      expect(outcome(() => done(result as never))).toEqual('error' in expectedDone ? expectedDone : { value: undefined });
      if ('error' in expectedDone) continue;
      await tracker.flush();
      const ended = expectedDone.value as ReturnType<typeof CompleteInvocationInputSchema.parse>;
      expect(completions[finished++]).toMatchObject({
        completed: ended.completed,
        followUpActions: ended.followUpActions ?? [],
        errorType: ended.errorType ?? null,
      });
    }
    expect(stored).toBeGreaterThan(300);
    expect(finished).toBeGreaterThan(100);
    await tracker.close();
  });

  it('copies the lists it is given: a host reusing its array changes nothing stored', async () => {
    const { tracker, inserts, completions } = await openTracker();
    const alternatives = ['linter'];
    const followUps = ['git commit'];
    const done = tracker.trackInvocation({ skillName: 'code-reviewer', alternativesConsidered: alternatives })!;
    done({ followUpActions: followUps });
    alternatives.push('');
    followUps.length = 0;
    await tracker.flush();
    expect(inserts[0]?.alternativesConsidered).toEqual(['linter']);
    expect(completions[0]?.followUpActions).toEqual(['git commit']);
    await tracker.close();
  });

  it('makes UUIDv7 ids in the protocol’s form, distinct and ordered by time', async () => {
    const { tracker } = await openTracker();
    const ids = Array.from({ length: 5000 }, () => tracker.trackInvocation({ skillName: 'a' })!.invocationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = (id: string) => Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(Math.abs(ms(ids[0]!) - Date.now())).toBeLessThan(60_000);
    for (let i = 1; i < ids.length; i++) expect(ms(ids[i]!)).toBeGreaterThanOrEqual(ms(ids[i - 1]!));
    await tracker.close();
  });
});
