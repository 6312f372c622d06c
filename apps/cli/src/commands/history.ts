import { DEFAULT_PROJECT, formatDuration, type InvocationFilter, type InvocationRecord } from '@skills/protocol';
import { intOption, stringOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { openStore, printJson, using } from '../cli/context.js';
import { shortInstant, table } from '../cli/format.js';

export async function run(ctx: CommandContext): Promise<number> {
  const sessionId = stringOption(ctx.values, 'session');
  const skillName = stringOption(ctx.values, 'skill');
  const limit = intOption(ctx.values, 'limit', 1, 100_000) ?? 20;
  const filter: InvocationFilter = { ...(sessionId ? { sessionId } : {}), ...(skillName ? { skillName } : {}) };
  const { rows, total, project } = await using(openStore(ctx, { readonly: true }), async ({ store, project }) => ({
    project,
    rows: await store.listInvocations(filter, { limit }),
    total: await store.countInvocations(filter),
  }));
  if (ctx.json) {
    printJson(ctx, rows);
    return 0;
  }
  if (rows.length === 0) {
    println(ctx.io.stdout, 'No invocations match.');
    return 0;
  }
  println(
    ctx.io.stdout,
    table(rows, [
      { header: 'invoked (UTC)', value: (r) => shortInstant(r.invokedAt) },
      { header: 'skill', value: (r) => r.skillName },
      { header: 'phase', value: (r) => r.workflowPhase ?? '-' },
      { header: 'status', value: (r) => (r.errorType ? `${r.status} (${r.errorType})` : r.status) },
      { header: 'time', value: (r) => formatDuration(r.durationSeconds), align: 'right' },
      // Every row is of the project in force, unless --all-projects.
      ...(project === null ? [{ header: 'project', value: (r: InvocationRecord) => r.project ?? DEFAULT_PROJECT, maxWidth: 20 }] : []),
      { header: 'session', value: (r) => r.sessionId, maxWidth: 20 },
      { header: 'query', value: (r) => r.userQuery ?? '-', maxWidth: 48 },
      { header: 'id', value: (r) => r.id },
    ]),
  );
  if (total > rows.length) println(ctx.io.stdout, `(${rows.length} of ${total}; --limit N shows more)`);
  return 0;
}
