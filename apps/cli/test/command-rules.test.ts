import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { skills, tempDir } from './support.js';

const dir = tempDir();
const db = join(dir, 'rules.db');

beforeAll(async () => {
  expect((await skills(['track', 'code-reviewer', '--query', 'review my change', '--db', db])).code).toBe(0);
});

describe('usage errors say the rule and exit 2', () => {
  it('a value starting with "-" is judged by the option rule, not reported as missing', async () => {
    const limit = await skills(['history', '--limit', '-1', '--db', db]);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toBe(`skills: --limit must be a whole number from 1 to 100000, got "-1". See 'skills history --help'.\n`);
    const since = await skills(['stats', '--since', '-5d', '--db', db]);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since must be a duration like 90d, 12h, 30m or 1w (more than zero), got "-5d"');
  });

  it('an empty query is bad usage, like a missing one', async () => {
    const missing = await skills(['recommend', '--db', db]);
    const empty = await skills(['recommend', '', '--db', db]);
    expect(missing.code).toBe(2);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(`skills: <query> must not be empty. See 'skills recommend --help'.\n`);
  });
});

describe('export --out', () => {
  it('creates missing folders (0700) and writes the export as privately as the database (0600)', async () => {
    const out = join(tempDir(), 'new', 'nested', 'export.json');
    const r = await skills(['export', '--out', out, '--db', db]);
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, '..', '..')).mode & 0o777).toBe(0o700);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { invocations: unknown[] }).invocations).toHaveLength(1);
  });

  it('says precisely why it cannot write, and leaves no partial file', async () => {
    const parent = join(tempDir(), 'a-file');
    writeFileSync(parent, 'not a folder');
    const r = await skills(['export', '--out', join(parent, 'export.json'), '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^skills export: cannot write the export to .*a-file\/export\.json: EEXIST: file already exists, mkdir .*a-file/);
    expect(r.stderr).not.toContain('unexpected error');
    expect(existsSync(join(parent, 'export.json'))).toBe(false);
  });
});

describe('success rates say which they are', () => {
  it('stats labels its raw rate; the help of both commands explains the difference', async () => {
    const stats = await skills(['stats', '--db', db]);
    expect(stats.stdout).toMatch(/^skill +uses +ok +failed +abandoned +pending +raw success +mean/m);
    expect((await skills(['stats', '--help'])).stdout).toContain('"raw success" column is completed / finished runs');
    expect((await skills(['recommend', '--help'])).stdout).toContain('The success column is smoothed: (completed + 1) / (finished + 2)');
  });
});
