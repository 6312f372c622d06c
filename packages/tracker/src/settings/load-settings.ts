import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isStoreUrl, SettingsError, SettingsSchema, type Settings, type SettingsInput } from '@skills/protocol';
import { ENV_PREFIXES, SETTINGS_FILES } from './inputs.js';

/** A settings key. */
export type SettingKey = keyof Settings;

/** Where each setting in force came from: `default`, a file path, `env NAME` or `option`. */
export type SettingSources = Record<SettingKey, string>;

/** Settings in force and where each came from. */
export interface LoadedSettings {
  readonly settings: Settings;
  readonly sources: SettingSources;
}

/** Where and how settings are read. Every field is optional. */
export interface LoadSettingsOptions {
  /** Folder holding `settings/skills.yaml` and `settings/local.yaml`; default the working directory. */
  readonly cwd?: string;
  /** Environment to read; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Explicit options: the highest layer. Undefined values are ignored. */
  readonly overrides?: SettingsInput;
}

const KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];
/** Short names the original tool used, beside the generic `SKILLS_<UPPER_SNAKE_KEY>`. */
const ENV_ALIASES: Partial<Record<SettingKey, string>> = { mcpServerUrl: 'MCP_URL' };

const toSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Loads settings from, lowest to highest: defaults, `settings/skills.yaml`, `settings/local.yaml`
 * (both under a top-level `skills:` key; camelCase or snake_case keys), the environment
 * (`SKILLS_ENABLED`, `SKILLS_BACKEND`, `SKILLS_DB_PATH`, `SKILLS_DB_URL`, `SKILLS_MCP_URL`, and `SKILLS_<KEY>` for
 * every other key; `CRACKERJACK_SKILLS_*` accepted as aliases), then explicit options.
 * A bad value throws a {@link SettingsError} naming the source, the key and the rule.
 *
 * @example
 * const { settings, sources } = loadSettings({ overrides: { backend: 'direct' } });
 * sources.backend; // 'option'
 */
export function loadSettings(options: LoadSettingsOptions = {}): LoadedSettings {
  const cwd = options.cwd ?? process.cwd();
  const values: Record<string, unknown> = {};
  const sources = Object.fromEntries(KEYS.map((k) => [k, 'default'])) as SettingSources;
  const apply = (layer: Record<string, unknown>, source: (key: SettingKey) => string) => {
    for (const [key, value] of Object.entries(layer)) {
      const settingKey = key as SettingKey;
      values[settingKey] = checkValue(settingKey, value, source(settingKey));
      sources[settingKey] = source(settingKey);
    }
  };

  for (const file of SETTINGS_FILES) {
    const path = join(cwd, file);
    if (existsSync(path)) apply(readSettingsFile(path), () => path);
  }
  const fromEnv = readEnv(options.env ?? process.env);
  apply(fromEnv.values, (key) => `env ${fromEnv.names[key]}`);
  const overrides = Object.fromEntries(Object.entries(options.overrides ?? {}).filter(([, v]) => v !== undefined));
  for (const key of Object.keys(overrides)) {
    if (!KEYS.includes(key as SettingKey)) throw new SettingsError('option', key, `unknown setting (known: ${KEYS.join(', ')})`);
  }
  apply(overrides, () => 'option');

  const settings = SettingsSchema.parse(values);
  // Relative paths are relative to cwd; a URL (in either key: `--db` and both variables accept both) stays as given.
  if (settings.dbPath !== null) settings.dbPath = resolveTarget(settings.dbPath, cwd);
  if (settings.dbUrl !== null) settings.dbUrl = resolveTarget(settings.dbUrl, cwd);
  return { settings, sources };
}

/**
 * The store in force, as given to an engine: `dbUrl` when set (it wins over `dbPath`), else
 * `dbPath`, else `.skills/skills.db` under `cwd`. May hold a password: show it only through
 * `describeStore`.
 *
 * @example
 * databaseTarget({ dbUrl: null, dbPath: null }, '/work'); // '/work/.skills/skills.db'
 */
export function databaseTarget(settings: Pick<Settings, 'dbPath' | 'dbUrl'>, cwd: string = process.cwd()): string {
  const given = settings.dbUrl ?? settings.dbPath;
  return given === null ? join(cwd, '.skills', 'skills.db') : resolveTarget(given, cwd);
}

