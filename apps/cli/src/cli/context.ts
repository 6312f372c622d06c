import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { consoleLogger, type Logger, type SettingsInput, type SkillsStore } from '@skills/protocol';
import { loadSettings, resolveDbPath, SkillsService, type LoadedSettings } from '@skills/tracker';
import { openSqliteStore } from '@skills/store-sqlite';
import type { CommandContext } from './command.js';
import { CliError } from './errors.js';

/**
 * The packages' logger for a command: warnings and errors on stderr; informational lines (which
 * embedder `auto` chose, ...) only with SKILLS_DEBUG=1, so data output stays uncluttered.
 */
export function cliLogger(ctx: Pick<CommandContext, 'env'>): Logger {
  const debug = ctx.env['SKILLS_DEBUG'] === '1' || ctx.env['SKILLS_DEBUG'] === 'true';
  return debug ? { ...consoleLogger, debug: (m: string) => console.error(`[skills] debug: ${m}`) } : { ...consoleLogger, info: () => {} };
}

/** Settings in force for this command line: files, environment, then `--db` and `overrides`. */
export function cliSettings(ctx: CommandContext, overrides: SettingsInput = {}): LoadedSettings {
  return loadSettings({ cwd: ctx.cwd, env: ctx.env, overrides: { ...overrides, dbPath: ctx.db } });
}

/** The database file this command line acts on. */
export function databasePath(ctx: CommandContext, loaded: LoadedSettings = cliSettings(ctx)): string {
  return resolveDbPath(loaded.settings, ctx.cwd);
}

/** Fails with a helpful message when the database does not exist (reads never create one). */
export function requireDatabase(path: string): void {
  if (!existsSync(path)) {
    throw new CliError(`no database at ${path}; track something first ('skills demo' makes a sample one) or pass --db PATH`);
  }
}

/**
 * The service (store + embedder + recommender) on the database in force.
 * `create: false` refuses to create a missing database.
 */
export async function openService(ctx: CommandContext, options: { create: boolean }): Promise<SkillsService> {
  const loaded = cliSettings(ctx);
  const path = databasePath(ctx, loaded);
  if (!options.create) requireDatabase(path);
  return SkillsService.open({ settings: { ...loaded.settings, dbPath: path }, cwd: ctx.cwd, logger: cliLogger(ctx) });
}

/**
 * The bare store on the database in force, for listings, statistics and imports. The file must
 * exist unless `create` is set.
 */
export async function openStore(
  ctx: CommandContext,
  options: { readonly?: boolean; create?: boolean } = {},
): Promise<SkillsStore> {
  const path = databasePath(ctx);
  if (options.create) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  else requireDatabase(path);
  return openSqliteStore({ path, readonly: options.readonly ?? false });
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
