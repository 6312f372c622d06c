import { durationOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { databaseShown, openStore, printJson, using } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';

export async function run(ctx: CommandContext): Promise<number> {
  const seconds = durationOption(ctx.values, 'older-than');
  if (seconds === undefined) throw new UsageError('--older-than is required (e.g. --older-than 90d)');
  const dryRun = ctx.values['dry-run'] === true;
  const before = new Date(Date.now() - seconds * 1000).toISOString();
  const count = await using(openStore(ctx, { readonly: dryRun }), ({ store }) =>
    dryRun ? store.countInvocations({ until: before }) : store.prune(before),
  );
  if (ctx.json) printJson(ctx, { database: databaseShown(ctx), before, dryRun, [dryRun ? 'wouldDelete' : 'deleted']: count });
  else {
    println(
      ctx.io.stdout,
      `${dryRun ? 'Would delete' : 'Deleted'} ${count} invocation${count === 1 ? '' : 's'} invoked before ${before} (older than ${String(ctx.values['older-than'])}).`,
    );
  }
  return 0;
}
