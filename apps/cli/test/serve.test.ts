import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { waitFor } from '@skills/vitest-config/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, skills, tempDir } from './support.js';

/** Servers started here, stopped whatever the test's outcome. */
const started = new Set<ChildProcess>();
afterEach(() => {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
});

/** Starts `skills serve ...args` in `dir` and resolves once it prints its address. */
async function serve(dir: string, args: readonly string[]): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: dir,
    env: { ...process.env, SKILLS_EMBEDDER: 'lexical' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 45 s; stderr: ${stderr}`)), 45_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /listening on (http:\/\/[^/\s]+)\/mcp/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${stderr}`));
    });
  });
  return { child, url, stdout: () => stdout };
}

/** GET `path` from `url` with this Host header: the status. */
function statusFor(url: string, path: string, host: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('skills serve', () => {
  it('runs the server bin with --db, answers health, and stops with the server on SIGTERM', async () => {
    const dir = tempDir();
    const db = join(dir, 'served.db');
    const { child, url, stdout } = await serve(dir, ['--port', '0', '--db', db]);
    expect(stdout()).toContain(`(database ${db})`);

    const status = await skills(['status', '--db', db, '--json'], { env: { SKILLS_MCP_URL: url } });
    const report = JSON.parse(status.stdout) as { backend: { kind: string }; server: { reachable: boolean } };
    expect(report.server.reachable).toBe(true);
    expect(report.backend.kind).toBe('mcp');

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const after = await skills(['status', '--db', db, '--json'], { env: { SKILLS_MCP_URL: url } });
    expect((JSON.parse(after.stdout) as { server: { reachable: boolean } }).server.reachable).toBe(false);
  });

  it('leaves no server behind when it is killed outright (SIGKILL, which it cannot pass on)', async () => {
    const dir = tempDir();
    const { child, url } = await serve(dir, ['--port', '0', '--db', join(dir, 'served.db')]);
    expect(await statusFor(url, '/health', new URL(url).host)).toBe(200);
    child.kill('SIGKILL');
    // The server learns it through its IPC channel, stops, and frees the port.
    await waitFor(() => statusFor(url, '/health', new URL(url).host).then(() => false, () => true), { timeoutMs: 30_000, intervalMs: 100, what: 'the server to stop after its skills serve was killed' });
  });

  it('passes --token-file, --allowed-hosts and --max-body-bytes on to the server, which checks them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'token'), 'short\n');
    const db = join(dir, 'served.db');
    const short = await skills(['serve', '--port', '0', '--db', db, '--token-file', 'token'], { cwd: dir });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain(`${join(dir, 'token')} must be at least 16 characters`);
    const body = await skills(['serve', '--port', '0', '--db', db, '--max-body-bytes', 'nope']);
    expect(body.code).toBe(2);
    expect(body.stderr).toContain('--max-body-bytes must be a whole number of bytes');
    const hosts = await skills(['serve', '--port', '0', '--db', db, '--allowed-hosts', 'skills.internal,bad host']);
    expect(hosts.code).toBe(2);
    expect(hosts.stderr).toContain('--allowed-hosts takes host names or addresses separated by commas, got "bad host"');
  });

  it('answers a Host named by --allowed-hosts and refuses any other name', async () => {
    const dir = tempDir();
    const { url } = await serve(dir, ['--port', '0', '--db', join(dir, 'served.db'), '--allowed-hosts', 'skills.internal']);
    const port = new URL(url).port;
    expect(await statusFor(url, '/health', `skills.internal:${port}`)).toBe(200);
    expect(await statusFor(url, '/health', `elsewhere.example:${port}`)).toBe(403);
    expect(await statusFor(url, '/health', `127.0.0.1:${port}`)).toBe(200);
  });
});
