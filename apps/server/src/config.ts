import { parseArgs } from 'node:util';
import { SkillsError, type Settings } from '@skills/protocol';
import { loadSettings } from '@skills/tracker';

/** What the command line, the environment and the settings files decide. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly stdio: boolean;
  readonly help: boolean;
  readonly settings: Settings;
}

/** A bad flag or value: a message for people and exit code 2. */
export class UsageError extends SkillsError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export const USAGE = `Usage: skills-server [--host H] [--port P] [--db PATH] [--stdio] [--help]

Serves the skills MCP tools (track_invocation, complete_invocation, track_invocations,
recommend_skills / get_recommendations, skill_stats, health_check).

  --host H     address to listen on (default 127.0.0.1; env SKILLS_SERVER_HOST)
  --port P     port to listen on, 0 for any free one (default 8678; env SKILLS_SERVER_PORT)
  --db PATH    SQLite database (default .skills/skills.db; env SKILLS_DB_PATH, setting db_path)
  --stdio      speak MCP over stdin/stdout instead of HTTP (for hosts that spawn servers)
  --help       show this help

Over HTTP: MCP at /mcp (Streamable HTTP), GET /health, GET /metrics (Prometheus).
Without --host/--port, the host and port of the mcp_server_url setting are used when it
names this machine, so trackers and the server configured by the same settings agree.`;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * Reads flags, then the environment (`SKILLS_SERVER_HOST`, `SKILLS_SERVER_PORT`), then the
 * settings (`loadSettings`: files, `SKILLS_*` variables, with `--db` as the highest layer).
 *
 * @throws {UsageError} for an unknown flag or a bad port. {@link SettingsError} for a bad setting.
 */
export function resolveConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): ServerConfig {
  let values: { host?: string; port?: string; db?: string; stdio?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        db: { type: 'string' },
        stdio: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { settings } = loadSettings({ cwd, env, overrides: { dbPath: values.db } });
  if (values.db !== undefined && values.db.trim() === '') throw new UsageError('--db needs a file path');

  const fromUrl = loopbackAddress(settings.mcpServerUrl);
  const host = nonEmpty(values.host) ?? nonEmpty(env['SKILLS_SERVER_HOST']) ?? fromUrl?.host ?? '127.0.0.1';
  const portText = nonEmpty(values.port) ?? nonEmpty(env['SKILLS_SERVER_PORT']);
  const port = portText !== undefined ? parsePort(portText, values.port !== undefined ? '--port' : 'SKILLS_SERVER_PORT') : (fromUrl?.port ?? 8678);
  return { host, port, stdio: values.stdio ?? false, help: values.help ?? false, settings };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

function parsePort(text: string, source: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`${source} must be a whole number from 0 to 65535, got "${text}"`);
  return port;
}

/** Host and port of the settings' server URL when it names this machine. */
function loopbackAddress(url: string): { host: string; port: number } | undefined {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!LOOPBACK.has(host) && !/^127\./.test(host)) return undefined;
  return { host, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
}

