import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@skills/store-sqlite';
import { evaluateStore } from '@skills/tracker';
import { println, type CommandContext } from '../cli/command.js';
import { cliLogger, databaseShown, openService, printJson, using } from '../cli/context.js';
import { progressBar } from '../cli/progress.js';
import { formatEvaluation } from '../eval/format.js';

export async function run(ctx: CommandContext): Promise<number> {
  const database = databaseShown(ctx);
  const scratchDir = mkdtempSync(join(tmpdir(), 'skills-eval-'));
  try {
    const report = await using(openService(ctx, { create: false }), async (service) => {
      const { minSimilarity, enablePhaseAware, phaseWeight } = service.settings;
      // The replay writes only to a scratch store of its own; the team's store is read once.
      return using(openSqliteStore({ path: join(scratchDir, 'replay.db') }), async (scratch) => {
        const bar = progressBar('evaluating', ctx.io.stderr);
        try {
          return await evaluateStore(service.store, scratch, await service.embedder(), {
            ranking: { minSimilarity, enablePhaseAware, phaseWeight },
            progress: (done, total) => bar.update(done, total),
            logger: cliLogger(ctx),
          });
        } finally {
          bar.finish();
        }
      });
    });
    if (ctx.json) printJson(ctx, { database, ...report });
    else println(ctx.io.stdout, formatEvaluation(report, database));
    return 0;
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
}
