import { println, type CommandContext } from '../cli/command.js';
import { databaseShown, openService, printJson, using } from '../cli/context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const started = performance.now();
  const result = await using(openService(ctx, { create: false }), (service) => service.reindex());
  const seconds = (performance.now() - started) / 1000;
  if (ctx.json) printJson(ctx, { database: databaseShown(ctx), ...result, seconds });
  else println(ctx.io.stdout, `Re-embedded ${result.embedded} distinct queries with ${result.embedderId} in ${seconds.toFixed(2)} s.`);
  return 0;
}
