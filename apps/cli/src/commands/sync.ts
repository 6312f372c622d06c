import { defaultSpoolDir, listSpoolFiles, syncSpool } from '@skills/tracker';
import { stringOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { cliLogger, cliSettings, printJson } from '../cli/context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const url = stringOption(ctx.values, 'url');
  // `--url` is one more setting, the strongest: checked like SKILLS_MCP_URL.
  const { settings } = cliSettings(ctx, url !== undefined ? { mcpServerUrl: url } : {});
  const spoolDir = defaultSpoolDir(settings, ctx.cwd);
  const before = listSpoolFiles(spoolDir);
  const result = await syncSpool({
    cwd: ctx.cwd,
    env: ctx.env,
    logger: cliLogger(ctx),
    spoolDir,
    mcpServerUrl: settings.mcpServerUrl,
    ...(ctx.db ? { dbUrl: ctx.db } : {}),
  });
  if (ctx.json) {
    printJson(ctx, { server: settings.mcpServerUrl, spoolDir, files: before.replayable.length, ...result });
    return 0;
  }
  const out = ctx.io.stdout;
  if (before.replayable.length === 0 && result.remaining === 0) {
    println(out, `Nothing to replay: no spooled invocations in ${spoolDir}.`);
    return 0;
  }
  println(
    out,
    `Replayed ${result.replayed} spooled invocations to ${settings.mcpServerUrl} (${result.duplicates} the server already had).`,
  );
  if (result.remaining > 0) {
    println(out, `${result.remaining} invocations remain in ${spoolDir}: a running tracker still writes them and replays them itself.`);
  }
  return 0;
}
