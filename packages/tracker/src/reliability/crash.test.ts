import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@skills/vitest-config/wait-for';
import { checkStore, checkStoreHere, fixture, removeTempDirs, runSeed, tempDir } from './harness.mjs';
import { seededRandom } from '@skills/protocol';

afterAll(removeTempDirs);

const KILLS = 20;
/**
 * An invocation tracked this long before a SIGKILL must be on disk. The promise is one flush
 * interval (50 ms) of event-loop time; this allows for a write in progress and a loaded CI machine.
 */
const LOSS_BOUND_MS = 1_000;

/** Every writer started, so that none outlives its test whatever happens. */
const started = new Set<{ kill(signal: NodeJS.Signals): boolean }>();
afterEach(() => {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
});

interface Writer {
  /** The complete lines of its journal (read after it ended). */
  journal(): string[];
  /** How far it got: the size of its journal. */
  journalBytes(): number;
  /** True once it ended. */
  ended(): boolean;
  /** Lets a gated writer open its tracker and start. */
  go(): void;
  readonly stderr: () => string;
  waitFor(line: string, timeoutMs?: number): Promise<void>;
  kill(): Promise<{ killAt: number; code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts fixtures/crash-writer.mjs, gated: it loads its modules (most of its start-up time) and waits
 * for {@link Writer.go}. Its journal (what it tracked, completed and had promised) is a file; its
 * stdout carries only R (open) and B (busy).
 */
function startWriter(dir: string, dbPath: string, session: string, seed: number, mode: 'loop' | 'block' | 'idle' = 'loop'): Writer {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CRACKERJACK_)?SKILLS_/.test(k)));
  const journalPath = join(dir, `journal-${session}.txt`);
  const child = spawn(process.execPath, [fixture('crash-writer.mjs'), dbPath, session, String(seed), journalPath, mode, '--gated'], {
    cwd: dir,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  started.add(child);
  child.on('exit', () => started.delete(child));
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters = new Set<{ line: string; resolve: () => void }>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    let end: number;
    while ((end = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, end);
      partial = partial.slice(end + 1);
      lines.push(line);
      for (const w of waiters) if (w.line === line) w.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let ended = false;
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  return {
    journal() {
      if (!existsSync(journalPath)) return [];
      const text = readFileSync(journalPath, 'utf8');
      return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').slice(0, -1); // whole lines only
    },
    journalBytes: () => (existsSync(journalPath) ? statSync(journalPath).size : 0),
    ended: () => ended,
    go: () => void child.stdin.end('go\n'),
    stderr: () => stderr,
    waitFor(line, timeoutMs = 30_000) {
      if (lines.includes(line)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const seen = `${lines.length} lines: ${lines.slice(-3).join(' / ')}`;
          reject(new Error(`no "${line}" within ${timeoutMs} ms (${seen}); stderr: ${stderr}`));
        }, timeoutMs);
        const waiter = {
          line,
          resolve: () => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve();
          },
        };
        waiters.add(waiter);
        void closed.then(() => waiter.resolve()); // ended early: the caller's assertions will say why
      });
    },
    async kill() {
      const killAt = Date.now();
      child.kill('SIGKILL');
      return { killAt, ...(await closed) }; // 'close': stdout fully read
    },
  };
}

/** Splits a writer's lines into what `await flush()` promised and what it tracked after the last promise. */
function promisesOf(lines: readonly string[]) {
  const inserted: string[] = [];
  const finished: Record<string, string> = {};
  let tracked: { id: string; at: number }[] = [];
  let completed: { id: string; status: string }[] = [];
  const errors: string[] = [];
  for (const line of lines) {
    const [kind, id = '', a = ''] = line.split(' ');
    if (kind === 'T') tracked.push({ id, at: Number(a) });
    else if (kind === 'C') completed.push({ id, status: a });
    else if (kind === 'F') {
      inserted.push(...tracked.map((t) => t.id));
      for (const c of completed) finished[c.id] = c.status;
      tracked = [];
      completed = [];
    } else if (kind === 'E') errors.push(line);
  }
  return { inserted, finished, unpromised: tracked, errors };
}

