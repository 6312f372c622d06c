import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import { redactUrl, type Logger, type StoreEngine } from '@skills/protocol';
import { openSqliteStore, sqliteEngine } from '@skills/store-sqlite';
import { startSkillsServer, type RunningSkillsServer } from './server.js';
import { BIN, tempDir, testSettings } from './test-support/harness.js';

const PASSWORD = 'S3CRET-9d2e';

/**
 * A second engine, for `scratch://USER:PASSWORD@HOST/NAME` URLs, storing in a real SQLite file
 * NAME.db of `dir`: the server ships no engine whose URLs carry a password yet.
 */
function scratchEngine(dir: string): StoreEngine {
  return {
    name: 'scratch',
    schemes: ['scratch:'],
    open: (target) => openSqliteStore({ path: join(dir, `${new URL(target).pathname.slice(1)}.db`) }),
    describe: redactUrl,
  };
}

describe('a store URL with a password, served', () => {
  const lines: string[] = [];
  const logger: Logger = { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  let server: RunningSkillsServer;
  let client: SkillsMcpClient;

  beforeAll(async () => {
    const dir = tempDir();
    const settings = testSettings(dir, { dbUrl: `scratch://team:${PASSWORD}@db.example/main` });
    server = await startSkillsServer({ settings, engines: [sqliteEngine, scratchEngine(dir)], host: '127.0.0.1', port: 0, logger });
    client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000 });
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('never shows the password: /health, health_check, /metrics, the dashboard API, the log', async () => {
    await client.trackInvocation({ session_id: 's', skill_name: 'linter', user_query: 'lint the code' });
    const health = (await (await fetch(new URL('/health', server.url))).json()) as { database: { path: string; invocations: number } };
    expect(health.database).toEqual({ path: 'scratch://team:***@db.example/main', invocations: 1 });
    const outputs = [
      JSON.stringify(health),
      JSON.stringify(await client.healthCheck()),
      ...(await Promise.all(
        ['/metrics', '/', '/api/overview?bucket=day', '/api/skills/linter?bucket=day', '/api/recommend?query=lint'].map(async (path) =>
          (await fetch(new URL(path, server.url))).text(),
        ),
      )),
      lines.join('\n'),
    ];
    for (const output of outputs) expect(output).not.toContain(PASSWORD);
  });
});

/** Runs the built server in `cwd` until it exits. */
function runServer(cwd: string, args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, '--port', '0', ...args], { cwd, env: { ...process.env, SKILLS_SERVER_TOKEN: '', SKILLS_DB_PATH: '', ...env } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise<{ code: number | null; output: string }>((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('a URL no engine of the server opens (issue 15)', () => {
  it.each([
    ['--db', (url: string) => ({ args: ['--db', url], env: {} })],
    ['SKILLS_DB_URL', (url: string) => ({ args: [], env: { SKILLS_DB_URL: url } })],
  ])('given by %s: refused at start, naming the engines, never the password, creating nothing', async (_, given) => {
    const cwd = tempDir();
    const { args, env } = given(`mysql://skills:${PASSWORD}@127.0.0.1:3306/skills`);
    const { code, output } = await runServer(cwd, args, env);
    expect(code).toBe(1);
    expect(output).toContain('no store engine opens mysql: URLs (mysql://skills:***@127.0.0.1:3306/skills); engines available: sqlite (plain paths, sqlite:); postgres (postgres:, postgresql:)');
    expect(output).not.toContain(PASSWORD);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
