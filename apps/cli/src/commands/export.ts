import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stringOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { openStore, using } from '../cli/context.js';
import { CliError } from '../cli/errors.js';

export async function run(ctx: CommandContext): Promise<number> {
  const out = stringOption(ctx.values, 'out');
  // The project in force's records, or with --all-projects every record; each carries its project.
  const doc = await using(openStore(ctx, { readonly: true }), ({ store }) => store.exportAll());
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (!out) {
    ctx.io.stdout.write(text);
    return 0;
  }
  const path = resolve(ctx.cwd, out);
  // Write beside, then rename: a reader never sees half a file.
  const partial = `${path}.partial-${process.pid}`;
  try {
    // The export holds every query, like the database: as private as the database (0600, folders 0700).
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(partial, text, { mode: 0o600 });
    renameSync(partial, path);
  } catch (error) {
    if (existsSync(partial)) rmSync(partial);
    throw new CliError(`cannot write the export to ${path}: ${(error as Error).message}`);
  }
  println(ctx.io.stderr, `Exported ${doc.invocations.length} invocations and ${doc.catalog.length} catalog entries to ${path}`);
  return 0;
}
