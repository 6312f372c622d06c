import { existsSync } from 'node:fs';
import {
  consoleLogger,
  describeStore,
  engineFor,
  openStore as openWithEngine,
  type EngineStore,
  type Logger,
  type SettingsInput,
  type StoreEngine,
} from '@skills/protocol';
import { databaseTarget as targetOf, loadSettings, projectView, SkillsService, type LoadedSettings } from '@skills/tracker';
import type { CommandContext } from './command.js';
import { ENGINES } from './engines.js';
import { CliError } from './errors.js';

/**
 * The packages' logger for a command: warnings and errors on stderr; informational lines (which
 * embedder `auto` chose, ...) only with SKILLS_DEBUG=1, so data output stays uncluttered.
 */
export function cliLogger(ctx: Pick<CommandContext, 'env'>): Logger {
  const debug = ctx.env['SKILLS_DEBUG'] === '1' || ctx.env['SKILLS_DEBUG'] === 'true';
  return debug ? { ...consoleLogger, debug: (m: string) => console.error(`[skills] debug: ${m}`) } : { ...consoleLogger, info: () => {} };
}

/**
 * Settings in force for this command line: files, environment, then `--db`, `--project` and
 * `overrides`. `--db` takes a path or a URL and sets `dbUrl`, which wins over `dbPath` (and
 * `SKILLS_DB_PATH`); `--project` sets `project`.
 */
export function cliSettings(ctx: CommandContext, overrides: SettingsInput = {}): LoadedSettings {
  return loadSettings({ cwd: ctx.cwd, env: ctx.env, overrides: { ...overrides, dbUrl: ctx.db, project: ctx.project } });
}

/** The store this command line acts on: a path or a URL, which may hold a password (show {@link databaseShown}). */
export function databaseTarget(ctx: CommandContext, loaded: LoadedSettings = cliSettings(ctx)): string {
  return targetOf(loaded.settings, ctx.cwd);
}

/** The store this command line acts on, as it may be shown (never a password). */
export function databaseShown(ctx: CommandContext, loaded: LoadedSettings = cliSettings(ctx)): string {
  return describeStore(databaseTarget(ctx, loaded), ENGINES, { cwd: ctx.cwd });
}

/**
 * The engine that opens the store in force.
 *
 * @throws {UnknownEngineError} when the command ships none for its URL scheme.
 */
export function databaseEngine(ctx: CommandContext, loaded: LoadedSettings = cliSettings(ctx)): StoreEngine {
  return engineFor(databaseTarget(ctx, loaded), ENGINES);
}

/**
 * The file the store in force is kept in (SQLite), for what works on the file itself: backups,
 * sizes, permissions.
 *
 * @param what What needs the file, for the message when the engine keeps none.
 * @throws {CliError} "not for this engine" when the store is not a file.
 */
export function databaseFile(ctx: CommandContext, what: string, loaded: LoadedSettings = cliSettings(ctx)): string {
  const file = fileOf(ctx, loaded);
  if (file === null) {
    throw new CliError(`${what} works on a database file: not for the ${databaseEngine(ctx, loaded).name} engine (${databaseShown(ctx, loaded)})`);
  }
  return file;
}

/** The file the store in force is kept in, or null when its engine keeps none. */
export function fileOf(ctx: CommandContext, loaded: LoadedSettings = cliSettings(ctx)): string | null {
  const target = databaseTarget(ctx, loaded);
  return engineFor(target, ENGINES).file?.(target, { cwd: ctx.cwd }) ?? null;
}

/** Fails with a helpful message when the database is a file that does not exist (reads never create one). */
export function requireDatabase(ctx: CommandContext, loaded: LoadedSettings = cliSettings(ctx)): void {
  const path = fileOf(ctx, loaded);
  if (path !== null && !existsSync(path)) {
    throw new CliError(`no database at ${path}; track something first ('skills demo' makes a sample one) or pass --db PATH`);
  }
}

/**
 * The service (store + embedder + recommender) on the database in force.
 * `create: false` refuses to create a missing database file.
 */
export async function openService(ctx: CommandContext, options: { create: boolean }): Promise<SkillsService> {
  const loaded = cliSettings(ctx);
  if (!options.create) requireDatabase(ctx, loaded);
  return SkillsService.open({ settings: loaded.settings, cwd: ctx.cwd, logger: cliLogger(ctx), engines: ENGINES });
}

/** The store a command reads: the project in force's, or every project's; closing it closes the store. */
export interface CommandStore {
  /** The project in force's view, or the whole store with `--all-projects`. */
  readonly store: EngineStore;
  /** The whole store: every project. */
  readonly allProjects: EngineStore;
  /** The project in force; null with `--all-projects`. */
  readonly project: string | null;
  close(): Promise<void>;
}

/**
 * The bare store on the database in force, for listings, statistics and imports, as the
 * project in force sees it (every project with `--all-projects`). A database file must exist
 * unless `create` is set.
 *
 * @throws {NotAvailableError} when a project other than `default` is in force and the engine keeps no projects.
 */
export async function openStore(ctx: CommandContext, options: { readonly?: boolean; create?: boolean } = {}): Promise<CommandStore> {
  const loaded = cliSettings(ctx);
  if (!options.create) requireDatabase(ctx, loaded);
  const all = await openWithEngine(databaseTarget(ctx, loaded), ENGINES, { cwd: ctx.cwd, readonly: options.readonly ?? false });
  const project = ctx.allProjects ? null : loaded.settings.project;
  try {
    return { store: project === null ? all : projectView(all, project), allProjects: all, project, close: () => all.close() };
  } catch (error) {
    await all.close();
    throw error;
  }
}

/** Runs `fn` with a store or service and always closes it. */
export async function using<T extends { close(): Promise<void> }, R>(open: Promise<T>, fn: (it: T) => Promise<R>): Promise<R> {
  const it = await open;
  try {
    return await fn(it);
  } finally {
    await it.close();
  }
}

/** Prints `data` as JSON (pretty, one trailing newline). */
export function printJson(ctx: CommandContext, data: unknown): void {
  ctx.io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}
