import { SkillsError } from './errors.js';
import type { InsightsStore } from './insights.js';
import type { SkillsStore } from './store.js';

/**
 * What an engine opens: the store interfaces everything above storage uses. Optional upkeep
 * (`MaintainableStore`, `SyncWritableStore`) is found with `isMaintainable` / `isSyncWritable`.
 */
export type EngineStore = SkillsStore & InsightsStore;

/** How to open a store. */
export interface StoreEngineOptions {
  /** Resolves relative paths; default the working directory. */
  readonly cwd?: string;
  /** Open for reading only: every write fails (engines that cannot enforce it may ignore it). */
  readonly readonly?: boolean;
}

/**
 * One storage engine, in the manner of kysely's dialects: a package implements it and the apps
 * register the engines they ship. A target is either a URL (`postgres://…`, `sqlite:…`) or, for
 * an engine with `opensPaths`, a plain file path (see {@link isStoreUrl} for the rule).
 *
 * @example
 * import { sqliteEngine } from '@skills/store-sqlite';
 * const store = await openStore('sqlite:.skills/skills.db', [sqliteEngine]);
 */
export interface StoreEngine {
  /** Short name, shown in messages (`sqlite`, `postgres`). */
  readonly name: string;
  /** URL schemes it opens, lowercase with their colon, as `URL.protocol` gives them (`'sqlite:'`). */
  readonly schemes: readonly string[];
  /** Opens plain paths (targets that are not URLs): the default engine. */
  readonly opensPaths?: boolean;
  /** Opens (creating when needed, unless `readonly`) the store `target` names. */
  open(target: string, options?: StoreEngineOptions): Promise<EngineStore>;
  /** `target` as it may be shown: never a password (`postgres://skills:***@host/db`). Never throws. */
  describe(target: string, options?: StoreEngineOptions): string;
  /**
   * Present on engines that keep a store in one local file: that file's absolute path, links
   * resolved. File-level upkeep (backups of the file, its permissions) needs it.
   */
  file?(target: string, options?: StoreEngineOptions): string;
}

/** No engine given handles the target's URL scheme. Nothing was opened or created. */
export class UnknownEngineError extends SkillsError {
  /** The scheme asked for, with its colon (`postgres:`); null for a plain path. */
  readonly scheme: string | null;
  /** Names of the engines that were available. */
  readonly available: readonly string[];
  constructor(scheme: string | null, shown: string, engines: readonly StoreEngine[]) {
    const what = scheme === null ? 'plain paths' : `${scheme} URLs`;
    super('UNKNOWN_ENGINE', `no store engine opens ${what} (${shown}); engines available: ${listEngines(engines)}`);
    this.scheme = scheme;
    this.available = engines.map((e) => e.name);
  }
}

/**
 * A URL scheme of two or more characters followed by `://`, or the `sqlite:` prefix. A single
 * letter before the colon is a Windows drive (`C:\data\skills.db`, `C://data`), and a colon
 * elsewhere is part of a file name (`data:2024/skills.db`): both are paths.
 */
const URL_FORM = /^(?:[a-z][a-z0-9+.-]+:\/\/|sqlite:)/i;

/**
 * True when `target` is a URL rather than a file path: it starts with a scheme of two or more
 * characters and `://` (`postgres://…`, `sqlite:///…`), or with `sqlite:`. Anything else is a path.
 *
 * @example
 * isStoreUrl('postgres://db/skills'); // true
 * isStoreUrl('sqlite:data/skills.db'); // true
 * isStoreUrl('C:\\data\\skills.db'); // false
 * isStoreUrl('backups/at:12:00.db'); // false
 */
export function isStoreUrl(target: string): boolean {
  return URL_FORM.test(target);
}

/** The scheme of a URL target, lowercase with its colon (`postgres:`), or null for a path. */
export function storeScheme(target: string): string | null {
  if (!isStoreUrl(target)) return null;
  return `${target.slice(0, target.indexOf(':')).toLowerCase()}:`;
}

