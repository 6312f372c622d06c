import { formatDuration, LIMITS, type Recommendation } from '@skills/protocol';
import { intOption, stringOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { openService, printJson, using } from '../cli/context.js';
import { fixed, percent, table } from '../cli/format.js';

/** The recommendations table every command prints (recommend, demo). */
export function recommendationTable(recommendations: readonly Recommendation[]): string {
  if (recommendations.length === 0) return '(no skill is similar enough to this query yet)';
  return table(recommendations, [
    { header: '#', value: (r) => String(recommendations.indexOf(r) + 1), align: 'right' },
    { header: 'skill', value: (r) => r.skillName },
    { header: 'similarity', value: (r) => fixed(r.similarityScore), align: 'right' },
    { header: 'success', value: (r) => percent(r.successRate), align: 'right' },
    { header: 'mean time', value: (r) => formatDuration(r.durationSeconds), align: 'right' },
    { header: 'best phase', value: (r) => r.workflowPhase ?? '-' },
    { header: 'uses', value: (r) => String(r.invocationCount), align: 'right' },
    { header: 'reason', value: (r) => r.reason, maxWidth: 70 },
  ]);
}

export async function run(ctx: CommandContext): Promise<number> {
  const userQuery = ctx.positionals[0]!;
  const workflowPhase = stringOption(ctx.values, 'phase');
  const limit = intOption(ctx.values, 'limit', 1, LIMITS.maxRecommendations);
  const recommendations = await using(openService(ctx, { create: false }), (service) =>
    service.recommend({ userQuery, ...(workflowPhase ? { workflowPhase } : {}), ...(limit ? { limit } : {}) }),
  );
  if (ctx.json) printJson(ctx, recommendations);
  else println(ctx.io.stdout, recommendationTable(recommendations));
  return 0;
}
