import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@skills/vitest-config/wait-for';
import { openSqliteStore } from '@skills/store-sqlite';
import { pendingRecord, type InvocationRecord } from '@skills/protocol';
import { loadSettings } from '@skills/tracker';
import { openHookBackend } from './backend.js';
import { invocationIdFor } from './invocation-id.js';
import { postToolUse, preToolUse, sessionEnd, skillInput, stop, userPromptSubmit } from './test-support/fixtures.js';
import { runHookProcess } from './test-support/run-hook.js';

// The command against the real skills server (its built entry, as `skills-server` runs it),
// with a token: every event goes through the server into the server's database, none into the
// project's local one.

const SERVER_MAIN = join(import.meta.dirname, '..', '..', '..', 'apps', 'server', 'dist', 'main.js');
const TOKEN = 'hook-test-token-0123456789abcdef';

let server: ChildProcess;
let url: string;
let serverDb: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skills-claude-code-server-'));
  serverDb = join(dir, 'server.db');
  writeFileSync(join(dir, 'token'), TOKEN, { mode: 0o600 });
  server = spawn(process.execPath, [SERVER_MAIN, '--port', '0', '--db', serverDb, '--token-file', join(dir, 'token')], {
    cwd: dir,
    env: { ...process.env, SKILLS_EMBEDDER: 'lexical' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  url = await waitFor(() => /listening on (http:\/\/[^/\s]+)\/mcp/.exec(out)?.[1], { what: 'the server to listen' });
});

afterAll(() => {
  server?.kill('SIGTERM');
});

async function serverRecords(): Promise<Map<string, InvocationRecord>> {
  const store = await openSqliteStore({ path: serverDb });
  try {
    return new Map((await store.listInvocations({}, { limit: 100 })).map((r) => [r.id, r]));
  } finally {
    await store.close();
  }
}

describe('with the server running', () => {
  it('a session goes through the server: invocations, completion, abandonment and recommendations', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-'));
    const env = { SKILLS_BACKEND: 'mcp', SKILLS_MCP_URL: url, SKILLS_SERVER_TOKEN: TOKEN };
    const send = async (event: unknown) => {
      const run = await runHookProcess(cwd, event, env);
      expect(run.status).toBe(0);
      return run.stdout;
    };
    const S = 'server-session';
    await send(userPromptSubmit(S, 'summarise the pdf report', 'p1'));
    await send(preToolUse(S, 'Skill', skillInput('pdf'), 'toolu_1', 'p1'));
    await send(postToolUse(S, 'Skill', skillInput('pdf'), 'toolu_1', { success: true }, 900, 'p1'));
    await send(postToolUse(S, 'Skill', skillInput('pdf'), 'toolu_1', { success: true }, 5, 'p1')); // replayed
    // The tool events were handed to the server at once (by the fast path, over node:http): none waits here.
    expect((await serverRecords()).get(invocationIdFor(S, 'toolu_1'))).toMatchObject({ status: 'completed', durationSeconds: 0.9 });
    expect(existsSync(join(cwd, '.skills', 'hooks', 'journal.jsonl'))).toBe(false);
    await send(preToolUse(S, 'Skill', skillInput('linter'), 'toolu_2', 'p1'));
    await send(stop(S));

    const records = await serverRecords();
    expect(records.get(invocationIdFor(S, 'toolu_1'))).toMatchObject({ skillName: 'pdf', userQuery: 'summarise the pdf report', status: 'completed', durationSeconds: 0.9 });
    expect(records.get(invocationIdFor(S, 'toolu_2'))).toMatchObject({ skillName: 'linter', status: 'abandoned' });
    expect(existsSync(join(cwd, '.skills', 'skills.db'))).toBe(false);

    const answer = JSON.parse(await send(userPromptSubmit(S, 'summarise the pdf', 'p2'))) as { hookSpecificOutput: { additionalContext: string } };
    expect(answer.hookSpecificOutput.additionalContext).toMatch(/\n- pdf: .*1\/1 runs succeeded/);
    // The command's own hook settings hold when the server does the work.
    const off = await runHookProcess(cwd, userPromptSubmit(S, 'summarise the pdf', 'p3'), { ...env, SKILLS_HOOK_RECOMMEND: 'off' });
    expect(off.stdout).toBe('');
    await send(sessionEnd(S));
    expect(existsSync(join(cwd, '.skills', 'hooks', 'hook.log'))).toBe(false);
  });

  it('a wrong token: the event goes to the local store instead, and the log says why', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-'));
    const run = await runHookProcess(cwd, preToolUse('s', 'Skill', skillInput('pdf'), 'toolu_1'), {
      SKILLS_BACKEND: 'mcp',
      SKILLS_MCP_URL: url,
      SKILLS_SERVER_TOKEN: 'not-the-token',
    });
    expect(run.status).toBe(0);
    const log = readFileSync(join(cwd, '.skills', 'hooks', 'hook.log'), 'utf8');
    expect(log).toMatch(/skills server at .* did not answer \(.*401.*\); writing to /);
    expect(log).not.toContain('not-the-token');
    const store = await openSqliteStore({ path: join(cwd, '.skills', 'skills.db') });
    expect(await store.countInvocations()).toBe(1);
    await store.close();
  });
});

