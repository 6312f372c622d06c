// The command forms the READMEs give MCP hosts and shell scripts, run exactly as written from the
// repository root (`pnpm -s skills ...`: pnpm, scripts/run-built.mjs, its turbo build, the bin):
// whoever reads their stdout must get the program's output and nothing else (no pnpm banner, no
// build output).
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** This environment without the developer's own skills settings; the lexical embedder; no server. */
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CRACKERJACK_)?SKILLS_/.test(k))),
  SKILLS_EMBEDDER: 'lexical',
  SKILLS_MCP_URL: 'http://127.0.0.1:9',
};

describe('the commands the READMEs document, run as written', () => {
  it('`pnpm -s skills serve --stdio` writes only JSON-RPC messages on stdout', async () => {
    const db = join(tempDir(), 'stdio.db');
    const child = spawn('pnpm', ['-s', 'skills', 'serve', '--stdio', '--db', db], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const answered = new Set<number>();
    const lines: string[] = [];
    const closed = new Promise<number | null>((resolvePromise) => child.on('close', (code) => resolvePromise(code)));
    const bothAnswered = new Promise<void>((resolvePromise, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        let end: number;
        while ((end = stdout.indexOf('\n')) >= 0) {
          const line = stdout.slice(0, end);
          stdout = stdout.slice(end + 1);
          lines.push(line);
          try {
            const id = (JSON.parse(line) as { id?: unknown }).id;
            if (typeof id === 'number') answered.add(id);
          } catch {
            // Checked below with every other line.
          }
          if (answered.has(1) && answered.has(2)) resolvePromise();
        }
      });
      void closed.then((code) => reject(new Error(`exited ${code} before answering; stdout: ${lines.join('\n')}${stdout}; stderr: ${stderr}`)));
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'readme-test', version: '0.0.0' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'health_check', arguments: {} } });
    try {
      await bothAnswered;
    } finally {
      child.stdin.end(); // the host goes away: the server stops
    }
    expect(await closed).toBe(0);
    const all = [...lines, ...(stdout === '' ? [] : [stdout])];
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const line of all) {
      let message: unknown;
      expect(() => (message = JSON.parse(line)), `not JSON on stdout: ${line}`).not.toThrow();
      expect(message, line).toMatchObject({ jsonrpc: '2.0' });
    }
    expect(stderr).toContain('serving MCP over stdio');
  });

  it('`id=$(pnpm -s skills track ...)` captures the id and nothing else', () => {
    const db = join(tempDir(), 'track.db');
    const script = 'id=$(pnpm -s skills track code-reviewer --query "review the auth change" --phase verification --db "$DB") && printf "%s" "$id"';
    const run = spawnSync('sh', ['-c', script], { cwd: ROOT, env: { ...env, DB: db }, encoding: 'utf8', timeout: 50_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
