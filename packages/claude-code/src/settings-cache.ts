import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_PREFIXES, SETTINGS_FILES } from '@skills/tracker/settings-inputs';

/*
 * The settings a PreToolUse / PostToolUse hook needs, resolved by a full run of the command and
 * kept in a small file, so that the tool hooks read one JSON file instead of loading the YAML
 * reader, the settings' validation and the store. The file is keyed by a fingerprint of
 * everything the settings are made of; when any of it changes, the fingerprint no longer
 * matches and the next event takes the full path, which writes the file again.
 */

/** What the tool hooks do, as the full path resolved it. */
export interface CachedHookSettings {
  /** The hooks folder in force (`hooksDir`): the journal and `hook.log` are there. */
  readonly hooksDir: string;
  /**
   * The server's hook endpoint, with the hook settings' query, when a server is to be tried
   * (backend `auto` or `mcp`); null with `direct`.
   */
  readonly hookUrl: string | null;
  /** Backend `mcp`: a server that is not listening is worth a line in the log. */
  readonly serverRequired: boolean;
  /** How long a request to the server may take (the smaller of the MCP and hook timeouts). */
  readonly serverTimeoutMs: number;
  /** The `SKILLS_HOOK_TOOLS` pattern in force: the tools that count as skills. */
  readonly tools: string;
}

/** Bumped when the file's shape changes, so that an older command's file is not misread. */
const VERSION = 1;
const CACHE_FILE = 'settings-cache.json';


/**
 * Where the cache is: always the project's `.skills/hooks/`, because it is read before the
 * settings say where the hooks folder is (it may be elsewhere, beside the database file).
 */
export function settingsCachePath(cwd: string): string {
  return join(cwd, '.skills', 'hooks', CACHE_FILE);
}

/**
 * A digest of what the settings and the hook settings are made of: the project folder, the
 * identity, size and times of each settings file (or its absence), and every `SKILLS_*` and
 * `CRACKERJACK_SKILLS_*` variable. A digest, because the variables may hold secrets (the
 * server token, a database URL with its password) and the cache is a file; a 64-bit one made
 * here, since loading `node:crypto` costs the tool hooks more than all their work.
 */
export function settingsFingerprint(cwd: string, env: Readonly<Record<string, string | undefined>>): string {
  const parts: string[] = [String(VERSION), cwd];
  for (const file of SETTINGS_FILES) {
    const stat = statSync(join(cwd, file), { throwIfNoEntry: false });
    parts.push(stat ? `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}` : '-');
  }
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value !== undefined && ENV_PREFIXES.some((prefix) => name.startsWith(prefix))) parts.push(`${name}=${value}`);
  }
  return digest64(parts.join('\0'));
}

/** The cached settings when the cache is there and was made from the same `fingerprint`; else null. */
export function readSettingsCache(cwd: string, fingerprint: string): CachedHookSettings | null {
  let text: string;
  try {
    text = readFileSync(settingsCachePath(cwd), 'utf8');
  } catch {
    return null;
  }
  try {
    const file = JSON.parse(text) as { version?: unknown; fingerprint?: unknown; settings?: unknown };
    return file.version === VERSION && file.fingerprint === fingerprint && isCachedSettings(file.settings) ? file.settings : null;
  } catch {
    return null;
  }
}

/**
 * Writes the cache (folder 0700, file 0600), replacing it atomically, so that a hook reading it
 * at the same time sees the old file or the new one. Throws when it cannot be written; the
 * caller goes on without it (every event then takes the full path).
 */
export function writeSettingsCache(cwd: string, fingerprint: string, settings: CachedHookSettings): void {
  const path = settingsCachePath(cwd);
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, JSON.stringify({ version: VERSION, fingerprint, settings }), { mode: 0o600, flag: 'wx' });
  try {
    renameSync(temporary, path);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
}

/** A 64-bit digest of `text` as hex (cyrb53's mixing, both 32-bit lanes kept whole). */
function digest64(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

function isCachedSettings(value: unknown): value is CachedHookSettings {
  const v = value as Partial<Record<keyof CachedHookSettings, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.hooksDir === 'string' &&
    (v.hookUrl === null || typeof v.hookUrl === 'string') &&
    typeof v.serverRequired === 'boolean' &&
    typeof v.serverTimeoutMs === 'number' &&
    typeof v.tools === 'string'
  );
}
