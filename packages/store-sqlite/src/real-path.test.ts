import { existsSync, lstatSync, mkdirSync, readlinkSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pendingRecord } from '@skills/store-contract';
import { openSqliteStore, realDatabasePath } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

const tmp = useTempDir();

/** A fresh folder `name` under this file's temporary folder, by its real path (the system's may be a link). */
function folder(name: string): string {
  const dir = tmp.path(name);
  mkdirSync(dir);
  return realpathSync(dir);
}

describe('realDatabasePath', () => {
  it('follows links to existing files, relative link targets, chains and linked folders', () => {
    const dir = folder('links');
    const target = join(dir, 'real.db');
    writeFileSync(target, '');
    symlinkSync('real.db', join(dir, 'one.db')); // relative to the link's folder
    symlinkSync(join(dir, 'one.db'), join(dir, 'two.db'));
    symlinkSync(dir, join(dir, 'same-folder'));
    expect(realDatabasePath(join(dir, 'two.db'))).toBe(target);
    expect(realDatabasePath(join(dir, 'same-folder', 'one.db'))).toBe(target);
  });

  it('follows a dangling link to where its target will be, through missing folders', () => {
    const dir = folder('dangling');
    symlinkSync(join(dir, 'data', 'nested', 'skills.db'), join(dir, 'skills.db'));
    symlinkSync('missing-folder', join(dir, 'folder-link'));
    expect(realDatabasePath(join(dir, 'skills.db'))).toBe(join(dir, 'data', 'nested', 'skills.db'));
    expect(realDatabasePath(join(dir, 'folder-link', 'x.db'))).toBe(join(dir, 'missing-folder', 'x.db'));
    expect(realDatabasePath(join(dir, 'plain', 'x.db'))).toBe(join(dir, 'plain', 'x.db'));
  });

  it('gives the path as written when it cannot be resolved (a loop), so opening it names the cause', () => {
    const dir = folder('loop');
    symlinkSync(join(dir, 'b.db'), join(dir, 'a.db'));
    symlinkSync(join(dir, 'a.db'), join(dir, 'b.db'));
    expect(realDatabasePath(join(dir, 'a.db'))).toBe(join(dir, 'a.db'));
  });
});

describe('a store opened through a symbolic link', () => {
  it('creates a new database behind a dangling link privately: file 0600, new folders 0700', async () => {
    const dir = folder('private');
    const target = join(dir, 'data', 'skills.db');
    const link = join(dir, 'skills.db');
    symlinkSync(target, link);
    const store = await openSqliteStore({ path: link });
    expect(store.location).toBe(target);
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    await store.close();
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
  });

  it('keeps the -wal and -shm files beside the target, where location says the database is', async () => {
    const dir = folder('companions');
    const target = join(dir, 'elsewhere', 'skills.db');
    const link = join(dir, 'skills.db');
    symlinkSync(target, link);
    const store = await openSqliteStore({ path: link });
    await store.applyBatch({ inserts: [pendingRecord(1)] });
    expect(existsSync(`${store.location}-wal`)).toBe(true);
    expect(existsSync(`${link}-wal`)).toBe(false);
    await store.close();
    const again = await openSqliteStore({ path: target });
    expect(await again.countInvocations()).toBe(1);
    await again.close();
  });
});
