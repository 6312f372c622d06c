import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { appendHookLog, HOOK_LOG_MAX_BYTES, hookLogPath, readHookLog } from './hook-log.js';

it('appends one line per message, private, and keeps at most two files of the cap', () => {
  const path = hookLogPath({ dbPath: join(mkdtempSync(join(tmpdir(), 'skills-hook-log-')), 'skills.db'), dbUrl: null }, '/');
  expect(readHookLog(path)).toEqual([]);
  appendHookLog(path, 'PreToolUse failed: first\nsecond line', new Date('2026-12-06T10:00:00.000Z'));
  expect(readHookLog(path)).toEqual(['2026-12-06T10:00:00.000Z PreToolUse failed: first | second line']);
  expect(statSync(path).mode & 0o777).toBe(0o600);

  const line = 'x'.repeat(1000);
  const count = Math.ceil((2.2 * HOOK_LOG_MAX_BYTES) / line.length); // rotates twice
  for (let i = 0; i < count; i++) appendHookLog(path, `${i} ${line}`);
  expect(existsSync(`${path}.1`)).toBe(true);
  expect(statSync(path).size).toBeLessThan(HOOK_LOG_MAX_BYTES + 2000);
  expect(statSync(`${path}.1`).size).toBeLessThan(HOOK_LOG_MAX_BYTES + 2000);
  expect(readHookLog(path, 2).map((l) => l.split(' ')[1])).toEqual([String(count - 2), String(count - 1)]);
});

it('a log that cannot be written is given up silently', () => {
  // Its folder's place is taken by a file.
  const file = join(mkdtempSync(join(tmpdir(), 'skills-hook-log-')), 'not-a-folder');
  writeFileSync(file, '');
  expect(() => appendHookLog(join(file, 'hooks', 'hook.log'), 'lost')).not.toThrow();
});
