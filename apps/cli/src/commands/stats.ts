import { formatDuration, type InvocationFilter, type SkillStats } from '@skills/protocol';
import { durationOption, stringOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { openStore, printJson, using } from '../cli/context.js';
import { percent, plural, shortInstant, table, type Column } from '../cli/format.js';

const counts: Column<SkillStats>[] = [
  { header: 'uses', value: (s) => String(s.invocations), align: 'right' },
  { header: 'ok', value: (s) => String(s.completed), align: 'right' },
  { header: 'failed', value: (s) => String(s.failed), align: 'right' },
  { header: 'abandoned', value: (s) => String(s.abandoned), align: 'right' },
  { header: 'pending', value: (s) => String(s.pending), align: 'right' },
  // Raw, unlike the smoothed rate `recommend` shows: the header says which.
  { header: 'raw success', value: (s) => percent(s.successRate), align: 'right' },
  { header: 'mean', value: (s) => formatDuration(s.meanDurationSeconds), align: 'right' },
  { header: 'p50', value: (s) => formatDuration(s.p50DurationSeconds), align: 'right' },
  { header: 'p95', value: (s) => formatDuration(s.p95DurationSeconds), align: 'right' },
];

export async function run(ctx: CommandContext): Promise<number> {
  const skillName = stringOption(ctx.values, 'skill');
  const workflowPhase = stringOption(ctx.values, 'phase');
  const sinceSeconds = durationOption(ctx.values, 'since');
  const filter: InvocationFilter = {
    ...(skillName ? { skillName } : {}),
    ...(workflowPhase ? { workflowPhase } : {}),
    ...(sinceSeconds ? { since: new Date(Date.now() - sinceSeconds * 1000).toISOString() } : {}),
  };
  const { skills, phases, project } = await using(openStore(ctx, { readonly: true }), async ({ store, project }) => ({
    project,
    skills: await store.skillStats(filter),
    phases: await store.phaseStats(filter),
  }));
  if (ctx.json) {
    printJson(ctx, { project, filter, skills, phases });
    return 0;
  }
  const out = ctx.io.stdout;
  if (skills.length === 0) {
    println(out, 'No invocations match.');
    return 0;
  }
  const total = skills.reduce((n, s) => n + s.invocations, 0);
  const scope = project === null ? 'all projects' : `project ${project}`;
  println(out, `Per skill (${scope}: ${plural(skills.length, 'skill')}, ${plural(total, 'invocation')}):`);
  println(out, table(skills, [{ header: 'skill', value: (s) => s.skillName }, ...counts, { header: 'last used', value: (s) => shortInstant(s.lastUsed) }]));
  println(out);
  println(out, 'Per skill and phase:');
  println(
    out,
    table(phases, [
      { header: 'skill', value: (s) => s.skillName },
      { header: 'phase', value: (s) => s.workflowPhase ?? '(none)' },
      ...counts.filter((c) => c.header !== 'p50' && c.header !== 'pending'),
    ]),
  );
  return 0;
}
