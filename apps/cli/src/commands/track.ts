import { newInvocationId, parseOrThrow, pendingRecord, TrackInvocationInputSchema } from '@skills/protocol';
import { stringOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { openService, printJson, using } from '../cli/context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const userQuery = stringOption(ctx.values, 'query');
  const workflowPhase = stringOption(ctx.values, 'phase');
  const sessionId = stringOption(ctx.values, 'session') ?? ctx.env['SKILLS_SESSION_ID'] ?? 'cli';
  const input = parseOrThrow(
    TrackInvocationInputSchema,
    { skillName: ctx.positionals[0], ...(userQuery ? { userQuery } : {}), ...(workflowPhase ? { workflowPhase } : {}), source: 'cli' },
    'track arguments',
  );
  // A tracker would mark this invocation abandoned when this process ends; a shell hook needs
  // it to stay pending until `skills complete`, so the record is written as-is.
  const id = newInvocationId();
  const record = pendingRecord(input, { id, sessionId, invokedAt: new Date().toISOString() });
  // The service redacts the query when the settings say so.
  await using(openService(ctx, { create: true }), (service) => service.apply({ inserts: [record] }));
  if (ctx.json) printJson(ctx, { id, skillName: input.skillName, sessionId });
  else println(ctx.io.stdout, id);
  return 0;
}
