import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SkillsError, type Settings } from '@skills/protocol';
import { loadSettings } from '@skills/tracker';
import { ProjectGrant } from './project-grant.js';
import { isLoopbackHost, tokenProblem } from './security.js';
import { readTokenFile, TokenFileError, type ScopedToken } from './token-file.js';

/** What the command line, the environment and the settings files decide. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly stdio: boolean;
  readonly help: boolean;
  readonly settings: Settings;
  /**
   * The bearer tokens accepted on every route but `/health`, each with the projects it reaches
   * (empty: no token needed). At least one is required to listen beyond loopback.
   */
  readonly tokens: readonly ScopedToken[];
  /** Host names answered besides loopback names and the bound address (DNS-rebinding protection). */
  readonly allowedHosts: readonly string[];
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Things to tell the operator at start (e.g. a token file others can read). */
  readonly warnings: readonly string[];
}

/** Default largest request body: 4 MiB, enough for a 500-record batch of 8,000-character queries. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A bad flag or value: a message for people and exit code 2. */
export class UsageError extends SkillsError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

export const USAGE = `Usage: skills-server [--host H] [--port P] [--db PATH] [--token-file PATH] [--allowed-hosts LIST]
                     [--max-body-bytes N] [--stdio] [--help]

Serves the skills MCP tools (track_invocation, complete_invocation, track_invocations,
recommend_skills / get_recommendations, skill_stats, health_check).

  --host H     address to listen on (default 127.0.0.1; env SKILLS_SERVER_HOST)
  --port P     port to listen on, 0 for any free one (default 8678; env SKILLS_SERVER_PORT)
  --db PATH|URL
               the database: a SQLite file, or a URL (sqlite:PATH; other engines by their
               scheme). Default .skills/skills.db; env SKILLS_DB_URL (wins) or SKILLS_DB_PATH,
               settings db_url or db_path. A URL's password is never shown.
  --token-file PATH
               the bearer tokens (env SKILLS_TOKEN_FILE; else env SKILLS_SERVER_TOKEN, one
               token): the file holds one token (every project), or YAML listing tokens and
               the projects each may read and write ("tokens: [{name, token, projects}]",
               projects a list or "*"). With tokens, every request but GET /health must send
               "Authorization: Bearer <token>". Listening beyond loopback requires a token.
  --allowed-hosts LIST
               comma-separated host names clients may address the server by, besides loopback
               names and the address listened on (env SKILLS_SERVER_ALLOWED_HOSTS)
  --max-body-bytes N
               largest request body accepted (default 4194304, 4 MiB; env SKILLS_SERVER_MAX_BODY_BYTES)
  --stdio      speak MCP over stdin/stdout instead of HTTP (for hosts that spawn servers)
  --help       show this help

Over HTTP: MCP at /mcp (Streamable HTTP), the dashboard at / (JSON under /api/), GET /health,
GET /metrics (Prometheus).
Without --host/--port, the host and port of the mcp_server_url setting are used when it
names this machine, so trackers and the server configured by the same settings agree.`;

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
  let values: {
    host?: string;
    port?: string;
    db?: string;
    'token-file'?: string;
    'allowed-hosts'?: string;
    'max-body-bytes'?: string;
    stdio?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        db: { type: 'string' },
        'token-file': { type: 'string' },
        'allowed-hosts': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        stdio: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  if (values.db !== undefined && values.db.trim() === '') throw new UsageError('--db needs a file path or a URL');
  // `--db` takes a path or a URL, and sets `dbUrl`: it wins over `dbPath` and SKILLS_DB_PATH.
  const { settings } = loadSettings({ cwd, env, overrides: { dbUrl: values.db } });

  const fromUrl = loopbackAddress(settings.mcpServerUrl);
  const host = nonEmpty(values.host) ?? nonEmpty(env['SKILLS_SERVER_HOST']) ?? fromUrl?.host ?? '127.0.0.1';
  const portText = nonEmpty(values.port) ?? nonEmpty(env['SKILLS_SERVER_PORT']);
  const port = portText !== undefined ? parsePort(portText, values.port !== undefined ? '--port' : 'SKILLS_SERVER_PORT') : (fromUrl?.port ?? 8678);
  const stdio = values.stdio ?? false;
  const warnings: string[] = [];

  const tokens = readTokens(values['token-file'], env, cwd, warnings);
  if (tokens.length === 0 && !stdio && !values.help && !isLoopbackHost(host)) {
    throw new UsageError(
      `refusing to listen on ${host} without a token: anyone who can reach that address could read and write the database. ` +
        `Set SKILLS_SERVER_TOKEN (or --token-file PATH) to a secret of at least 16 characters (e.g. from \`openssl rand -hex 32\`) ` +
        `and give clients the same value, or listen on 127.0.0.1`,
    );
  }
  const hostsText = values['allowed-hosts'] ?? env['SKILLS_SERVER_ALLOWED_HOSTS'] ?? '';
  const allowedHosts = hostsText
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  for (const h of allowedHosts) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.:-]+)$/.test(h) || h === '*') {
      throw new UsageError(`${values['allowed-hosts'] !== undefined ? '--allowed-hosts' : 'SKILLS_SERVER_ALLOWED_HOSTS'} takes host names or addresses separated by commas, got "${h}"`);
    }
  }
  const bodyText = nonEmpty(values['max-body-bytes']) ?? nonEmpty(env['SKILLS_SERVER_MAX_BODY_BYTES']);
  const maxBodyBytes = bodyText === undefined ? DEFAULT_MAX_BODY_BYTES : parseBodyLimit(bodyText, values['max-body-bytes'] !== undefined ? '--max-body-bytes' : 'SKILLS_SERVER_MAX_BODY_BYTES');
  return { host, port, stdio, help: values.help ?? false, settings, tokens, allowedHosts, maxBodyBytes, warnings };
}

/**
 * The tokens from `--token-file` (first), the file `SKILLS_TOKEN_FILE` names, or `SKILLS_SERVER_TOKEN`
 * (one token, every project); surrounding whitespace and newlines dropped. None: an empty list.
 */
function readTokens(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string, warnings: string[]): ScopedToken[] {
  if (flag !== undefined && flag.trim() === '') throw new UsageError('--token-file needs a file path');
  const [file, source] = flag !== undefined ? [flag, '--token-file'] : [nonEmpty(env['SKILLS_TOKEN_FILE']), 'SKILLS_TOKEN_FILE'];
  if (file !== undefined) {
    try {
      return readTokenFile(resolve(cwd, file), source, warnings);
    } catch (error) {
      throw error instanceof TokenFileError ? new UsageError(error.message) : error;
    }
  }
  const fromEnv = nonEmpty(env['SKILLS_SERVER_TOKEN']);
  if (fromEnv === undefined) return [];
  const problem = tokenProblem(fromEnv, 'SKILLS_SERVER_TOKEN');
  if (problem) throw new UsageError(problem);
  return [{ token: fromEnv, grant: ProjectGrant.ALL }];
}

function parseBodyLimit(text: string, source: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1024 || n > 1024 * 1024 * 1024) throw new UsageError(`${source} must be a whole number of bytes from 1024 to 1073741824, got "${text}"`);
  return n;
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
  if (!isLoopbackHost(host)) return undefined;
  return { host, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
}

