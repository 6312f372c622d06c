import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { EXPORT_FORMAT_VERSION, isMaintainable, openStore, type InvocationRecord, type SkillsStore } from '@skills/protocol';
import { redactQuery } from '@skills/tracker';
import { stringOption } from '../cli/args.js';
import { println, type CommandContext } from '../cli/command.js';
import { cliSettings, databaseFile, printJson, using } from '../cli/context.js';
import { ENGINES } from '../cli/engines.js';
import { CliError, UsageError } from '../cli/errors.js';
import { escaped, plural, printable, shortInstant, table } from '../cli/format.js';
import { progressBar } from '../cli/progress.js';
import { backupsFolder, createBackup, databaseFiles, listBackups, restoreBackup, type Backup } from '../migrate/backup.js';
import {
  crossCheckAggregates,
  LEGACY_FILES,
  LegacyFormatError,
  readLegacy,
  type LegacyRead,
} from '../migrate/legacy.js';
import { isTimeZone } from '../migrate/timezone.js';

const MAX_LISTED = 25;

export async function run(ctx: CommandContext): Promise<number> {
  const dryRun = ctx.values['dry-run'] === true;
  const validate = ctx.values['validate'] === true;
  const rollback = ctx.values['rollback'] === true;
  const force = ctx.values['force'] === true;
  const list = ctx.values['list'] === true;
  const to = stringOption(ctx.values, 'to');
  const timeZone = stringOption(ctx.values, 'timezone');
  const modes = [dryRun && '--dry-run', validate && '--validate', rollback && '--rollback'].filter(Boolean);
  if (modes.length > 1) throw new UsageError(`${modes.join(' and ')} cannot be combined`);
  for (const [given, name] of [[force, '--force'], [list, '--list'], [to !== undefined, '--to']] as const) {
    if (given && !rollback) throw new UsageError(`${name} only applies to --rollback`);
  }
  if (list && (force || to !== undefined)) throw new UsageError('--list only lists the backups: it takes no --force or --to');
  if (rollback && ctx.positionals.length > 0) throw new UsageError('--rollback takes no FILE: it restores a backup of the database (--to BACKUP, default the newest)');
  if (rollback && timeZone) throw new UsageError('--timezone does not apply to --rollback');
  if (timeZone !== undefined && !isTimeZone(timeZone)) {
    throw new UsageError(`--timezone "${timeZone}" is not a time zone this system knows (use an IANA name such as Europe/Paris)`);
  }

  const dbPath = databaseFile(ctx, "'skills migrate' (it backs the database file up first, and --rollback restores it)");
  if (list) return runList(ctx, dbPath);
  if (rollback) return runRollback(ctx, dbPath, chooseBackup(ctx, dbPath, to), force);

  const file = legacyFile(ctx);
  const legacy = readLegacyFile(file, timeZone);
  if (validate) return runValidate(ctx, dbPath, file, legacy);
  return runMigrate(ctx, dbPath, file, legacy, dryRun, timeZone);
}

/** FILE, or the first legacy file found under the working directory. */
function legacyFile(ctx: CommandContext): string {
  const given = ctx.positionals[0];
  if (given !== undefined) {
    const path = resolve(ctx.cwd, given);
    if (!existsSync(path)) throw new CliError(`${path}: no such file`);
    return path;
  }
  for (const candidate of LEGACY_FILES) {
    const path = join(ctx.cwd, candidate);
    if (existsSync(path)) return path;
  }
  throw new CliError(`no legacy file found under ${ctx.cwd} (looked for ${LEGACY_FILES.join(', ')}); pass FILE`);
}

