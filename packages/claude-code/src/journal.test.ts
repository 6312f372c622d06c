import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { waitFor } from '@skills/vitest-config/wait-for';
import { appendToJournal, drainJournal, journalBacklog, JOURNAL_FILE, type JournalEntry } from './journal.js';

// The journal on real files; the faults (a write cut short, a drainer that died or is still at
// work) come from real processes.

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'skills-journal-'));
}

async function drainAll(dir: string, waitMs = 1000) {
  const replayed: JournalEntry[] = [];
  const logged: string[] = [];
  const count = await drainJournal(dir, { replay: async (e) => void replayed.push(e), log: (m) => void logged.push(m), waitMs });
  return { count, replayed, logged };
}

/** A file name claiming `entries` for process `pid` at `atMs`, as a drainer that died left it. */
function leaveClaim(dir: string, pid: number, atMs: number, entries: JournalEntry[]): string {
  const name = `journal.${String(atMs * 1000).padStart(16, '0')}.${pid}.claimed`;
  writeFileSync(join(dir, name), entries.map((e) => `\n${JSON.stringify(e)}`).join(''));
  return name;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

it('replays entries in the order they were appended, each once, and leaves no file behind', async () => {
  const dir = join(folder(), 'hooks'); // created by the first append
  for (let i = 0; i < 3; i++) appendToJournal(dir, { at: 1000 + i, event: { n: i } });
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(statSync(join(dir, JOURNAL_FILE)).mode & 0o777).toBe(0o600);
  expect(journalBacklog(dir)).toBe(3);
  const first = await drainAll(dir);
  expect(first.replayed).toEqual([0, 1, 2].map((i) => ({ at: 1000 + i, event: { n: i } })));
  expect(first.logged).toEqual([]);
  expect(readdirSync(dir)).toEqual([]);
  expect((await drainAll(dir)).count).toBe(0);
});

it('a write cut short (a file-size limit, as a full disk) leaves a part line that spoils no later entry', async () => {
  const dir = folder();
  appendToJournal(dir, { at: 1, event: 'before' });
  // A child appends an entry larger than its 1 KiB file-size limit allows: the write is cut short.
  const journalModule = join(import.meta.dirname, '..', 'dist', 'journal.js');
  const script = `import { appendToJournal } from ${JSON.stringify(journalModule)}; try { appendToJournal(${JSON.stringify(dir)}, { at: 2, event: 'x'.repeat(2000) }); } catch (e) { console.log(e.message); }`;
  const child = spawnSync('sh', ['-c', `trap '' XFSZ; ulimit -f 2; exec "${process.execPath}" --input-type=module -`], { input: script, encoding: 'utf8' });
  expect(child.stdout).toMatch(/the journal took \d+ of \d+ bytes/);
  appendToJournal(dir, { at: 3, event: 'after' });
  const { replayed, logged } = await drainAll(dir);
  expect(replayed).toEqual([{ at: 1, event: 'before' }, { at: 3, event: 'after' }]);
  expect(logged).toEqual([expect.stringMatching(/^journal: line 3 is not a journal entry \(\d+ characters\); skipped$/)]);
});

it('a claim left by a drainer that died is replayed once, before the journal', async () => {
  const dir = folder();
  const left = leaveClaim(dir, deadPid(), Date.now(), [{ at: 1, event: 'claimed' }]);
  appendToJournal(dir, { at: 2, event: 'journal' });
  const { replayed } = await drainAll(dir);
  expect(replayed.map((e) => e.event)).toEqual(['claimed', 'journal']);
  expect(existsSync(join(dir, left))).toBe(false);
  expect((await drainAll(dir)).count).toBe(0);
});

it('waits for an earlier drainer still at work, and takes its claim over once that process is gone', async () => {
  const dir = folder();
  // A live process holds an earlier claim: a drainer that has not finished.
  const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  try {
    leaveClaim(dir, holder.pid!, Date.now() - 1, [{ at: 1, event: 'earlier' }]);
    appendToJournal(dir, { at: 2, event: 'later' });
    const waited = await drainAll(dir, 50);
    // Bounded: it went on without the earlier claim, and said so.
    expect(waited.replayed.map((e) => e.event)).toEqual(['later']);
    expect(waited.logged).toEqual([expect.stringMatching(new RegExp(`is still being replayed by process ${holder.pid}; going on without waiting for it`))]);
  } finally {
    holder.kill();
    await exited;
  }
  const after = await drainAll(dir);
  expect(after.replayed.map((e) => e.event)).toEqual(['earlier']);
  expect(after.logged).toEqual([]);
});

it('a claim by a drainer that exited but was never reaped (a zombie, which still answers signals) is taken over at once', async () => {
  const dir = folder();
  // The shell starts a job that reads the test's pipe to its end, then becomes sleep, which never
  // waits for children: the job, once it exits (the pipe closed), stays a zombie while sleep lives.
  const parent = spawn('sh', ['-c', 'exec 3<&0; cat <&3 >/dev/null & echo $!; exec sleep 60'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => parent.once('exit', resolve));
  try {
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
    parent.stdin.end();
    await waitFor(() => / Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8')), { what: 'a zombie' });
    leaveClaim(dir, zombie, Date.now() - 1, [{ at: 1, event: 'left' }]);
    // With no time to wait, only a claim known dead is replayed.
    const { replayed, logged } = await drainAll(dir, 0);
    expect(replayed.map((e) => e.event)).toEqual(['left']);
    expect(logged).toEqual([]);
  } finally {
    parent.kill();
    await exited;
  }
});

it('a claim older than any hook may live is taken over even when its pid is in use again', async () => {
  const dir = folder();
  leaveClaim(dir, process.ppid, Date.now() - 10 * 60 * 1000, [{ at: 1, event: 'old' }]);
  expect((await drainAll(dir, 0)).replayed.map((e) => e.event)).toEqual(['old']);
});

it('a line that is no journal entry is skipped with its number; the rest is replayed', async () => {
  const dir = folder();
  writeFileSync(join(dir, JOURNAL_FILE), '\n{"at":1,"event":"a"}\nnot json\n{"event":"no time"}\n{"at":4,"event":"d"}');
  const { replayed, logged } = await drainAll(dir);
  expect(replayed.map((e) => e.event)).toEqual(['a', 'd']);
  expect(logged).toEqual([expect.stringMatching(/line 3 is not/), expect.stringMatching(/line 4 is not/)]);
});
