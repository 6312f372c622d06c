import { probeHealth } from '@skills/mcp-client';
import { describeStore, SettingsSchema } from '@skills/protocol';
import { defaultSpoolDir, listSpoolFiles } from '@skills/tracker';
import { println, type CommandContext } from '../cli/command.js';
import { cliSettings, databaseEngine, databaseShown, fileOf, openStore, printJson, using } from '../cli/context.js';
import { databaseFileInfo, type DatabaseFileInfo } from '../cli/database-info.js';
import { projectCounts, type ProjectCount } from '../cli/project-counts.js';
import { ENGINES } from '../cli/engines.js';
import { formatBytes, keyValues, table } from '../cli/format.js';

/** How long `status` waits for the server: short, a person is waiting. */
const PROBE_MS = 800;

export async function run(ctx: CommandContext): Promise<number> {
  const loaded = cliSettings(ctx);
  const { settings, sources } = loaded;
  const shown = databaseShown(ctx, loaded);
  const probe = await probeHealth(settings.mcpServerUrl, Math.min(settings.mcpTimeoutMs, PROBE_MS));

  let backend: { kind: 'direct' | 'mcp' | 'none'; why: string };
  if (!settings.enabled) backend = { kind: 'none', why: `tracking is disabled (enabled: false, from ${sources.enabled})` };
  else if (settings.backend === 'direct') backend = { kind: 'direct', why: `backend: direct (from ${sources.backend})` };
  else if (settings.backend === 'mcp') {
    backend = {
      kind: 'mcp',
      why: `backend: mcp (from ${sources.backend}); ${probe.ok ? 'the server answers' : `the server does not answer (${probe.reason}), so the tracker will fall back`}`,
    };
  } else {
    backend = probe.ok
      ? { kind: 'mcp', why: `backend: auto, and the server at ${settings.mcpServerUrl} answered in ${probe.latencyMs.toFixed(0)} ms` }
      : { kind: 'direct', why: `backend: auto, and the server at ${settings.mcpServerUrl} does not answer (${probe.reason})` };
  }

  let engine: string | null = null;
  let file: DatabaseFileInfo | null = null;
  let invocations: number | null = null;
  let projects: ProjectCount[] | null = null;
  let databaseError: string | null = null;
  try {
    engine = databaseEngine(ctx, loaded).name;
    const path = fileOf(ctx, loaded);
    file = path === null ? null : databaseFileInfo(path);
    // A missing file is not created to be counted; a store at a URL is asked.
    if (file === null || file.exists) {
      [invocations, projects] = await using(openStore({ ...ctx, allProjects: true }, { readonly: true }), ({ store }) =>
        Promise.all([store.countInvocations(), projectCounts(store)]),
      );
    }
  } catch (error) {
    databaseError = (error as Error).message;
  }
  const exists = file ? file.exists : invocations !== null;

  const spoolDir = defaultSpoolDir(settings, ctx.cwd);
  const spooled = listSpoolFiles(spoolDir);
  const spool = { dir: spoolDir, replayable: spooled.replayable.length, inUse: spooled.inUse.length };

  const report = {
    settings: Object.fromEntries(
      Object.keys(SettingsSchema.shape).map((k) => [k, { value: shownSetting(k, settings[k as keyof typeof settings], ctx.cwd), source: sources[k as keyof typeof sources] }]),
    ),
    backend,
    database: {
      path: shown,
      engine,
      exists,
      ...(file ? { bytes: file.bytes, files: file.files, journalMode: file.journalMode } : {}),
      invocations,
      error: databaseError,
    },
    /** The projects holding data, with their invocations; `project` is the one in force. */
    projects: { project: settings.project, list: projects },
    spool,
    server: probe.ok
      ? { url: settings.mcpServerUrl, reachable: true, latencyMs: probe.latencyMs, health: probe.health }
      : { url: settings.mcpServerUrl, reachable: false, latencyMs: probe.latencyMs, reason: probe.reason },
  };
  if (ctx.json) {
    printJson(ctx, report);
    return 0;
  }

  const out = ctx.io.stdout;
  println(out, 'Settings:');
  println(
    out,
    table(Object.entries(report.settings), [
      { header: 'setting', value: ([k]) => k },
      { header: 'value', value: ([, v]) => (v.value === null ? 'null' : String(v.value)), maxWidth: 50 },
      { header: 'from', value: ([, v]) => v.source },
    ]),
  );
  println(out);
  println(
    out,
    keyValues([
      ['backend', `${backend.kind}: ${backend.why}`],
      ['database', `${shown} (${databaseSummary(engine, file, exists, invocations, databaseError)})`],
      ['projects', projectsSummary(settings.project, projects)],
      [
        'spool',
        spool.replayable + spool.inUse === 0
          ? `${spoolDir} (empty)`
          : `${spoolDir}: ${spool.replayable} file(s) to replay with 'skills sync', ${spool.inUse} in use by running trackers`,
      ],
      [
        'server',
        probe.ok
          ? `${settings.mcpServerUrl} ok (version ${probe.health.version}, ${probe.health.transport}, up ${Math.round(probe.health.uptime_seconds)} s, ${probe.latencyMs.toFixed(0)} ms)`
          : `${settings.mcpServerUrl} unreachable: ${probe.reason}`,
      ],
    ]),
  );
  return 0;
}

/** A setting's value as `status` shows it: a database location without its password. */
function shownSetting(key: string, value: unknown, cwd: string): unknown {
  return (key === 'dbUrl' || key === 'dbPath') && typeof value === 'string' ? describeStore(value, ENGINES, { cwd }) : value;
}

/** Each project with its invocations, the one in force marked (it may hold nothing yet). */
function projectsSummary(inForce: string, projects: readonly ProjectCount[] | null): string {
  if (projects === null) return `in force: ${inForce} (the database cannot be read)`;
  const listed = projects.some((p) => p.project === inForce) ? projects : [...projects, { project: inForce, invocations: 0 }];
  return listed.map((p) => `${p.project}${p.project === inForce ? ' (in force)' : ''}: ${p.invocations}`).join(', ');
}

function databaseSummary(engine: string | null, file: DatabaseFileInfo | null, exists: boolean, invocations: number | null, error: string | null): string {
  if (engine === null) return `cannot open: ${error}`;
  const failed = error ? `; cannot read: ${error}` : '';
  if (file === null) return `${engine}, ${invocations ?? '?'} invocations${failed}`;
  if (!exists) return 'does not exist yet; the first tracked invocation creates it';
  const companions = file.files.length > 1 ? ` with ${file.files.length - 1} companion files` : '';
  return `${formatBytes(file.bytes)}${companions}, ${file.journalMode ?? 'not SQLite'} journal, ${invocations ?? '?'} invocations${failed}`;
}
