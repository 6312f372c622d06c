import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, type ExpectStatic } from 'vitest';
import { openSqliteStore } from '@skills/store-sqlite';
import { waitFor } from '@skills/vitest-config/wait-for';
import { checkStoreHere, fixture, removeTempDirs, runFixture, tempDir } from './harness.mjs';

afterAll(removeTempDirs);

/** What a child wrote in its journal: the ids it tracked and the status each completer gave (pending when none). */
function trackedBy(journal: string) {
  const expected: Record<string, string> = {};
  for (const line of readFileSync(journal, 'utf8').split('\n')) {
    const [kind, id = '', status = ''] = line.split(' ');
    if (kind === 'T') expected[id] = 'pending'; // close() never ran: nothing marks them abandoned
    if (kind === 'C') expected[id] = status;
  }
  return expected;
}

/** The file holds exactly what the child tracked, each with the status it was given. */
async function expectAllStored(expect: ExpectStatic, dbPath: string, journal: string, count: number) {
  const expected = trackedBy(journal);
  expect(Object.keys(expected)).toHaveLength(count);
  const check = await checkStoreHere(dbPath, { inserted: Object.keys(expected), finished: expected });
  expect(check).toMatchObject({ integrity: ['ok'], missing: [], wrongStatus: [], problems: [], count });
}

interface Way {
  readonly way: string;
  readonly code: number | null;
  readonly signal?: NodeJS.Signals;
  /** Invocations tracked; all of them stored unless `lost`. */
  readonly tracked: number;
  readonly lost?: true;
  /** Text the host's own error output must show (the tracker itself must print nothing). */
  readonly stderr?: RegExp;
}

const WAYS: readonly Way[] = [
  { way: 'exit-in-async-callback', code: 3, tracked: 300 },
  { way: 'exit-while-flush-in-flight', code: 0, tracked: 250 },
  { way: 'exit-after-awaited-flush', code: 0, tracked: 300 },
  // The 'exit' event fires after an uncaught exception or an unhandled rejection (Node prints the
  // error and exits with 1): the last flush runs.
  { way: 'uncaught-exception', code: 1, tracked: 200, stderr: /Error: host bug in a timer/ },
  { way: 'unhandled-rejection', code: 1, tracked: 200, stderr: /Error: host bug in a promise/ },
  { way: 'uncaught-exception-handled-then-exit', code: 2, tracked: 200, stderr: /^host caught: host bug\n$/ },
  // A signal's default action ends the process with no 'exit' event: nothing unflushed survives,
  // as with SIGKILL. A host that handles the signal with process.exit() keeps everything.
  { way: 'sigterm-default', code: null, signal: 'SIGTERM', tracked: 200, lost: true },
  { way: 'sigterm-handled-by-host', code: 143, tracked: 200 },
];

describe('a host that ends without close()', () => {
  // Each way is its own process: run them side by side.
  it.concurrent.for(WAYS)('$way', async (w, { expect }) => {
    const dir = tempDir();
    const dbPath = join(dir, 'skills.db');
    const journal = join(dir, 'journal.txt');
    const result = await runFixture('exit-paths.mjs', [dbPath, w.way, journal], { cwd: dir });
    const how = `exit ${result.code} ${result.signal ?? ''}; stderr: ${result.stderr}`;
    expect(result.code, how).toBe(w.code);
    expect(result.signal, how).toBe(w.signal ?? null);
    if (w.stderr) expect(result.stderr).toMatch(w.stderr);
    else expect(result.stderr).toBe('');
    expect(result.stderr).not.toMatch(/\[skills\]/); // no storage error from the exit path
    if (w.lost) {
      expect(Object.keys(trackedBy(journal))).toHaveLength(w.tracked);
      const check = await checkStoreHere(dbPath);
      expect(check).toMatchObject({ integrity: ['ok'], count: 0 });
    } else {
      await expectAllStored(expect, dbPath, journal, w.tracked);
    }
  });

  it('exit-while-another-process-writes: the last flush waits for the write lock instead of failing', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'skills.db');
    await (await openSqliteStore({ path: dbPath })).close();
    const journal = join(dir, 'journal.txt');
    const host = spawn(process.execPath, [fixture('exit-paths.mjs'), dbPath, 'exit-while-another-process-writes', journal], {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    host.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    host.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const hostExit = once(host, 'close');
    try {
      await waitFor(
        () => {
          if (host.exitCode !== null) throw new Error(`host ended early: ${stderr}`);
          return stdout.includes('W\n');
        },
        { timeoutMs: 20_000, what: 'the host to have written' },
      );
      const holder = spawn(process.execPath, [fixture('hold-lock.mjs'), dbPath, '700'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const holderClosed = once(holder, 'close');
      await once(holder.stdout, 'data'); // "locked"
      const exitAsked = Date.now();
      host.stdin.end('exit\n');
      const [code] = (await hostExit) as [number | null];
      const waited = Date.now() - exitAsked;
      await holderClosed;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(waited).toBeGreaterThanOrEqual(300); // it did wait for the holder's commit
      await expectAllStored(expect, dbPath, journal, 300);
    } finally {
      host.kill('SIGKILL');
    }
  });
});