/**
 * The engine that opens `target`: by URL scheme, or the engine that opens paths.
 *
 * @throws {UnknownEngineError} when none does (the message shows the target without its password).
 */
export function engineFor(target: string, engines: readonly StoreEngine[]): StoreEngine {
  const scheme = storeScheme(target);
  const engine = findEngine(scheme, engines);
  if (engine) return engine;
  throw new UnknownEngineError(scheme, scheme === null ? target : redactUrl(target), engines);
}

/**
 * Opens the store `target` names with the engine for its scheme. Nothing is created when no
 * engine handles it, and no error message carries the URL's password.
 *
 * @example
 * import { openStore } from '@skills/protocol';
 * import { sqliteEngine } from '@skills/store-sqlite';
 *
 * const store = await openStore('.skills/skills.db', [sqliteEngine]); // a path: SQLite
 * await openStore('postgres://skills:PASSWORD@db/skills', [sqliteEngine]);
 * // UnknownEngineError: no store engine opens postgres: URLs (postgres://skills:***@db/skills); engines available: sqlite (plain paths, sqlite:)
 */
export async function openStore(target: string, engines: readonly StoreEngine[], options: StoreEngineOptions = {}): Promise<EngineStore> {
  const engine = engineFor(target, engines);
  try {
    return await engine.open(target, options);
  } catch (error) {
    throw withoutSecrets(error, target);
  }
}

/**
 * `target` as it may be shown, by the engine that opens it; a URL no engine opens is shown
 * with its password replaced. Never throws.
 */
export function describeStore(target: string, engines: readonly StoreEngine[], options?: StoreEngineOptions): string {
  const scheme = storeScheme(target);
  const engine = findEngine(scheme, engines);
  return engine ? engine.describe(target, options) : scheme === null ? target : redactUrl(target);
}

/**
 * A URL with its password (and a `password` query parameter) replaced by `***`; text that does
 * not parse as a URL keeps only its scheme, since it may hold a password anywhere.
 *
 * @example
 * redactUrl('postgres://skills:s3cret@db:5432/skills'); // 'postgres://skills:***@db:5432/skills'
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = storeScheme(url);
    return scheme === null ? '***' : `${scheme}//***`;
  }
  if (parsed.password !== '') parsed.password = '***';
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
  // URL escapes the asterisks of a query parameter; they are shown as typed.
  return parsed.href.replaceAll('%2A%2A%2A', '***');
}

/** The error with any form of the target's password replaced (message and stack). */
function withoutSecrets(error: unknown, target: string): unknown {
  const secrets = passwordsOf(target);
  if (secrets.length === 0 || !(error instanceof Error)) return error;
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
  error.message = scrub(error.message);
  if (error.stack !== undefined) error.stack = scrub(error.stack);
  return error;
}

/** The password of a URL target, as written and decoded, longest first; none for a path. */
function passwordsOf(target: string): string[] {
  if (!isStoreUrl(target)) return [];
  let parsed: URL;
  try {
    parsed = new URL(target);
  } catch {
    return [];
  }
  const raw = [parsed.password, parsed.searchParams.get('password') ?? ''].filter((p) => p !== '');
  const all = new Set(raw.flatMap((p) => [p, safeDecode(p)]));
  return [...all].sort((a, b) => b.length - a.length);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function findEngine(scheme: string | null, engines: readonly StoreEngine[]): StoreEngine | undefined {
  return engines.find((e) => (scheme === null ? e.opensPaths === true : e.schemes.includes(scheme)));
}

function listEngines(engines: readonly StoreEngine[]): string {
  if (engines.length === 0) return 'none';
  return engines.map((e) => `${e.name} (${[...(e.opensPaths ? ['plain paths'] : []), ...e.schemes].join(', ')})`).join('; ');
}
