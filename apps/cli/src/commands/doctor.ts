import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { hookLogPath, hooksDir, journalBacklog, readHookLog } from '@skills/claude-code';
import { createEmbedder } from '@skills/embeddings';
import { probeHealth } from '@skills/mcp-client';
import { DEFAULT_PROJECT, isDiagnosable, isMaintainable, isProjectStore, silentLogger, type EngineStore } from '@skills/protocol';
import { projectView, type LoadedSettings } from '@skills/tracker';
import { println, type CommandContext } from '../cli/command.js';
import { cliSettings, databaseEngine, databaseShown, fileOf, openStore, printJson, using } from '../cli/context.js';
import { databaseFileInfo } from '../cli/database-info.js';
import { escaped } from '../cli/format.js';

/** One check: `fail` on a required check makes `doctor` exit 1; `warn` never does. */
interface Check {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail' | 'skip';
  readonly detail: string;
}

const MARK: Record<Check['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

export async function run(ctx: CommandContext): Promise<number> {
  const checks: Check[] = [];
  const add = (name: string, status: Check['status'], detail: string) => void checks.push({ name, status, detail });

  let loaded: LoadedSettings | undefined;
  try {
    loaded = cliSettings(ctx);
    add('settings', 'ok', 'settings files and environment are valid');
  } catch (error) {
    add('settings', 'fail', (error as Error).message);
  }

  if (loaded) {
    const { settings } = loaded;
    await checkDatabase(ctx, loaded, add);
    try {
      const embedder = await createEmbedder(settings, silentLogger);
      const [vector] = await embedder.embed(['run the unit tests']);
      add('embedder', vector ? 'ok' : 'fail', vector ? `${embedder.id} (${embedder.kind}, ${embedder.dimensions} dimensions)` : `${embedder.id} returned no vector`);
    } catch (error) {
      add('embedder', 'fail', `embedder "${settings.embedder}" is not available: ${(error as Error).message}`);
    }
    const probe = await probeHealth(settings.mcpServerUrl, Math.min(settings.mcpTimeoutMs, 1_000));
    add(
      'server',
      probe.ok ? 'ok' : 'warn',
      probe.ok
        ? `${settings.mcpServerUrl} answers (version ${probe.health.version}, ${probe.latencyMs.toFixed(0)} ms)`
        : `${settings.mcpServerUrl} unreachable (${probe.reason}); trackers use the local database ('skills serve' starts it)`,
    );
    const hookLog = hookLogPath(settings, ctx.cwd);
    const hookFailures = readHookLog(hookLog, 3);
    // Tool events the hooks journaled wait for the next prompt or Stop: normal within a turn,
    // worth knowing about when a session ended without one.
    const waiting = journalBacklog(hooksDir(settings, ctx.cwd));
    add(
      'claude-code hooks',
      hookFailures.length > 0 ? 'warn' : 'ok',
      (hookFailures.length > 0 ? `failures logged in ${hookLog}, the latest: ${hookFailures.join(' | ')}` : 'no hook failures logged') +
        (waiting > 0 ? `; ${waiting} tool event${waiting > 1 ? 's' : ''} journaled, stored at the next prompt or Stop ('skills-hook --drain' stores them now)` : ''),
    );
  }

  const failed = checks.filter((c) => c.status === 'fail');
  if (ctx.json) printJson(ctx, { ok: failed.length === 0, checks });
  else {
    const width = Math.max(...checks.map((c) => c.name.length));
    for (const c of checks) println(ctx.io.stdout, `[${MARK[c.status]}] ${c.name.padEnd(width)}  ${escaped(c.detail)}`);
    const warned = checks.filter((c) => c.status === 'warn').length;
    println(
      ctx.io.stdout,
      failed.length === 0
        ? `\nAll required checks passed${warned ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}.`
        : `\n${failed.length} required check${failed.length > 1 ? 's' : ''} failed.`,
    );
  }
  return failed.length === 0 ? 0 : 1;
}

type Add = (name: string, status: Check['status'], detail: string) => void;

/** The project in force: whether the store can keep it, its invocations, and the projects the store holds. */
async function checkProject(store: EngineStore, project: string, add: Add): Promise<void> {
  try {
    const count = await projectView(store, project).countInvocations();
    const projects = isProjectStore(store) ? await store.listProjects() : [DEFAULT_PROJECT];
    add('project', 'ok', `"${project}": ${count} invocations (projects holding data: ${projects.join(', ') || 'none yet'})`);
  } catch (error) {
    add('project', 'fail', (error as Error).message);
  }
}

/**
 * Opens the store in force, then runs its engine's own checks where the store offers them
 * (PostgreSQL: reachable, version, migrations, accepts writes, aggregates), else the file checks
 * (SQLite: integrity, WAL) where its engine has them.
 */
async function checkDatabase(ctx: CommandContext, loaded: LoadedSettings, add: Add): Promise<void> {
  let engine: string;
  let path: string | null;
  try {
    engine = databaseEngine(ctx, loaded).name;
    path = fileOf(ctx, loaded);
  } catch (error) {
    add('database', 'fail', (error as Error).message);
    add('integrity', 'skip', 'no engine for the database');
    add('wal mode', 'skip', 'no engine for the database');
    return;
  }
  const shown = databaseShown(ctx, loaded);
  const file = path === null ? null : databaseFileInfo(path);
  if (file && !file.exists) {
    add('database', 'warn', `${shown} does not exist yet (the first tracked invocation creates it${existsSync(dirname(file.path)) ? '' : ', and its folder'})`);
    add('integrity', 'skip', 'no database');
    add('wal mode', 'skip', 'no database');
    return;
  }
  try {
    // The whole store: the project in force is checked on its own, after the database.
    await using(openStore({ ...ctx, allProjects: true }, { readonly: true }), async ({ store }) => {
      const count = await store.countInvocations();
      add('database', 'ok', `${shown} opens (${count} invocations, ${engine} engine)`);
      await checkProject(store, loaded.settings.project, add);
      if (isDiagnosable(store)) {
        for (const check of await store.diagnose()) add(check.name, check.status, check.detail);
        return;
      }
      if (file === null) add('wal mode', 'skip', `not for the ${engine} engine: it keeps no SQLite file`);
      if (!isMaintainable(store)) {
        add('integrity', 'skip', `not for the ${engine} engine: its store offers no integrity check`);
        return;
      }
      const problems = await store.integrityCheck();
      if (problems.length === 0) add('integrity', 'ok', 'PRAGMA integrity_check: ok');
      else add('integrity', 'fail', `PRAGMA integrity_check: ${problems.slice(0, 3).join('; ')}`);
    });
  } catch (error) {
    add('database', 'fail', `${shown} does not open: ${(error as Error).message}`);
    if (file !== null) add('integrity', 'skip', 'the database does not open');
  }
  if (file === null) return;
  if (file.journalMode === 'wal') add('wal mode', 'ok', 'journal_mode=wal (readers never block the writer)');
  else add('wal mode', 'fail', file.journalMode === null ? `${shown} is not a SQLite database` : `journal mode is ${file.journalMode}, not WAL`);
}
