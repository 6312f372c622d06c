import { readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Links followed before giving up, as the kernel's own limit (ELOOP) does. */
const MAX_LINKS = 40;

/**
 * The absolute path of the file a database path names, every symbolic link resolved, whether
 * the file exists yet or not (a link may point at a database still to be created).
 *
 * SQLite opens the link's target and keeps its `-wal` and `-shm` files beside the target, not
 * beside the link: whatever copies, restores or creates the database and its companions must
 * act on this path. When the path cannot be inspected (a folder that is a file, no permission,
 * a loop of links) it is returned as written, absolute, so that opening it reports the real cause.
 *
 * @example
 * // .skills/skills.db -> /data/skills.db (a link, the target not created yet)
 * realDatabasePath('.skills/skills.db'); // '/data/skills.db'
 */
export function realDatabasePath(path: string): string {
  const absolute = resolve(path);
  return follow(absolute, MAX_LINKS) ?? absolute;
}

/** `path` with its links resolved, or null when that cannot be worked out. */
function follow(path: string, linksLeft: number): string | null {
  try {
    return realpathSync.native(path);
  } catch (error) {
    if (code(error) !== 'ENOENT') return null;
  }
  // Something along the path is missing: the path itself may be a link to a missing file.
  let target: string;
  try {
    target = readlinkSync(path);
  } catch (error) {
    if (code(error) !== 'ENOENT' && code(error) !== 'EINVAL') return null;
    // Not a link (or not there): resolve the folder it is in, and keep the name.
    const parent = dirname(path);
    if (parent === path) return null;
    const realParent = follow(parent, linksLeft);
    return realParent === null ? null : join(realParent, basename(path));
  }
  if (linksLeft === 0) return null;
  return follow(resolve(dirname(path), target), linksLeft - 1);
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}
