import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@skills/store-sqlite';
import type { RunningSkillsServer } from '../src/server.js';
import { startTestServer, tempDir } from '../src/test-support/harness.js';

/** The built tracker, as a host installs it (the package's `test` task runs after `build`). */
const TRACKER = pathToFileURL(fileURLToPath(new URL('../node_modules/@skills/tracker/dist/index.js', import.meta.url))).href;

/**
 * A short-lived host: tracks one invocation, then awaits `flush()` or `close()` as its last line
 * and prints the backend. Nothing else keeps its event loop alive.
 */
const SCRIPT = `
const [tracker, backend, mcpServerUrl, dbPath, ending] = process.argv.slice(2);
const { createSkillsTracker } = await import(tracker);
const t = await createSkillsTracker({ backend, mcpServerUrl, dbPath, env: {}, embedder: 'lexical', sessionId: 'short-lived' });
t.trackInvocation({ skillName: 'short-lived-script' })?.({ completed: true });
await (ending === 'close' ? t.close() : t.flush());
process.stdout.write(JSON.stringify(t.getBackend()));
`;

let server: RunningSkillsServer;
let script: string;

beforeAll(async () => {
  const dir = tempDir('skills-exit-server-');
  server = await startTestServer(dir);
  script = join(dir, 'short-lived.mjs');
  writeFileSync(script, SCRIPT);
});
afterAll(() => server.close());

/** Runs the script in a fresh folder; its exit code, output and database path. */
function runScript(backend: string, ending: 'flush' | 'close'): Promise<{ code: number | null; stdout: string; stderr: string; dbPath: string }> {
  const dbPath = join(tempDir('skills-exit-host-'), 'skills.db');
  const env = { ...process.env };
  delete env['SKILLS_SERVER_TOKEN'];
  const child = spawn(process.execPath, [script, TRACKER, backend, server.url, dbPath, ending], { env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A host that hangs fails the test rather than the run.
  const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr, dbPath });
    }),
  );
}

async function atServer(sessionId: string) {
  return server.app.service.store.listInvocations({ sessionId }, { limit: 100 });
}

describe('a short-lived process that awaits flush() or close() as its last line', () => {
  // Node.js exits with code 13 when the event loop empties while a top-level await is pending:
  // the MCP tracker's timers are unref'd, so without a hold the send never happened.
  for (const backend of ['mcp', 'auto'] as const) {
    for (const ending of ['flush', 'close'] as const) {
      it(`${backend} backend, ${ending}(): exits 0 with the invocation at the server`, async () => {
        const before = (await atServer('short-lived')).length;
        const run = await runScript(backend, ending);
        expect(run.code, run.stderr).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'mcp', requested: backend });
        const stored = await atServer('short-lived');
        expect(stored).toHaveLength(before + 1);
        expect(stored[0]).toMatchObject({ skillName: 'short-lived-script', status: 'completed' });
      });
    }
  }

  it('direct backend, flush(): exits 0 with the invocation on disk', async () => {
    const run = await runScript('direct', 'flush');
    expect(run.code, run.stderr).toBe(0);
    const store = await openSqliteStore({ path: run.dbPath, readonly: true });
    try {
      expect(await store.listInvocations(undefined, { limit: 10 })).toMatchObject([{ skillName: 'short-lived-script', status: 'completed' }]);
    } finally {
      await store.close();
    }
  });
});
