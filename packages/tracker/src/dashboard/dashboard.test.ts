import { join } from 'node:path';
import { APPROXIMATE_PERCENTILE_ERROR, silentLogger, ValidationError, type InvocationRecord } from '@skills/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { SkillsService } from '../service.js';
import { loadSettings } from '../settings/index.js';
import { tempDir } from '../test-support/temp.js';
import { Dashboard } from './dashboard.js';

let service: SkillsService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function open(): Promise<SkillsService> {
  const dir = tempDir('skills-dashboard-');
  const { settings } = loadSettings({ cwd: dir, env: {}, overrides: { dbPath: join(dir, 'skills.db') } });
  service = await SkillsService.open({ settings, logger: silentLogger });
  return service;
}

function record(n: number, skillName: string, status: 'completed' | 'failed' | 'pending', fields: Partial<InvocationRecord> = {}): InvocationRecord {
  // Numbers from 20 on were invoked within the active window (the last hour), the others before.
  const invokedAt = new Date(Date.now() - (n >= 20 ? 25 - n : 180 - n) * 60_000).toISOString();
  return {
    id: `inv-${n}`,
    skillName,
    sessionId: `session-${n % 3}`,
    invokedAt,
    status,
    completed: status === 'completed',
    completedAt: status === 'pending' ? null : invokedAt,
    durationSeconds: status === 'pending' ? null : n,
    userQuery: `query about ${skillName} ${n}`,
    workflowPhase: n % 2 ? 'review' : null,
    alternativesConsidered: [],
    selectionRank: (n % 2) + 1,
    followUpActions: [],
    errorType: status === 'failed' ? 'Timeout' : null,
    ...fields,
  };
}

describe('Dashboard', () => {
  it('adds the totals up from the store, with Wilson intervals, and lays out the heat map columns', async () => {
    const s = await open();
    await s.apply({
      inserts: [
        ...Array.from({ length: 8 }, (_, i) => record(i, 'code-reviewer', i < 6 ? 'completed' : 'failed')),
        record(20, 'test-runner', 'pending', { workflowPhase: 'planning' }),
        record(21, 'test-runner', 'completed', { workflowPhase: 'planning' }),
      ],
    });
    const overview = await Dashboard.of(s).overview('hour');
    expect(overview.totals).toMatchObject({ invocations: 10, completed: 7, failed: 2, pending: 1, skills: 2, sessions: 3, activeSessions: 2 });
    expect(overview.totals.successRate).toBeCloseTo(7 / 9);
    const reviewer = overview.skills.find((x) => x.skillName === 'code-reviewer')!;
    // 6 of 8: the 95% Wilson interval is about 0.41 to 0.93.
    expect(reviewer.successInterval!.low).toBeCloseTo(0.4093, 3);
    expect(reviewer.successInterval!.high).toBeCloseTo(0.9285, 3);
    const skills = overview.skills.map(({ successInterval, ...stats }) => stats);
    expect(skills).toEqual(await s.store.skillStats(undefined, { approximatePercentiles: true }));
    // The percentiles within the stated error of the exact ones, the rest equal.
    const { relative, absoluteSeconds } = APPROXIMATE_PERCENTILE_ERROR;
    for (const [i, { p50DurationSeconds: p50, p95DurationSeconds: p95, ...exact }] of (await s.store.skillStats()).entries()) {
      const { p50DurationSeconds, p95DurationSeconds, ...rest } = skills[i]!;
      expect(rest).toEqual(exact);
      expect(Math.abs(p50DurationSeconds! - p50!)).toBeLessThanOrEqual(p50! * relative + absoluteSeconds);
      expect(Math.abs(p95DurationSeconds! - p95!)).toBeLessThanOrEqual(p95! * relative + absoluteSeconds);
    }
    // review (4 uses) before planning (2), then "no phase".
    expect(overview.phases).toEqual(['review', 'planning', null]);
    expect(overview.heatmap.map(({ successInterval, ...cell }) => cell)).toEqual(await s.store.phaseStats(undefined, { percentiles: false }));
    expect(overview.activity.points.reduce((n, p) => n + p.invocations, 0)).toBe(10);
  });

  it('shows a new invocation at once on a small store', async () => {
    const s = await open();
    const dashboard = Dashboard.of(s);
    expect((await dashboard.overview()).totals.invocations).toBe(0);
    await s.apply({ inserts: [record(1, 'debugger', 'completed')] });
    expect((await dashboard.overview()).totals.invocations).toBe(1);
  });

  it("gives a skill's page, first-choice rate included, and null for a skill never used", async () => {
    const s = await open();
    const sources = ['ai-sdk', 'claude-code', 'ai-sdk', null, 'ai-sdk'];
    await s.apply({ inserts: Array.from({ length: 5 }, (_, i) => record(i, 'debugger', i === 0 ? 'failed' : 'completed', { source: sources[i] })) });
    const dashboard = Dashboard.of(s);
    const page = await dashboard.skill('debugger');
    expect(page?.skill.invocations).toBe(5);
    // Ranks 1, 2, 1, 2, 1.
    expect(page?.firstChoiceRate).toBeCloseTo(3 / 5);
    expect(page?.profile.errorTypes).toEqual([{ value: 'Timeout', count: 1 }]);
    expect(page?.profile.sources).toEqual([
      { source: 'ai-sdk', count: 3 },
      { source: 'claude-code', count: 1 },
      { source: null, count: 1 },
    ]);
    expect(await dashboard.skill('nobody')).toBeNull();
    await expect(dashboard.skill('')).rejects.toBeInstanceOf(ValidationError);
  });

  it('recommends exactly as the service does, and names a bad field', async () => {
    const s = await open();
    await s.apply({ inserts: Array.from({ length: 4 }, (_, i) => record(i, 'debugger', 'completed')) });
    const dashboard = Dashboard.of(s);
    const answer = await dashboard.recommend({ userQuery: 'query about debugger', limit: 3 });
    expect(answer.recommendations).toEqual(await s.recommend({ userQuery: 'query about debugger', limit: 3 }));
    await expect(dashboard.recommend({ userQuery: 'x', limit: 0 })).rejects.toThrow(/limit/);
  });

  it("shows one project's figures through its service, and every project's through ofAllProjects, which recommends nothing", async () => {
    const s = await open();
    const alpha = s.forProject('alpha');
    const beta = s.forProject('beta');
    await alpha.apply({ inserts: Array.from({ length: 3 }, (_, i) => record(i, 'alpha-skill', 'completed', { id: `a-${i}` })) });
    await beta.apply({ inserts: [record(20, 'beta-skill', 'failed', { id: 'b-0' })] });
    const names = (o: { skills: readonly { skillName: string }[] }) => o.skills.map((x) => x.skillName);
    expect(names(await Dashboard.of(alpha).overview())).toEqual(['alpha-skill']);
    expect(await Dashboard.of(alpha).skill('beta-skill')).toBeNull();
    const all = Dashboard.ofAllProjects(s);
    const overview = await all.overview();
    expect(names(overview).sort()).toEqual(['alpha-skill', 'beta-skill']);
    expect(overview.totals).toMatchObject({ invocations: 4, completed: 3, failed: 1 });
    expect((await all.skill('beta-skill'))?.skill.invocations).toBe(1);
    await expect(all.recommend({ userQuery: 'query about alpha-skill' })).rejects.toThrow("recommendations come from one project's history: choose a project");
  });
});