describe('HTTP hooks (POST /hooks/claude-code)', () => {
  const post = (event: unknown, token: string | null = TOKEN) =>
    fetch(`${url}/hooks/claude-code`, {
      method: 'POST',
      // What Claude Code sends: the JSON, its content type and the configured headers; no Origin.
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: typeof event === 'string' ? event : JSON.stringify(event),
    });

  it('a session posted to the server leaves the same invocations as the command, and the answer carries the recommendations', async () => {
    const S = 'http-session';
    expect((await post(userPromptSubmit(S, 'convert the invoice to pdf', 'p1'))).status).toBe(200);
    const events = [
      preToolUse(S, 'Skill', skillInput('pdf-convert'), 'toolu_1', 'p1'),
      postToolUse(S, 'Skill', skillInput('pdf-convert'), 'toolu_1', { success: true }, 800, 'p1'),
      postToolUse(S, 'Skill', skillInput('pdf-convert'), 'toolu_1', { success: true }, 800, 'p1'),
      preToolUse(S, 'mcp__files__convert', {}, 'toolu_2', 'p1'),
      stop(S),
    ];
    for (const event of events) {
      const response = await post(event);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    }
    const records = await serverRecords();
    expect(records.get(invocationIdFor(S, 'toolu_1'))).toMatchObject({ skillName: 'pdf-convert', userQuery: 'convert the invoice to pdf', status: 'completed', durationSeconds: 0.8 });
    expect(records.get(invocationIdFor(S, 'toolu_2'))).toMatchObject({ skillName: 'mcp__files__convert', status: 'abandoned' });

    const answer = await post(userPromptSubmit(S, 'convert the invoice', 'p2'));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    const body = (await answer.json()) as { hookSpecificOutput: { hookEventName: string; additionalContext: string } };
    expect(body.hookSpecificOutput.hookEventName).toBe('UserPromptSubmit');
    expect(body.hookSpecificOutput.additionalContext).toMatch(/\n- pdf-convert: .*1\/1 runs succeeded/);
    await post(preToolUse(S, 'Skill', skillInput('pdf-convert'), 'toolu_3', 'p2'));
    expect((await serverRecords()).get(invocationIdFor(S, 'toolu_3'))).toMatchObject({ selectionRank: 1, alternativesConsidered: expect.arrayContaining(['pdf-convert']) });
    expect((await post(sessionEnd(S))).status).toBe(200);
  });

  it('the same token rule as every route; a body that is not JSON is refused; an unknown event is an empty 200', async () => {
    expect((await post(stop('x'), null)).status).toBe(401);
    expect((await post(stop('x'), 'wrong-token')).status).toBe(401);
    expect((await post('{not json')).status).toBe(400);
    const unknown = await post({ session_id: 'x', hook_event_name: 'Notification' });
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toBe('');
  });
});

