import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { EXPORT_FORMAT_VERSION, ExportDocumentSchema, toViolations, type ExportDocument } from '@skills/protocol';
import { redactQuery } from '@skills/tracker';
import { println, type CommandContext } from '../cli/command.js';
import { cliSettings, databaseShown, openStore, printJson, using } from '../cli/context.js';
import { CliError } from '../cli/errors.js';
import { escaped, printable } from '../cli/format.js';
import { progressBar } from '../cli/progress.js';
import { CsvSyntaxError } from '@skills/tracker';
import { CsvFormatError, csvToRecords, type InvalidRow } from '../import/csv-records.js';

const MAX_LISTED = 20;

export async function run(ctx: CommandContext): Promise<number> {
  const file = resolve(ctx.cwd, ctx.positionals[0]!);
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  const text = readFileSync(file, 'utf8');
  const isCsv = extname(file).toLowerCase() === '.csv' || (extname(file).toLowerCase() !== '.json' && !text.trimStart().startsWith('{'));

  let doc: ExportDocument;
  let invalid: InvalidRow[] = [];
  if (isCsv) {
    try {
      const read = csvToRecords(text, file);
      invalid = read.invalid;
      // New text from outside the store: redact it like a tracker would.
      const records = cliSettings(ctx).settings.redactSecrets
        ? read.records.map((r) => (r.userQuery ? { ...r, userQuery: redactQuery(r.userQuery) } : r))
        : read.records;
      doc = { format: 'skills-export', version: EXPORT_FORMAT_VERSION, exportedAt: new Date().toISOString(), invocations: records, catalog: [] };
    } catch (error) {
      if (error instanceof CsvFormatError || error instanceof CsvSyntaxError) throw new CliError(`${file}: ${error.message}`);
      throw error;
    }
  } else {
    doc = readExportDocument(file, text);
  }

  const bar = progressBar('importing', ctx.io.stderr);
  // Into the whole store, so that each record keeps its project; those without one (CSV, older
  // exports) go to the project in force. Opening checks the engine can keep that project.
  const { project } = cliSettings(ctx).settings;
  const result = await using(openStore(ctx, { create: true }), ({ allProjects }) =>
    allProjects.importAll(inProject(doc, project), (done, total) => bar.update(done, total)),
  );
  bar.finish();

  const summary = {
    file,
    database: databaseShown(ctx),
    project,
    format: isCsv ? 'csv' : 'json',
    read: doc.invocations.length + invalid.length,
    imported: result.imported,
    duplicates: result.duplicates,
    invalid: invalid.length,
    invalidRows: invalid,
  };
  for (const bad of invalid.slice(0, MAX_LISTED)) {
    println(ctx.io.stderr, `${escaped(file)}: row ${bad.row} (line ${bad.line}): ${printable(bad.field)}: ${printable(bad.message)}; skipped`);
  }
  if (invalid.length > MAX_LISTED) println(ctx.io.stderr, `... and ${invalid.length - MAX_LISTED} more invalid rows (--json lists all)`);
  if (ctx.json) printJson(ctx, summary);
  else {
    println(
      ctx.io.stdout,
      `Read ${summary.read} ${isCsv ? 'rows' : 'invocations'}: imported ${summary.imported}, already stored ${summary.duplicates}, invalid ${summary.invalid}.`,
    );
    println(ctx.io.stdout, `Database: ${summary.database}`);
  }
  return invalid.length > 0 ? 1 : 0;
}

/** `doc` with `project` given to the records and catalog entries that name none; the others keep theirs. */
function inProject(doc: ExportDocument, project: string): ExportDocument {
  return {
    ...doc,
    invocations: doc.invocations.map((r) => (r.project === undefined ? { ...r, project } : r)),
    catalog: doc.catalog.map((e) => (e.project === undefined ? { ...e, project } : e)),
  };
}

function readExportDocument(file: string, text: string): ExportDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = ExportDocumentSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const violations = toViolations(parsed.error);
  const shown = violations
    .slice(0, 5)
    .map((v) => `${v.path || '(document)'}: ${v.message}`)
    .join('; ');
  throw new CliError(
    `${file}: not a valid skills export document, nothing imported: ${shown}${violations.length > 5 ? `; and ${violations.length - 5} more` : ''}`,
  );
}
