import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createEmbedder } from '@skills/embeddings';
import { probeHealth } from '@skills/mcp-client';
import { silentLogger, type Settings } from '@skills/protocol';
import { resolveDbPath } from '@skills/tracker';
import { openSqliteStore } from '@skills/store-sqlite';
import { println, type CommandContext } from '../cli/command.js';
import { cliSettings, printJson, using } from '../cli/context.js';
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

  let settings: Settings | undefined;
  try {
    settings = cliSettings(ctx).settings;
    add('settings', 'ok', 'settings files and environment are valid');
  } catch (error) {
    add('settings', 'fail', (error as Error).message);
  }

  if (settings) {
    await checkDatabase(resolveDbPath(settings, ctx.cwd), add);
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

async function checkDatabase(path: string, add: (name: string, status: Check['status'], detail: string) => void): Promise<void> {
  const file = databaseFileInfo(path);
  if (!file.exists) {
    add('database', 'warn', `${path} does not exist yet (the first tracked invocation creates it${existsSync(dirname(path)) ? '' : ', and its folder'})`);
    add('integrity', 'skip', 'no database');
    add('wal mode', 'skip', 'no database');
    return;
  }
  try {
    await using(openSqliteStore({ path, readonly: true }), async (store) => {
      const count = await store.countInvocations();
      add('database', 'ok', `${path} opens (${count} invocations)`);
      const problems = await store.integrityCheck();
      if (problems.length === 0) add('integrity', 'ok', 'PRAGMA integrity_check: ok');
      else add('integrity', 'fail', `PRAGMA integrity_check: ${problems.slice(0, 3).join('; ')}`);
    });
  } catch (error) {
    add('database', 'fail', `${path} does not open: ${(error as Error).message}`);
    add('integrity', 'skip', 'the database does not open');
  }
  if (file.journalMode === 'wal') add('wal mode', 'ok', 'journal_mode=wal (readers never block the writer)');
  else add('wal mode', 'fail', file.journalMode === null ? `${path} is not a SQLite database` : `journal mode is ${file.journalMode}, not WAL`);
}