describe('a writer killed with SIGKILL', () => {
  it(`${KILLS} times at random moments leaves a sound file holding everything flush() promised`, async () => {
    const seed = runSeed();
    const random = seededRandom(seed);
    const context = `seed ${seed} (replay with RELIABILITY_SEED=${seed})`;
    const dir = tempDir();
    const dbPath = join(dir, 'skills.db');
    const inserted: string[] = [];
    const finished: Record<string, string> = {};
    const lossAges: number[] = [];
    let survivedUnpromised = 0;

    // The next writers load their modules (most of a start-up) while this one runs and is checked;
    // they touch nothing before their go().
    const upcoming = [0, 1].map((r) => startWriter(dir, dbPath, `round-${r}`, seed + r));
    for (let round = 0; round < KILLS; round++) {
      const writer = upcoming.shift()!;
      writer.go();
      if (round + 2 < KILLS) upcoming.push(startWriter(dir, dbPath, `round-${round + 2}`, seed + round + 2));
      // One round in four is killed early: while opening, migrating or sweeping stale invocations.
      // Not a wait for anything: the kill lands at a random moment of the start-up, and every check
      // below holds whatever that moment is.
      if (round % 4 === 0) await new Promise((r) => setTimeout(r, random() * 150));
      else {
        // The others at a random point of their work (about 1 kB of journal per ms when unloaded),
        // so a loaded machine moves the kill in time but not in the work.
        await writer.waitFor('R');
        const at = 20_000 + random() * 300_000;
        await waitFor(() => writer.ended() || writer.journalBytes() >= at, { timeoutMs: 20_000, what: `${at} bytes of journal` });
      }
      const { killAt, code, signal } = await writer.kill();
      const where = `${context}, round ${round}`;
      expect(signal, `${where}: exit code ${code}, stderr: ${writer.stderr()}`).toBe('SIGKILL');
      expect(writer.stderr(), where).toBe('');

      const outcome = promisesOf(writer.journal());
      expect(outcome.errors, where).toEqual([]);
      inserted.push(...outcome.inserted);
      Object.assign(finished, outcome.finished);
      // The file is sound, holds everything promised (in this round and every earlier one) with its
      // promised status, and its aggregates equal a recount of its rows.
      const check = await checkStoreHere(dbPath, { inserted, finished, probe: outcome.unpromised.map((t) => t.id) });
      expect(check.integrity, where).toEqual(['ok']);
      expect(check.foreignKeys, where).toEqual([]);
      expect(check.missing, where).toEqual([]);
      expect(check.wrongStatus, where).toEqual([]);
      expect(check.problems, where).toEqual([]);

      // Tracked but not yet promised when the kill came: only recent ones may be lost.
      const absent = new Set(check.probeAbsent);
      for (const t of outcome.unpromised) {
        if (absent.has(t.id)) lossAges.push(killAt - t.at);
        else survivedUnpromised++;
      }
      const old = outcome.unpromised.filter((t) => absent.has(t.id) && killAt - t.at > LOSS_BOUND_MS);
      expect(old, `${where}: lost invocations tracked more than ${LOSS_BOUND_MS} ms before the kill`).toEqual([]);
    }
    expect(inserted.length, context).toBeGreaterThan(KILLS * 10);
    // And once more from a fresh process, as the next user of the file meets it.
    const final = await checkStore(dbPath, { inserted, finished });
    expect(final).toMatchObject({ integrity: ['ok'], missing: [], wrongStatus: [], problems: [] });
    console.info(
      `[reliability] ${context}: ${KILLS} kills, ${inserted.length} promised inserts all present; ` +
        `${survivedUnpromised} unpromised ones survived through the timer; ${lossAges.length} lost, ` +
        `tracked at most ${Math.max(0, ...lossAges)} ms before the kill`,
    );
  }, 180_000); // about 15 s; 40 s beside two busy processes; room for a machine busier still

  it('keeps what it tracked more than a flush interval before the kill, with no flush() called, when the event loop is free', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'skills.db');
    const writer = startWriter(dir, dbPath, 'idle-host', 1, 'idle');
    writer.go();
    // W: one flush interval of event-loop time after the last call (not of wall time, which a
    // loaded machine stretches): the tracker's own timer has written everything.
    await writer.waitFor('W');
    await writer.kill();
    const lines = writer.journal();
    const tracked = promisesOf(lines).unpromised.map((t) => t.id);
    const finished: Record<string, string> = Object.fromEntries(tracked.map((id) => [id, 'pending']));
    for (const line of lines) if (line.startsWith('C ')) finished[line.split(' ')[1]!] = 'completed';
    expect(tracked).toHaveLength(500);
    const check = await checkStoreHere(dbPath, { inserted: tracked, finished });
    expect(check).toMatchObject({ integrity: ['ok'], missing: [], wrongStatus: [], problems: [], count: 500 });
  });

  it('loses what it tracked while the host kept the event loop busy: the bound is event-loop time, not wall time', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'skills.db');
    const writer = startWriter(dir, dbPath, 'busy-host', 1, 'block');
    writer.go();
    await writer.waitFor('B'); // six flush intervals of wall time with the loop blocked: the timer never ran
    await writer.kill();
    const tracked = promisesOf(writer.journal()).unpromised;
    expect(tracked).toHaveLength(500);
    const check = await checkStoreHere(dbPath, { inserted: [], finished: {}, probe: tracked.map((t) => t.id) });
    expect(check.integrity).toEqual(['ok']);
    expect(check.probeAbsent).toHaveLength(500);
  });
});
