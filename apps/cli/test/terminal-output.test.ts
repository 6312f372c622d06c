import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { skills, tempDir } from './support.js';

// Stored text is whatever hosts and legacy files sent: a terminal must never receive its control
// characters raw (an ESC sequence clears the screen or retitles the window, CR overwrites the
// line) nor a megabyte of it. --json prints the data exactly.
const ESC_CLEAR = '\u001b[2J\u001b[H';
const TITLE = '\u001b]0;pwned\u0007';
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/; // everything but TAB and LF, which tables never need either

const dir = tempDir();
const db = join(dir, 'hostile.db');
const hostile: InvocationRecord = {
  id: `id${ESC_CLEAR}`,
  skillName: `evil${TITLE}skill`,
  sessionId: 'session\r\u0000',
  invokedAt: new Date().toISOString(),
  status: 'failed',
  completed: false,
  completedAt: new Date().toISOString(),
  durationSeconds: 1,
  userQuery: `clear${ESC_CLEAR}then${'q'.repeat(7_900)}`,
  workflowPhase: `phase\u009b31m`,
  alternativesConsidered: [],
  selectionRank: null,
  followUpActions: [],
  errorType: 'Error\rOverwritten',
  source: null,
};

beforeAll(async () => {
  const store = await openSqliteStore({ path: db });
  await store.applyBatch({ inserts: [hostile] });
  await store.close();
});

/** The output is free of raw control characters and every line is of a sane length. */
function expectSafe(output: string): void {
  const lines = output.split('\n');
  for (const line of lines) {
    expect(line).not.toMatch(CONTROL);
    expect(line.length).toBeLessThan(2_000);
  }
}

describe('text output escapes and cuts stored values', () => {
  it('history', async () => {
    const r = await skills(['history', '--db', db]);
    expect(r.code).toBe(0);
    expectSafe(r.stdout);
    expect(r.stdout).toContain('evil\\x1b]0;pwned\\x07skill');
    expect(r.stdout).toContain('session\\r\\0');
    expect(r.stdout).toContain('failed (Error\\rOverwritten)');
    expect(r.stdout).toContain('clear\\x1b[2J\\x1b[Hthen');
  });

  it('stats', async () => {
    const r = await skills(['stats', '--db', db]);
    expect(r.code).toBe(0);
    expectSafe(r.stdout);
    expect(r.stdout).toContain('evil\\x1b]0;pwned\\x07skill');
    expect(r.stdout).toContain('phase\\x9b31m');
  });

  it('--json keeps every value exactly as stored', async () => {
    const [row] = JSON.parse((await skills(['history', '--db', db, '--json'])).stdout) as InvocationRecord[];
    // Stores read every record back with its project.
    expect(row).toEqual({ ...hostile, project: 'default' });
    const stats = JSON.parse((await skills(['stats', '--db', db, '--json'])).stdout) as { skills: Array<{ skillName: string }> };
    expect(stats.skills[0]!.skillName).toBe(hostile.skillName);
  });

  it('migrate: the reasons for skipped records quote the record escaped and cut, a megabyte included', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, '.crackerjack'));
    const good = { skill_name: 'linter', invoked_at: '2026-02-01T10:00:00', completed: true, duration_seconds: 1 };
    const doc = {
      invocations: [
        good,
        { ...good, invoked_at: `${ESC_CLEAR}${'x'.repeat(1_000_000)}` },
        { ...good, skill_name: `${TITLE}${'n'.repeat(300)}` },
      ],
      skills: { [`agg${TITLE}`]: { total_invocations: 1 } },
    };
    writeFileSync(join(cwd, '.crackerjack', 'skill_metrics.json'), JSON.stringify(doc));
    const r = await skills(['migrate', '--dry-run'], { cwd });
    expect(r.code).toBe(1);
    expectSafe(r.stdout);
    expectSafe(r.stderr);
    expect(r.stderr).toContain('invocations[1].invoked_at: "\\x1b[2J\\x1b[Hxxx');
    expect(r.stderr).toContain('invocations[2].skill_name: must be at most 200 characters; skipped');
    expect(r.stdout).toContain('agg\\x1b]0;pwned\\x07');
    expect(r.stdout.length + r.stderr.length).toBeLessThan(5_000);
  });

  it('error lines escape the values they quote', async () => {
    const r = await skills(['migrate', `legacy${ESC_CLEAR}.json`, '--db', db]);
    expect(r.code).toBe(1);
    expectSafe(r.stderr);
    expect(r.stderr).toContain('legacy\\x1b[2J\\x1b[H.json: no such file');
    const usage = await skills(['history', '--limit', `1${TITLE}`, '--db', db]);
    expect(usage.code).toBe(2);
    expectSafe(usage.stderr);
    expect(usage.stderr).toContain('got "1\\x1b]0;pwned\\x07"');
  });
});
