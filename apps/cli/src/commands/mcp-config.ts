import { fileURLToPath } from 'node:url';
import { mcpEndpoint } from '@skills/mcp-client';
import { isStoreUrl, redactUrl } from '@skills/protocol';
import { println, type CommandContext } from '../cli/command.js';
import { cliSettings, databaseShown, databaseTarget } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';

/** The MCP hosts `skills mcp-config` writes a registration for. */
export const MCP_HOSTS = ['claude-code', 'claude-desktop', 'cursor', 'vscode'] as const;

/** One of {@link MCP_HOSTS}. */
export type McpHost = (typeof MCP_HOSTS)[number];

/** The name the server is registered under in every host. */
export const SERVER_NAME = 'skills';

/** The environment variable holding the server's bearer token (the server reads the same one). */
export const TOKEN_VARIABLE = 'SKILLS_SERVER_TOKEN';

/** Everything a registration depends on; all paths absolute. */
export interface McpConfigInput {
  readonly host: McpHost;
  /** `stdio`: the host starts `skills serve --stdio` itself; `http`: it connects to a running server. */
  readonly transport: 'stdio' | 'http';
  /** The Node.js executable: hosts start servers with a PATH of their own, which may lack `node`. */
  readonly node: string;
  /** The `skills` command's entry file. */
  readonly entry: string;
  /** The database the stdio server opens (hosts start servers in a working directory of their own). */
  readonly db: string;
  /** The server's Streamable HTTP endpoint. */
  readonly url: string;
  /** The HTTP server requires a bearer token: the snippet refers to it by its variable, never by value. */
  readonly token: boolean;
}

/** What to print: the snippet itself (stdout) and where it goes (stderr). */
export interface McpConfigSnippet {
  readonly text: string;
  readonly where: string;
}

/**
 * The exact text `host` expects to register the skills server: the `claude mcp add` command line
 * for Claude Code, the JSON of its configuration file for the others.
 *
 * @throws {UsageError} for Claude Desktop over HTTP: its configuration file only starts servers.
 */
export function mcpConfigSnippet(input: McpConfigInput): McpConfigSnippet {
  const args = [input.entry, 'serve', '--stdio', '--db', input.db];
  const bearer = (reference: string) => (input.token ? { headers: { Authorization: `Bearer ${reference}` } } : {});
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  switch (input.host) {
    case 'claude-code':
      return {
        text:
          input.transport === 'stdio'
            ? `claude mcp add --transport stdio ${SERVER_NAME} -- ${[input.node, ...args].map(shellQuote).join(' ')}`
            : `claude mcp add --transport http ${SERVER_NAME} ${shellQuote(input.url)}${input.token ? ` --header "Authorization: Bearer $${TOKEN_VARIABLE}"` : ''}`,
        where: 'Run it in your project folder (add --scope user after `add` for every project, --scope project to share it in .mcp.json).',
      };
    case 'claude-desktop':
      if (input.transport === 'http') {
        throw new UsageError("--http: Claude Desktop's claude_desktop_config.json only lists servers it starts itself; use --stdio");
      }
      return {
        text: json({ mcpServers: { [SERVER_NAME]: { command: input.node, args } } }),
        where:
          'Merge it into claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/, Windows: %APPDATA%\\Claude\\), then restart Claude Desktop.',
      };
    case 'cursor':
      return {
        text: json({
          mcpServers: {
            [SERVER_NAME]: input.transport === 'stdio' ? { command: input.node, args } : { url: input.url, ...bearer(`\${env:${TOKEN_VARIABLE}}`) },
          },
        }),
        where: 'Merge it into .cursor/mcp.json in your project (or ~/.cursor/mcp.json for every project).',
      };
    case 'vscode': {
      const inputId = 'skills-server-token';
      const server =
        input.transport === 'stdio'
          ? { type: 'stdio', command: input.node, args }
          : { type: 'http', url: input.url, ...bearer(`\${input:${inputId}}`) };
      const inputs =
        input.transport === 'http' && input.token
          ? { inputs: [{ type: 'promptString', id: inputId, description: `Bearer token of the skills server (${TOKEN_VARIABLE})`, password: true }] }
          : {};
      return {
        text: json({ ...inputs, servers: { [SERVER_NAME]: server } }),
        where: 'Merge it into .vscode/mcp.json in your workspace (or the user mcp.json: MCP: Open User Configuration).',
      };
    }
  }
}

/** `value` as one POSIX shell word: bare when it is safe, else single-quoted. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

function hostOption(value: unknown): McpHost {
  if (value === undefined) throw new UsageError(`--host is required: one of ${MCP_HOSTS.join(', ')}`);
  const host = MCP_HOSTS.find((h) => h === value);
  if (!host) throw new UsageError(`--host must be one of ${MCP_HOSTS.join(', ')}, got "${String(value)}"`);
  return host;
}

export async function run(ctx: CommandContext): Promise<number> {
  const host = hostOption(ctx.values['host']);
  if (ctx.values['stdio'] === true && ctx.values['http'] === true) throw new UsageError('--stdio and --http exclude each other');
  const loaded = cliSettings(ctx);
  const token = ctx.env[TOKEN_VARIABLE];
  const snippet = mcpConfigSnippet({
    host,
    transport: ctx.values['http'] === true ? 'http' : 'stdio',
    node: process.execPath,
    // This file is dist/commands/mcp-config.js and the command's entry dist/bin.js: the real path
    // wherever and however the command was installed (Node resolves links when it loads a module).
    entry: fileURLToPath(new URL('../bin.js', import.meta.url)),
    db: databaseShown(ctx, loaded),
    url: mcpEndpoint(loaded.settings.mcpServerUrl).href,
    token: token !== undefined && token.trim() !== '',
  });
  println(ctx.io.stdout, snippet.text);
  println(ctx.io.stderr, snippet.where);
  const target = databaseTarget(ctx, loaded);
  if (isStoreUrl(target) && redactUrl(target) !== target) {
    println(ctx.io.stderr, "The database URL's password is not printed (***): write it in, or give the server SKILLS_DB_URL in its environment.");
  }
  return 0;
}
