import { InvocationStatusSchema, type InvocationStatus, type SkillsStore } from '@skills/protocol';
import { projectCounts } from '../cli/project-counts.js';

const STATUSES: readonly InvocationStatus[] = InvocationStatusSchema.options;

/** How many invocations a store holds, in all, by project, by status, and by skill and status. */
export interface StoreCounts {
  readonly invocations: number;
  /** A copy keeps each record's project: the counts per project must match too. */
  readonly byProject: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<InvocationStatus, number>>;
  readonly bySkill: Readonly<Record<string, Readonly<Record<InvocationStatus, number>>>>;
}

/** One count that differs: `what` names it (`completed`, or `skill code-reviewer, failed`). */
export interface CountDifference {
  readonly what: string;
  readonly source: number;
  readonly target: number;
}

/** The counts of a store: by status from its records, by skill from its statistics. */
export async function countsOf(store: SkillsStore): Promise<StoreCounts> {
  const byStatus = Object.fromEntries(
    await Promise.all(STATUSES.map(async (status) => [status, await store.countInvocations({ status })] as const)),
  ) as Record<InvocationStatus, number>;
  // No prototype: a skill may be called `__proto__`.
  const bySkill = Object.create(null) as Record<string, Record<InvocationStatus, number>>;
  for (const s of await store.skillStats(undefined, { percentiles: false })) {
    bySkill[s.skillName] = { pending: s.pending, completed: s.completed, failed: s.failed, abandoned: s.abandoned };
  }
  const byProject = Object.fromEntries((await projectCounts(store)).map((p) => [p.project, p.invocations]));
  return { invocations: await store.countInvocations(), byProject, byStatus, bySkill };
}

/** Every count that is not the same in both: by project, by status, then by skill (sorted by name). */
export function differences(source: StoreCounts, target: StoreCounts): CountDifference[] {
  const out: CountDifference[] = [];
  const compare = (what: string, a: number, b: number) => void (a !== b && out.push({ what, source: a, target: b }));
  compare('invocations', source.invocations, target.invocations);
  const projects = [...new Set([...Object.keys(source.byProject), ...Object.keys(target.byProject)])].sort();
  for (const project of projects) compare(`project ${project}`, source.byProject[project] ?? 0, target.byProject[project] ?? 0);
  for (const status of STATUSES) compare(status, source.byStatus[status], target.byStatus[status]);
  const skills = [...new Set([...Object.keys(source.bySkill), ...Object.keys(target.bySkill)])].sort();
  for (const skill of skills) {
    for (const status of STATUSES) compare(`skill ${skill}, ${status}`, source.bySkill[skill]?.[status] ?? 0, target.bySkill[skill]?.[status] ?? 0);
  }
  return out;
}

/** The differences as one line: `completed: 3 in the source, 2 in the target; ...`. */
export function describeDifferences(list: readonly CountDifference[]): string {
  return list.map((d) => `${d.what}: ${d.source} in the source, ${d.target} in the target`).join('; ');
}
