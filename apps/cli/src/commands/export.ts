import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { openStore, using } from '../cli/context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const out = stringOption(ctx.values, 'out');
  const doc = await using(openStore(ctx, { readonly: true }), (store) => store.exportAll());
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (!out) {
    ctx.io.stdout.write(text);
    return 0;
  }
  const path = resolve(ctx.cwd, out);
  // Write beside, then rename: a reader never sees half a file.
  const partial = `${path}.partial-${process.pid}`;
  writeFileSync(partial, text);
  renameSync(partial, path);
  println(ctx.io.stderr, `Exported ${doc.invocations.length} invocations and ${doc.catalog.length} catalog entries to ${path}`);
  return 0;
}
