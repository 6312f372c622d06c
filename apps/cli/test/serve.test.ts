import { spawn } from 'node:child_process';
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
});