function readLegacyFile(file: string, timeZone: string | undefined): LegacyRead {
  try {
    return readLegacy(readFileSync(file, 'utf8'), timeZone ? { timeZone } : {});
  } catch (error) {
    if (error instanceof LegacyFormatError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
}

/** A path for a line of text: relative to the working directory when under it, escaped. */
const show = (ctx: CommandContext, path: string) => {
  const rel = relative(ctx.cwd, path);
  return escaped(rel && !rel.startsWith('..') ? rel : path);
};

/** Which of `records` are already stored: looked up on a copy when `copy` (dry run), so nothing is touched. */
async function storedIds(dbPath: string, records: readonly InvocationRecord[], copy: boolean): Promise<Set<string>> {
  if (!existsSync(dbPath) || records.length === 0) return new Set();
  let path = dbPath;
  let scratch: string | undefined;
  if (copy) {
    scratch = mkdtempSync(join(tmpdir(), 'skills-migrate-dry-run-'));
    for (const file of databaseFiles(dbPath)) {
      if (existsSync(file)) copyFileSync(file, join(scratch, basename(file)));
    }
    path = join(scratch, basename(dbPath));
  }
  try {
    return await using(openFile(path, { readonly: !copy }), async (store) => {
      const found = new Set<string>();
      for (const r of records) if (await store.getInvocation(r.id)) found.add(r.id);
      return found;
    });
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

function reportInvalid(ctx: CommandContext, path: string, legacy: LegacyRead): void {
  const file = escaped(path);
  for (const bad of legacy.invalid.slice(0, MAX_LISTED)) {
    println(ctx.io.stderr, `${file}: invocations[${bad.index}].${printable(bad.field)}: ${printable(bad.message)}; skipped`);
  }
  if (legacy.invalid.length > MAX_LISTED) {
    println(ctx.io.stderr, `${file}: ... and ${legacy.invalid.length - MAX_LISTED} more invalid records (--json lists all)`);
  }
}

async function runMigrate(
  ctx: CommandContext,
  dbPath: string,
  file: string,
  legacy: LegacyRead,
  dryRun: boolean,
  timeZone: string | undefined,
): Promise<number> {
  const differences = crossCheckAggregates(legacy);
  const { settings } = cliSettings(ctx);
  // Legacy files know no projects: their records go to the project in force.
  const records = legacy.records.map((r) => ({
    ...r,
    project: settings.project,
    ...(settings.redactSecrets && r.userQuery ? { userQuery: redactQuery(r.userQuery) } : {}),
  }));

  let backup: Backup | null = null;
  // A dry run looks on a copy so that nothing is touched; a real run reads the database itself.
  const stored = await storedIds(dbPath, records, dryRun);
  let alreadyStored = stored.size;
  let imported = records.length - stored.size;
  // A run that would change nothing writes nothing, and makes no backup: a backup of an unchanged
  // database would become the newest, and `--rollback` would then undo nothing.
  if (!dryRun && imported > 0) {
    backup = await backUp(dbPath);
    const bar = progressBar('migrating', ctx.io.stderr);
    const result = await using(openFile(dbPath), (store: SkillsStore) =>
      store.importAll(
        { format: 'skills-export', version: EXPORT_FORMAT_VERSION, exportedAt: new Date().toISOString(), invocations: records, catalog: [] },
        (done, total) => bar.update(done, total),
      ),
    );
    bar.finish();
    imported = result.imported;
    alreadyStored = result.duplicates;
  }

  const summary = {
    file,
    database: dbPath,
    project: settings.project,
    dryRun,
    variant: legacy.variant,
    timeZone: timeZone ?? `local (${Intl.DateTimeFormat().resolvedOptions().timeZone})`,
    read: legacy.read,
    imported,
    duplicates: alreadyStored + legacy.repeatedInFile,
    duplicatesInFile: legacy.repeatedInFile,
    alreadyStored,
    invalid: legacy.invalid.length,
    invalidRecords: legacy.invalid,
    aggregateDifferences: differences,
    backup: backup ? { dir: backup.dir, files: backup.manifest.files.map((f) => f.name), existed: backup.manifest.existed } : null,
  };
  reportInvalid(ctx, file, legacy);
  if (ctx.json) {
    printJson(ctx, summary);
    return legacy.invalid.length > 0 ? 1 : 0;
  }

  const out = ctx.io.stdout;
  const would = dryRun ? 'would import' : 'imported';
  println(out, `${dryRun ? 'Dry run (nothing written): ' : ''}${show(ctx, file)} -> ${show(ctx, dbPath)}`);
  println(out, `  format:     ${legacy.variant === 'extended' ? 'extended (with sessions and queries)' : 'original (no sessions: session "migrated")'}`);
  println(out, `  timestamps: naive, read as ${summary.timeZone}, stored as UTC`);
  if (backup) {
    println(
      out,
      `  backup:     ${show(ctx, backup.dir)}${backup.manifest.existed ? ` (${backup.manifest.files.map((f) => f.name).join(', ')})` : ' (no database before: rollback removes it)'}`,
    );
  }
  println(
    out,
    `Read ${summary.read} records: ${would} ${imported}, duplicates ${summary.duplicates} (${legacy.repeatedInFile} repeated in the file, ${alreadyStored} already stored), invalid ${summary.invalid}.`,
  );
  if (legacy.invalid.length > 0) println(out, `Invalid records were skipped; the reasons are above (stderr).`);
  if (!legacy.aggregates) println(out, 'The file has no per-skill aggregates to cross-check.');
  else if (differences.length === 0) println(out, `Per-skill aggregates match the records (${legacy.aggregates.size} skills).`);
  else {
    println(out, `Per-skill aggregates differ from the records (${differences.length}):`);
    println(out, table(differences, [{ header: 'skill', value: (d) => d.skillName }, { header: 'difference', value: (d) => d.message }]));
  }
  if (backup) println(out, `Check with 'skills migrate --validate'; undo with 'skills migrate --rollback'.`);
  else if (!dryRun) println(out, 'Nothing new to import: the database was not changed and no backup was made.');
  return legacy.invalid.length > 0 ? 1 : 0;
}

/** Checkpoints a database that has a WAL (so the copy is compact), then copies its files. */
async function backUp(dbPath: string): Promise<Backup> {
  if (existsSync(`${dbPath}-wal`)) {
    await using(openFile(dbPath), async (store) => {
      if (!isMaintainable(store)) throw new CliError(`backing ${dbPath} up is not for this engine: its store cannot checkpoint`);
      await store.checkpoint();
    });
  }
  return createBackup(dbPath, 'skills migrate');
}

/** Opens a database file (a plain path: the engine for files, SQLite). */
function openFile(path: string, options: { readonly?: boolean } = {}) {
  return openStore(path, ENGINES, options);
}

async function runValidate(ctx: CommandContext, dbPath: string, file: string, legacy: LegacyRead): Promise<number> {
  if (!existsSync(dbPath)) throw new CliError(`no database at ${dbPath}: nothing was migrated yet (run 'skills migrate')`);
  const stored = await storedIds(dbPath, legacy.records, false);
  const perSkill = new Map<string, { json: number; db: number }>();
  for (const r of legacy.records) {
    const row = perSkill.get(r.skillName) ?? { json: 0, db: 0 };
    row.json++;
    if (stored.has(r.id)) row.db++;
    perSkill.set(r.skillName, row);
  }
  for (const name of legacy.aggregates?.keys() ?? []) if (!perSkill.has(name)) perSkill.set(name, { json: 0, db: 0 });
  const rows = [...perSkill.entries()]
    .map(([skillName, c]) => ({
      skillName,
      ...c,
      ok: c.json === c.db && c.db > 0,
      problem: c.db === 0 ? 'missing from the database' : c.json !== c.db ? `${c.json - c.db} records missing` : '',
    }))
    .sort((a, b) => a.skillName.localeCompare(b.skillName));
  const mismatches = rows.filter((r) => !r.ok);
  if (ctx.json) printJson(ctx, { file, database: dbPath, ok: mismatches.length === 0, skills: rows, invalid: legacy.invalid.length });
  else {
    println(ctx.io.stdout, `${show(ctx, file)} vs ${show(ctx, dbPath)}:`);
    println(
      ctx.io.stdout,
      table(rows, [
        { header: 'skill', value: (r) => r.skillName },
        { header: 'json', value: (r) => String(r.json), align: 'right' },
        { header: 'database', value: (r) => String(r.db), align: 'right' },
        { header: 'status', value: (r) => (r.ok ? 'ok' : `MISMATCH: ${r.problem}`) },
      ]),
    );
    if (legacy.invalid.length > 0) println(ctx.io.stdout, `(${plural(legacy.invalid.length, 'invalid record')} in the file not counted)`);
    println(
      ctx.io.stdout,
      mismatches.length === 0
        ? `OK: all ${legacy.records.length} valid records of ${rows.length} skills are in the database.`
        : `MISMATCH: ${mismatches.length} of ${rows.length} skills differ.`,
    );
  }
  return mismatches.length === 0 ? 0 : 1;
}

/** What `--rollback --list` shows of one backup. */
function describeBackup(backup: Backup) {
  return {
    name: basename(backup.dir),
    dir: backup.dir,
    createdAt: backup.manifest.createdAt,
    reason: backup.manifest.reason,
    existed: backup.manifest.existed,
    files: backup.manifest.files.map((f) => f.name),
  };
}

async function runList(ctx: CommandContext, dbPath: string): Promise<number> {
  const backups = listBackups(dbPath).map(describeBackup);
  if (ctx.json) {
    printJson(ctx, { database: dbPath, backups });
    return 0;
  }
  if (backups.length === 0) {
    println(ctx.io.stdout, `No backup of ${show(ctx, dbPath)} in ${show(ctx, backupsFolder(dbPath))}.`);
    return 0;
  }
  println(ctx.io.stdout, `Backups of ${show(ctx, dbPath)}, newest first ('--rollback' restores the first; '--to NAME' another):`);
  println(
    ctx.io.stdout,
    table(backups, [
      { header: 'name', value: (b) => b.name },
      { header: 'taken (UTC)', value: (b) => shortInstant(b.createdAt) },
      { header: 'holds', value: (b) => (b.existed ? b.files.join(', ') : 'no database (restoring removes it)') },
      { header: 'reason', value: (b) => b.reason },
    ]),
  );
  return 0;
}

/** The backup `--to` names (its folder name or path), else the newest. */
function chooseBackup(ctx: CommandContext, dbPath: string, to: string | undefined): Backup {
  const backups = listBackups(dbPath);
  if (to === undefined) {
    const [newest] = backups;
    if (!newest) throw new CliError(`no backup of ${dbPath} found in ${backupsFolder(dbPath)}`);
    return newest;
  }
  const wanted = resolve(ctx.cwd, to);
  const chosen = backups.find((b) => basename(b.dir) === to || b.dir === wanted);
  if (!chosen) {
    throw new UsageError(
      `--to "${to}" is not a backup of ${dbPath}${backups.length > 0 ? ` (there are ${backups.length}; 'skills migrate --rollback --list' names them)` : ' (it has none)'}`,
    );
  }
  return chosen;
}

async function runRollback(ctx: CommandContext, dbPath: string, backup: Backup, force: boolean): Promise<number> {
  const what = backup.manifest.existed
    ? `restore ${dbPath} from ${backup.dir} (taken ${backup.manifest.createdAt})`
    : `remove ${dbPath}: the backup ${backup.dir} records that it did not exist before`;
  if (!force) {
    if (!ctx.io.stdin.isTTY) throw new UsageError(`refusing to roll back without --force, as stdin is not a terminal to confirm on (it would ${what})`);
    const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr });
    const answer = await rl.question(`This will ${what}.\nChanges made since then are lost. Continue? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      println(ctx.io.stderr, 'Rollback cancelled; nothing changed.');
      return 1;
    }
  }
  restoreBackup(backup, dbPath);
  if (ctx.json) printJson(ctx, { database: dbPath, backup: backup.dir, restored: backup.manifest.files.map((f) => f.name) });
  else {
    println(
      ctx.io.stdout,
      backup.manifest.existed
        ? `Restored ${show(ctx, dbPath)} from ${show(ctx, backup.dir)} (${backup.manifest.files.map((f) => f.name).join(', ')}; checksums verified).`
        : `Removed ${show(ctx, dbPath)}: there was no database before the migration.`,
    );
  }
  return 0;
}
