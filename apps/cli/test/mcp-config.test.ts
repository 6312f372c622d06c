import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/errors.js';
import { MCP_HOSTS, mcpConfigSnippet, type McpConfigInput, type McpHost } from '../src/commands/mcp-config.js';
import { BIN, skills, tempDir } from './support.js';

/** The paths the server README's examples show (a project in /home/me/project). */
const EXAMPLE: Omit<McpConfigInput, 'host' | 'transport' | 'token'> = {
  node: '/usr/local/bin/node',
  entry: '/home/me/project/node_modules/@skills/cli/dist/bin.js',
  db: '/home/me/project/.skills/skills.db',
  url: 'http://127.0.0.1:8678/mcp',
};
const snippet = (host: McpHost, transport: 'stdio' | 'http', token = false) => mcpConfigSnippet({ ...EXAMPLE, host, transport, token });

describe('mcp-config snippets', () => {
  it('stdio: each host starts `node <entry> serve --stdio --db <absolute db>` in its own format', () => {
    const args = [EXAMPLE.entry, 'serve', '--stdio', '--db', EXAMPLE.db];
    expect(JSON.parse(snippet('claude-desktop', 'stdio').text)).toEqual({ mcpServers: { skills: { command: EXAMPLE.node, args } } });
    expect(JSON.parse(snippet('cursor', 'stdio').text)).toEqual({ mcpServers: { skills: { command: EXAMPLE.node, args } } });
    // VS Code keys its file by `servers` and wants the `type` of every server.
    expect(JSON.parse(snippet('vscode', 'stdio').text)).toEqual({ servers: { skills: { type: 'stdio', command: EXAMPLE.node, args } } });
    expect(snippet('claude-code', 'stdio').text).toBe(`claude mcp add --transport stdio skills -- ${EXAMPLE.node} ${args.join(' ')}`);
  });

  it('http: the endpoint, and the token by its variable only when the server has one', () => {
    expect(JSON.parse(snippet('cursor', 'http').text)).toEqual({ mcpServers: { skills: { url: EXAMPLE.url } } });
    expect(JSON.parse(snippet('vscode', 'http').text)).toEqual({ servers: { skills: { type: 'http', url: EXAMPLE.url } } });
    expect(snippet('claude-code', 'http').text).toBe(`claude mcp add --transport http skills ${EXAMPLE.url}`);

    expect(JSON.parse(snippet('cursor', 'http', true).text)).toEqual({
      mcpServers: { skills: { url: EXAMPLE.url, headers: { Authorization: 'Bearer ${env:SKILLS_SERVER_TOKEN}' } } },
    });
    expect(JSON.parse(snippet('vscode', 'http', true).text)).toEqual({
      inputs: [{ type: 'promptString', id: 'skills-server-token', description: 'Bearer token of the skills server (SKILLS_SERVER_TOKEN)', password: true }],
      servers: { skills: { type: 'http', url: EXAMPLE.url, headers: { Authorization: 'Bearer ${input:skills-server-token}' } } },
    });
    expect(snippet('claude-code', 'http', true).text).toBe(
      `claude mcp add --transport http skills ${EXAMPLE.url} --header "Authorization: Bearer $SKILLS_SERVER_TOKEN"`,
    );
  });

  it('Claude Desktop over HTTP is refused: its file only lists servers it starts', () => {
    expect(() => snippet('claude-desktop', 'http')).toThrow(UsageError);
    expect(() => snippet('claude-desktop', 'http')).toThrow(/--http: Claude Desktop's claude_desktop_config.json only lists servers it starts itself; use --stdio/);
  });

  it('claude mcp add: paths the shell would split are quoted', () => {
    const text = mcpConfigSnippet({ ...EXAMPLE, db: "/home/me/My Project/it's.db", host: 'claude-code', transport: 'stdio', token: false }).text;
    expect(text.endsWith(`--db '/home/me/My Project/it'\\''s.db'`)).toBe(true);
  });
});

describe('skills mcp-config', () => {
  it('prints the snippet on stdout with this installation\'s absolute paths, and where it goes on stderr', async () => {
    const dir = realpathSync(tempDir());
    const r = await skills(['mcp-config', '--host', 'vscode', '--db', 'data/my.db'], { cwd: dir });
    expect(r.stderr).toBe('Merge it into .vscode/mcp.json in your workspace (or the user mcp.json: MCP: Open User Configuration).\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      servers: { skills: { type: 'stdio', command: process.execPath, args: [realpathSync(BIN), 'serve', '--stdio', '--db', join(dir, 'data', 'my.db')] } },
    });
  });

  it('--http refers to the token by its variable and never prints its value', async () => {
    const secret = 'a-secret-token-0123456789abcdef';
    const r = await skills(['mcp-config', '--host', 'cursor', '--http'], { env: { SKILLS_SERVER_TOKEN: secret, SKILLS_MCP_URL: 'http://127.0.0.1:9000' } });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(JSON.parse(r.stdout)).toEqual({
      mcpServers: { skills: { url: 'http://127.0.0.1:9000/mcp', headers: { Authorization: 'Bearer ${env:SKILLS_SERVER_TOKEN}' } } },
    });
  });

  it('bad usage: exit 2 with one line naming the option and the rule', async () => {
    const cases: Array<[string[], string]> = [
      [['mcp-config'], `--host is required: one of ${MCP_HOSTS.join(', ')}`],
      [['mcp-config', '--host', 'emacs'], `--host must be one of ${MCP_HOSTS.join(', ')}, got "emacs"`],
      [['mcp-config', '--host', 'cursor', '--stdio', '--http'], '--stdio and --http exclude each other'],
      [['mcp-config', '--host', 'claude-desktop', '--http'], "--http: Claude Desktop's claude_desktop_config.json only lists servers it starts itself; use --stdio"],
    ];
    const results = await Promise.all(cases.map(([args]) => skills(args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(2);
      expect(r.stderr).toContain(`${cases[i]![1]}. See 'skills mcp-config --help'.\n`);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    });
  });
});

/**
 * The server README's registration section is this output, so that it cannot drift from the
 * command. `UPDATE_README=1 npx vitest run test/mcp-config.test.ts` rewrites it.
 */
describe('apps/server/README.md', () => {
  const README = join(import.meta.dirname, '..', '..', 'server', 'README.md');
  const START = '<!-- mcp-config:start (generated from `skills mcp-config` by apps/cli/test/mcp-config.test.ts) -->';
  const END = '<!-- mcp-config:end -->';
  const TITLES: Record<McpHost, string> = { 'claude-code': 'Claude Code', 'claude-desktop': 'Claude Desktop', cursor: 'Cursor', vscode: 'VS Code' };

  function block(host: McpHost, transport: 'stdio' | 'http'): string {
    const s = snippet(host, transport, transport === 'http');
    const command = `skills mcp-config --host ${host}${transport === 'http' ? ' --http' : ''}`;
    const lang = host === 'claude-code' ? 'sh' : 'json';
    return [`\`${command}\`${transport === 'http' ? ' (the server has a token)' : ''}:`, '', `\`\`\`${lang}`, s.text, '```', '', s.where].join('\n');
  }

  function generated(): string {
    const sections = MCP_HOSTS.map((host) =>
      [`### ${TITLES[host]}`, '', block(host, 'stdio'), ...(host === 'claude-desktop' ? [] : ['', block(host, 'http')])].join('\n'),
    );
    return [START, ...sections.flatMap((s) => [s, '']), END].join('\n');
  }

  it('shows exactly what `skills mcp-config` prints for each host', () => {
    const text = readFileSync(README, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start, `${README} has no ${START} marker`).toBeGreaterThan(-1);
    const current = text.slice(start, end + END.length);
    if (process.env['UPDATE_README'] === '1') writeFileSync(README, text.replace(current, generated()));
    else expect(current).toBe(generated());
  });
});
