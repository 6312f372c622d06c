import { intOption, stringOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { printJson } from '../cli/context.js';
import { ENGINES } from '../cli/engines.js';
import { UsageError } from '../cli/errors.js';
import { escaped } from '../cli/format.js';
import { progressBar } from '../cli/progress.js';
import { endpoint, openSource, openTarget, requireExisting, sameStore } from '../copy/endpoints.js';
import { transfer } from '../copy/transfer.js';
import { countsOf, describeDifferences, differences } from '../copy/verify.js';

/** Invocations per batch unless `--batch-size` says otherwise. */
const DEFAULT_BATCH = 1000;

export async function run(ctx: CommandContext): Promise<number> {
  const from = endpoint('--from', required(ctx, 'from'), ENGINES, ctx.cwd);
  const to = endpoint('--to', required(ctx, 'to'), ENGINES, ctx.cwd);
  const batchSize = intOption(ctx.values, 'batch-size', 1, 100_000) ?? DEFAULT_BATCH;
  if (sameStore(from, to)) throw new UsageError(`--from and --to name the same store (${to.shown}): copy to another one`);

  // The target first: one that cannot be reached fails before the source is touched.
  requireExisting(from);
  const target = await openTarget(to, ENGINES, ctx.cwd);
  try {
    const source = await openSource(from, ENGINES, ctx.cwd);
    try {
      const bar = progressBar('copying', ctx.io.stderr);
      const copied = await transfer(source, target, { batchSize, onProgress: (done, total) => bar.update(done, total) });
      bar.finish();
      const [sourceCounts, targetCounts] = [await countsOf(source), await countsOf(target)];
      const differing = differences(sourceCounts, targetCounts);
      const report = { from: from.shown, to: to.shown, ...copied, verified: differing.length === 0, differences: differing, counts: targetCounts.byStatus };
      if (ctx.json) printJson(ctx, report);
      else {
        println(
          ctx.io.stdout,
          escaped(`Copied ${copied.read} invocations from ${from.shown} to ${to.shown}: ${copied.inserted} written, ${copied.alreadyPresent} already there` +
            `${copied.finished > 0 ? ` (${copied.finished} of them finished since)` : ''}; ${copied.catalog} catalog entries.`),
        );
        if (differing.length === 0) {
          const byStatus = Object.entries(targetCounts.byStatus).map(([status, n]) => `${n} ${status}`).join(', ');
          println(ctx.io.stdout, `Counts checked: ${targetCounts.invocations} invocations in both (${byStatus}), ${Object.keys(targetCounts.bySkill).length} skills.`);
        }
      }
      if (differing.length > 0) println(ctx.io.stderr, escaped(`skills copy: the counts differ after the copy: ${describeDifferences(differing)}`));
      return differing.length === 0 ? 0 : 1;
    } finally {
      await source.close();
    }
  } finally {
    await target.close();
  }
}

function required(ctx: CommandContext, name: 'from' | 'to'): string {
  const value = stringOption(ctx.values, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required: a SQLite file or a store URL`);
  return value;
}
