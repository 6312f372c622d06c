import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { realDatabasePath } from '@skills/store-sqlite';

/**
 * The database file and its SQLite companions, in the order they are copied. SQLite keeps the
 * companions beside the real file, so a path through a symbolic link is resolved first.
 */
export function databaseFiles(dbPath: string): string[] {
  return companionsOf(realDatabasePath(dbPath));
}

/** The files of the database whose real path is `real`. */
function companionsOf(real: string): string[] {
  return [real, `${real}-wal`, `${real}-shm`];
}

/** Describes one backup folder: what was copied, from where, and each file's checksum. */
export interface BackupManifest {
  readonly format: 'skills-backup';
  readonly version: 1;
  readonly createdAt: string;
  /** Absolute path of the database the backup was taken of. */
  readonly database: string;
  /** False when there was no database yet: restoring removes the files. */
  readonly existed: boolean;
  readonly reason: string;
  readonly files: ReadonlyArray<{ readonly name: string; readonly bytes: number; readonly sha256: string }>;
}

/** A backup on disk. */
export interface Backup {
  readonly dir: string;
  readonly manifest: BackupManifest;
}

const MANIFEST = 'manifest.json';

/** Where the backups of `dbPath` live: `backups/` beside the database (the real file, links resolved). */
export function backupsFolder(dbPath: string): string {
  return folderOf(realDatabasePath(dbPath));
}

function folderOf(real: string): string {
  return join(dirname(real), 'backups');
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Copies the database and its `-wal`/`-shm` files, byte for byte, into a new timestamped folder
 * `backups/<db-name>-<UTC timestamp>/` with a manifest of checksums. Copy while no writer has the
 * database open; with the `-wal` file included the copy is consistent either way after a checkpoint.
 */
export function createBackup(linkOrPath: string, reason: string, now: Date = new Date()): Backup {
  const dbPath = realDatabasePath(linkOrPath);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let dir = join(folderOf(dbPath), `${basename(dbPath)}-${stamp}`);
  for (let n = 2; existsSync(dir); n++) dir = join(folderOf(dbPath), `${basename(dbPath)}-${stamp}-${n}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: BackupManifest['files'][number][] = [];
  for (const path of companionsOf(dbPath)) {
    if (!existsSync(path)) continue;
    const target = join(dir, basename(path));
    copyFileSync(path, target);
    files.push({ name: basename(path), bytes: statSync(target).size, sha256: sha256(target) });
  }
  const manifest: BackupManifest = {
    format: 'skills-backup',
    version: 1,
    createdAt: now.toISOString(),
    database: dbPath,
    existed: files.some((f) => f.name === basename(dbPath)),
    reason,
    files,
  };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest };
}

/** Every readable backup of `dbPath`, newest first. */
export function listBackups(linkOrPath: string): Backup[] {
  const dbPath = realDatabasePath(linkOrPath);
  const folder = folderOf(dbPath);
  if (!existsSync(folder)) return [];
  const prefix = `${basename(dbPath)}-`;
  const backups: Backup[] = [];
  for (const name of readdirSync(folder)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(folder, name, MANIFEST);
    if (!existsSync(path)) continue;
    try {
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
      if (manifest.format === 'skills-backup') backups.push({ dir: join(folder, name), manifest });
    } catch {
      // A folder with a damaged manifest is not a usable backup: skip it.
    }
  }
  return backups.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt) || b.dir.localeCompare(a.dir));
}

/** A backup whose files do not match their manifest. */
export class BackupDamagedError extends Error {}

/**
 * Puts the backed-up files back in place of `dbPath` (the real file when it is a link) and its
 * companions, byte for byte: files
 * the backup holds are copied over, companions it lacks are removed (a backup of no database
 * removes the database). Checksums are verified before and after.
 */
export function restoreBackup(backup: Backup, linkOrPath: string): void {
  const dbPath = realDatabasePath(linkOrPath);
  for (const f of backup.manifest.files) {
    const source = join(backup.dir, f.name);
    if (!existsSync(source) || sha256(source) !== f.sha256) {
      throw new BackupDamagedError(`${source} is missing or does not match its checksum; nothing was restored`);
    }
  }
  const names = new Map(backup.manifest.files.map((f) => [f.name, f]));
  const sourceName = basename(backup.manifest.database);
  const targetName = basename(dbPath);
  for (const path of companionsOf(dbPath)) {
    const name = sourceName + basename(path).slice(targetName.length);
    if (!names.has(name)) rmSync(path, { force: true });
  }
  for (const path of companionsOf(dbPath)) {
    const name = sourceName + basename(path).slice(targetName.length);
    const entry = names.get(name);
    if (!entry) continue;
    copyFileSync(join(backup.dir, name), path);
    if (sha256(path) !== entry.sha256) throw new BackupDamagedError(`${path} does not match the backup after copying`);
  }
}
