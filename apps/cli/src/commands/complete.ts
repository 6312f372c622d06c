import { CompleteInvocationInputSchema, completionOf, formatDuration, parseOrThrow } from '@skills/protocol';
import { listOption, stringOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { openService, printJson, using } from '../cli/context.js';
import { CliError } from '../cli/errors.js';

export async function run(ctx: CommandContext): Promise<number> {
  const id = ctx.positionals[0]!;
  const errorType = stringOption(ctx.values, 'error-type');
  const followUpActions = listOption(ctx.values, 'follow-up');
  const outcome = parseOrThrow(
    CompleteInvocationInputSchema,
    {
      completed: !(ctx.values['failed'] === true || errorType !== undefined),
      ...(followUpActions.length > 0 ? { followUpActions } : {}),
      ...(errorType ? { errorType } : {}),
    },
    'complete arguments',
  );
  const done = await using(openService(ctx, { create: false }), async (service) => {
    const record = await service.store.getInvocation(id);
    if (!record) throw new CliError(`no invocation with id "${id}" (ids are printed by 'skills track' and 'skills history')`);
    if (record.status !== 'pending') throw new CliError(`invocation ${id} is already ${record.status}; nothing changed`);
    const now = new Date();
    const completion = completionOf(id, outcome, now.toISOString(), (now.getTime() - Date.parse(record.invokedAt)) / 1000);
    const result = await service.apply({ completions: [completion] });
    if (result.completed !== 1) throw new CliError(`invocation ${id} was finished meanwhile; nothing changed`);
    return { id, skillName: record.skillName, status: outcome.completed ? 'completed' : 'failed', durationSeconds: completion.durationSeconds };
  });
  if (ctx.json) printJson(ctx, done);
  else println(ctx.io.stdout, `${done.skillName} ${done.status} after ${formatDuration(done.durationSeconds)} (${id})`);
  return 0;
}