describe('a server without the hook endpoint (older than this package)', () => {
  it('takes the writes and answers recommendations over MCP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skills-claude-code-'));
    const { settings } = loadSettings({ env: { SKILLS_MCP_URL: url, SKILLS_EMBEDDER: 'lexical' } });
    const logged: string[] = [];
    // The MCP client takes the token from the environment, as every tracker does.
    process.env['SKILLS_SERVER_TOKEN'] = TOKEN;
    try {
      const backend = await openHookBackend(settings, { target: join(dir, 'local.db'), cwd: dir, server: true }, (m) => void logged.push(m));
      expect(backend.kind).toBe('mcp');
      const id = invocationIdFor('mcp-session', 'toolu_1');
      const at = new Date().toISOString();
      const record = pendingRecord({ skillName: 'mcp-fallback', userQuery: 'fall back to mcp' }, { id, sessionId: 'mcp-session', invokedAt: at });
      await backend.write({ inserts: [record] });
      await backend.write({ inserts: [record], completions: [{ id, completed: true, completedAt: at, durationSeconds: 0.5 }] });
      await backend.write({ abandon: [id] });
      expect((await serverRecords()).get(id)).toMatchObject({ skillName: 'mcp-fallback', status: 'completed', durationSeconds: 0.5 });
      expect((await backend.recommend({ userQuery: 'fall back to mcp' })).map((r) => r.skillName)).toContain('mcp-fallback');
      await backend.close();
    } finally {
      delete process.env['SKILLS_SERVER_TOKEN'];
    }
    expect(logged).toEqual([]);
    expect(existsSync(join(dir, 'local.db'))).toBe(false);
  });
});

describe('without a server', () => {
  it('auto (the default) writes to the local store, quietly', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-'));
    const closed = await freePort();
    const run = await runHookProcess(cwd, preToolUse('s', 'Skill', skillInput('pdf'), 'toolu_1'), { SKILLS_MCP_URL: `http://127.0.0.1:${closed}` });
    expect(run.status).toBe(0);
    expect(existsSync(join(cwd, '.skills', 'hooks', 'hook.log'))).toBe(false);
    const store = await openSqliteStore({ path: join(cwd, '.skills', 'skills.db') });
    expect(await store.countInvocations()).toBe(1);
    await store.close();
  });

  it('with the settings resolved, tool events wait in the journal (quietly with auto, logged with mcp) and reach the local store at the Stop', async () => {
    const closed = await freePort();
    for (const backend of ['auto', 'mcp']) {
      const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-'));
      const env = { SKILLS_BACKEND: backend, SKILLS_MCP_URL: `http://127.0.0.1:${closed}` };
      for (const event of [userPromptSubmit('s', 'make a pdf'), preToolUse('s', 'Skill', skillInput('pdf'), 'toolu_1'), postToolUse('s', 'Skill', skillInput('pdf'), 'toolu_1')]) {
        expect((await runHookProcess(cwd, event, env)).status).toBe(0);
      }
      const journal = readFileSync(join(cwd, '.skills', 'hooks', 'journal.jsonl'), 'utf8');
      expect(journal.split('\n').filter((l) => l !== '')).toHaveLength(2);
      expect((await runHookProcess(cwd, stop('s'), env)).status).toBe(0);
      const store = await openSqliteStore({ path: join(cwd, '.skills', 'skills.db') });
      expect((await store.listInvocations({})).map((r) => r.status)).toEqual(['completed']);
      await store.close();
      const logPath = join(cwd, '.skills', 'hooks', 'hook.log');
      const log = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
      if (backend === 'auto') expect(log).toBe('');
      else expect(log).toMatch(/skills server did not take the event \(connect ECONNREFUSED .*\); handling it here/);
    }
  });

  it('a server that accepts but never answers: the hook gives up at its timeout, exits 0 and logs it', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'skills-claude-code-'));
      const started = performance.now();
      const run = await runHookProcess(cwd, preToolUse('s', 'Skill', skillInput('pdf'), 'toolu_1'), {
        SKILLS_BACKEND: 'mcp',
        SKILLS_MCP_URL: `http://127.0.0.1:${port}`,
        SKILLS_MCP_TIMEOUT_MS: '60000',
        SKILLS_HOOK_TIMEOUT_MS: '500',
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toBe('');
      // The process start is most of this; the hook itself waited 0.5 s, not the 60 s MCP timeout.
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(readFileSync(join(cwd, '.skills', 'hooks', 'hook.log'), 'utf8')).toMatch(/gave up after 500 ms \(PreToolUse\)/);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
