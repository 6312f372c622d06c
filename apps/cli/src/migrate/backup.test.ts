import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupDamagedError, createBackup, listBackups, restoreBackup } from './backup.js';

const dir = () => mkdtempSync(join(tmpdir(), 'skills-backup-'));

describe('backups', () => {
  it('copy the database and its companions, and restore them byte for byte', () => {
    const db = join(dir(), 'skills.db');
    writeFileSync(db, Buffer.from([1, 2, 3]));
    writeFileSync(`${db}-wal`, Buffer.from([4, 5]));
    const backup = createBackup(db, 'test', new Date('2026-03-01T10:00:00.000Z'));
    expect(backup.dir).toMatch(/backups[/\\]skills\.db-2026-03-01T10-00-00-000Z$/);
    expect(backup.manifest.files.map((f) => f.name)).toEqual(['skills.db', 'skills.db-wal']);

    writeFileSync(db, Buffer.from([9, 9, 9, 9]));
    writeFileSync(`${db}-shm`, Buffer.from([7]));
    restoreBackup(listBackups(db)[0]!, db);
    expect([...readFileSync(db)]).toEqual([1, 2, 3]);
    expect([...readFileSync(`${db}-wal`)]).toEqual([4, 5]);
    expect(existsSync(`${db}-shm`)).toBe(false);
  });

  it('list newest first; a backup of no database removes it on restore', () => {
    const db = join(dir(), 'x.db');
    createBackup(db, 'first', new Date('2026-03-01T10:00:00.000Z'));
    writeFileSync(db, 'data');
    createBackup(db, 'second', new Date('2026-03-02T10:00:00.000Z'));
    const [newest, older] = listBackups(db);
    expect(newest!.manifest.reason).toBe('second');
    restoreBackup(older!, db);
    expect(existsSync(db)).toBe(false);
  });

  it('refuse to restore a damaged backup, and change nothing', () => {
    const db = join(dir(), 'y.db');
    writeFileSync(db, 'original');
    const backup = createBackup(db, 'test');
    writeFileSync(join(backup.dir, 'y.db'), 'tampered');
    writeFileSync(db, 'current');
    expect(() => restoreBackup(backup, db)).toThrow(BackupDamagedError);
    expect(readFileSync(db, 'utf8')).toBe('current');
  });

  it('follow a symbolic link to the real database: its companions live beside the target, and the link stays a link', () => {
    const root = realpathSync(dir());
    mkdirSync(join(root, 'real'));
    const target = join(root, 'real', 'skills.db');
    const link = join(root, 'skills.db');
    symlinkSync(target, link);
    writeFileSync(target, 'database');
    writeFileSync(`${target}-wal`, 'committed pages'); // where SQLite keeps them for a linked database
    const backup = createBackup(link, 'test');
    expect(backup.manifest.database).toBe(target);
    expect(backup.manifest.files.map((f) => f.name)).toEqual(['skills.db', 'skills.db-wal']);
    expect(backup.dir.startsWith(join(root, 'real', 'backups'))).toBe(true);

    writeFileSync(target, 'changed');
    writeFileSync(`${target}-wal`, 'other pages');
    restoreBackup(listBackups(link)[0]!, link);
    expect(readFileSync(target, 'utf8')).toBe('database');
    expect(readFileSync(`${target}-wal`, 'utf8')).toBe('committed pages');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(existsSync(`${link}-wal`)).toBe(false);
  });
});