/** A path made absolute against `cwd`; a URL as given. */
function resolveTarget(target: string, cwd: string): string {
  return isStoreUrl(target) || isAbsolute(target) ? target : resolve(cwd, target);
}

/**
 * The SQLite file `dbPath` names (or `.skills/skills.db` under `cwd`), absolute, as written (a
 * URL in `dbPath` is returned as given).
 *
 * @deprecated It ignores `dbUrl`, which wins over `dbPath`: use {@link databaseTarget} for the
 * store in force and {@link localDataDir} for the folder of local files.
 */
export function resolveDbPath(settings: Pick<Settings, 'dbPath'>, cwd: string = process.cwd()): string {
  return databaseTarget({ dbPath: settings.dbPath, dbUrl: null }, cwd);
}

/**
 * The folder for this machine's own files (the MCP tracker's spool, hook state): the database
 * file's folder when the store is a plain path, else `.skills` under `cwd`.
 */
export function localDataDir(settings: Pick<Settings, 'dbPath' | 'dbUrl'>, cwd: string = process.cwd()): string {
  const target = databaseTarget(settings, cwd);
  return isStoreUrl(target) ? join(cwd, '.skills') : dirname(target);
}

function checkValue(key: SettingKey, value: unknown, source: string): unknown {
  const result = SettingsSchema.shape[key].safeParse(value);
  if (!result.success) throw new SettingsError(source, key, result.error.issues.map((i) => i.message).join('; '));
  return result.data;
}

/**
 * The YAML reader, loaded (synchronously, as `loadSettings` is) when a settings file exists:
 * most processes have none and need not pay for it.
 */
function yaml(): typeof import('yaml') {
  return createRequire(import.meta.url)('yaml') as typeof import('yaml');
}

function readSettingsFile(path: string): Record<string, unknown> {
  const { parse } = yaml();
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SettingsError(path, '(file)', `not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isRecord(doc)) throw new SettingsError(path, '(file)', 'must be a mapping with a top-level "skills:" key');
  const section = doc['skills'];
  if (section === null || section === undefined) return {};
  if (!isRecord(section)) throw new SettingsError(path, 'skills', 'must be a mapping of settings');
  const layer: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(section)) {
    const key = toCamel(rawKey);
    if (!KEYS.includes(key as SettingKey)) {
      throw new SettingsError(path, `skills.${rawKey}`, `unknown setting (known: ${KEYS.map(toSnake).join(', ')})`);
    }
    layer[key] = value;
  }
  return layer;
}

function readEnv(env: Readonly<Record<string, string | undefined>>) {
  const values: Record<string, unknown> = {};
  const names = {} as Record<SettingKey, string>;
  for (const key of KEYS) {
    const suffixes = [toSnake(key).toUpperCase(), ENV_ALIASES[key]].filter((s): s is string => s !== undefined);
    // SKILLS_* wins over the CRACKERJACK_SKILLS_* aliases.
    for (const prefix of [...ENV_PREFIXES].reverse()) {
      for (const suffix of suffixes) {
        const name = prefix + suffix;
        const raw = env[name];
        if (raw === undefined || raw === '') continue;
        values[key] = coerce(key, raw);
        names[key] = name;
      }
    }
  }
  return { values, names };
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, yes: true, on: true, false: false, '0': false, no: false, off: false };

/**
 * Environment values are text: the first reading of it (number, true/false word, null word, the
 * text itself) that the key's rule accepts. None accepted: the first reading, so that the error
 * is the one a settings file with that value gets (`1.5` is "between 0 and 1", not "a number").
 */
function coerce(key: SettingKey, raw: string): unknown {
  const text = raw.trim();
  const lower = text.toLowerCase();
  const readings: unknown[] = [];
  if (text !== '' && Number.isFinite(Number(text))) readings.push(Number(text));
  if (lower in BOOLEAN_WORDS) readings.push(BOOLEAN_WORDS[lower]);
  if (lower === 'null' || lower === 'none') readings.push(null);
  readings.push(text);
  const accepted = readings.findIndex((value) => SettingsSchema.shape[key].safeParse(value).success);
  return readings[accepted === -1 ? 0 : accepted];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
