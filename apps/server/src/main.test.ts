import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import { SkillsService } from '@skills/tracker';
import { rawRequest, runBin, spawnServer, tempDir, testSettings } from './test-support/harness.js';

describe('the skills-server bin', () => {
  it('--help prints the flags and exits 0', async () => {
    const { code, stdout } = await runBin(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--host', '--port', '--db', '--stdio', '--help']) expect(stdout).toContain(flag);
  });

  it('an unknown flag or a bad port exits 2 with a clear message', async () => {
    const unknown = await runBin(['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/skills-server: Unknown option '--bogus'/);
    const port = await runBin(['--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be a whole number from 0 to 65535, got "eighty"');
    const env = await runBin([], { SKILLS_SERVER_PORT: '70000' });
    expect(env.stderr).toContain('SKILLS_SERVER_PORT must be a whole number');
  });

  it('a taken port exits non-zero with a clear message and no stack trace, and creates no database', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const dir = tempDir();
    try {
      const { code, stderr } = await runBin(['--port', String(port), '--db', join(dir, 'data', 'x.db')], { SKILLS_EMBEDDER: 'lexical' });
      expect(code).toBe(1);
      expect(stderr).toContain(`skills-server: port ${port} on 127.0.0.1 is already in use`);
      expect(stderr).not.toMatch(/\n\s+at /);
      // The port is bound before the database is opened: neither the file nor its folder exists.
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('takes host and port from the environment, and stops gracefully on SIGTERM with everything written', async () => {
    const dir = tempDir();
    const db = join(dir, 'graceful.db');
    const server = await spawnServer(['--db', db], { SKILLS_SERVER_HOST: '127.0.0.1', SKILLS_SERVER_PORT: '0', SKILLS_EMBEDDER: 'lexical' });
    const client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000 });
    await client.trackInvocation({ session_id: 'graceful', skill_name: 'first' });
    // Calls in flight when the signal arrives still get their answer; later ones are refused.
    // Either way, what was answered is exactly what is stored.
    const calls = Array.from({ length: 20 }, (_, i) => client.trackInvocation({ session_id: 'graceful', skill_name: `s${i}` }));
    const stopped = server.stop('SIGTERM');
    const results = await Promise.allSettled(calls);
    expect(await stopped).toBe(0);
    const answered = 1 + results.filter((r) => r.status === 'fulfilled').length;
    await client.close();
    expect(server.stderr()).toContain('SIGTERM');
    const service = await SkillsService.open({ settings: testSettings(dir, { dbPath: db }) });
    try {
      expect(await service.store.countInvocations()).toBe(answered);
    } finally {
      await service.close();
    }
  });

  it('refuses to listen beyond loopback without a token: exit code 2, a clear message, nothing bound', async () => {
    const db = join(tempDir(), 'never.db');
    const noToken = { SKILLS_SERVER_TOKEN: '', SKILLS_EMBEDDER: 'lexical' };
    for (const [args, env] of [
      [['--host', '0.0.0.0', '--port', '0', '--db', db], noToken],
      [['--port', '0', '--db', db], { ...noToken, SKILLS_SERVER_HOST: '::' }],
    ] as const) {
      const { code, stdout, stderr } = await runBin(args, env);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^skills-server: refusing to listen on (0\.0\.0\.0|::) without a token: anyone who can reach that address could read and write the database\. Set SKILLS_SERVER_TOKEN \(or --token-file PATH\)/);
      expect(stdout).not.toContain('listening');
      expect(stderr).not.toMatch(/\n\s+at /);
    }
    const shortFile = join(tempDir(), 'short-token');
    writeFileSync(shortFile, 'tooshort\n', { mode: 0o600 });
    const short = await runBin(['--host', '0.0.0.0', '--token-file', shortFile, '--db', db], noToken);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain(`the token in --token-file ${shortFile} must be at least 16 characters (got 8)`);
    const missing = await runBin(['--token-file', join(tempDir(), 'absent'), '--db', db], noToken);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--token-file: cannot read .*absent \(ENOENT\)/);
  });

  it('with --token-file: every route but /health needs the token; a token file others can read is warned about', async () => {
    const dir = tempDir();
    const tokenFile = join(dir, 'token');
    const token = 'bin-token-0123456789abcdef';
    writeFileSync(tokenFile, `${token}\n`);
    chmodSync(tokenFile, 0o644);
    const server = await spawnServer(['--port', '0', '--db', join(dir, 'auth.db'), '--token-file', tokenFile], { SKILLS_SERVER_TOKEN: '', SKILLS_EMBEDDER: 'lexical' });
    try {
      expect((await rawRequest(server.url, { path: '/metrics' })).status).toBe(401);
      expect((await rawRequest(server.url, { path: '/metrics', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await rawRequest(server.url, { path: '/health' })).status).toBe(200);
      const client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000, token });
      await client.trackInvocation({ session_id: 'bin', skill_name: 'authorized' });
      await client.close();
      expect(server.stderr()).toContain(`the token file ${tokenFile} can be read by other users; restrict it with: chmod 600 ${tokenFile}`);
      expect(server.stderr()).not.toContain(token);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('with a token file of projects (SKILLS_TOKEN_FILE): each token reaches its projects; a malformed file stops the start, naming the entry', async () => {
    const dir = tempDir();
    const file = join(dir, 'tokens.yaml');
    const alpha = 'alpha-bin-token-0123456789';
    const beta = 'beta-bin-token-0123456789';
    const env = { SKILLS_SERVER_TOKEN: '', SKILLS_EMBEDDER: 'lexical', SKILLS_TOKEN_FILE: file };
    writeFileSync(file, `tokens:\n  - name: a\n    token: ${alpha}\n    projects: [alpha]\n  - name: b\n    token: ${beta}\n    projects: [Beta]\n`, { mode: 0o600 });
    const refused = await runBin(['--port', '0', '--db', join(dir, 'never.db')], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`skills-server: SKILLS_TOKEN_FILE ${file}: tokens.1 ("b"): projects.0 must be 1-64 characters`);
    expect(refused.stderr).not.toContain(beta);
    expect(readdirSync(dir)).toEqual(['tokens.yaml']);

    writeFileSync(file, `tokens:\n  - name: a\n    token: ${alpha}\n    projects: [alpha]\n  - name: b\n    token: ${beta}\n    projects: [beta]\n`);
    const server = await spawnServer(['--port', '0', '--db', join(dir, 'projects.db')], env);
    try {
      const client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 5_000, token: alpha });
      try {
        await client.trackInvocation({ session_id: 'bin', skill_name: 'in-alpha' });
        const refusal = await client.callTool('skill_stats', { project: 'beta' });
        expect(refusal).toMatchObject({ isError: true, content: [{ text: 'project "beta" is not allowed for this token' }] });
      } finally {
        await client.close();
      }
      expect(server.stderr()).not.toContain(alpha);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const service = await SkillsService.open({ settings: testSettings(dir, { dbPath: join(dir, 'projects.db') }) });
    try {
      expect((await service.forProject('alpha').store.listInvocations()).map((r) => r.skillName)).toEqual(['in-alpha']);
      expect(await service.listProjects()).toEqual(['alpha']);
    } finally {
      await service.close();
    }
  });
});
