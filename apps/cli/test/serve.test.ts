import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, skills, tempDir } from './support.js';

describe('skills serve', () => {
  it('runs the server bin with --db, answers health, and stops with the server on SIGTERM', async () => {
    const dir = tempDir();
    const db = join(dir, 'served.db');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], {
      cwd: dir,
      env: { ...process.env, SKILLS_EMBEDDER: 'lexical' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line; stderr: ${stderr}`)), 20_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const m = /listening on (http:\/\/[^/\s]+)\/mcp/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    expect(stdout).toContain(`(database ${db})`);

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

  it('passes --token-file, --allowed-hosts and --max-body-bytes on to the server, which checks them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'token'), 'short\n');
    const db = join(dir, 'served.db');
    const short = await skills(['serve', '--port', '0', '--db', db, '--token-file', 'token'], { cwd: dir });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain(`the token in ${join(dir, 'token')} must be at least 16 characters`);
    const body = await skills(['serve', '--port', '0', '--db', db, '--max-body-bytes', 'nope']);
    expect(body.code).toBe(2);
    expect(body.stderr).toContain('--max-body-bytes must be a whole number of bytes');
  });
});
