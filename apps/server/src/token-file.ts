import { readFileSync, statSync } from 'node:fs';
import { ALL_PROJECTS, PROJECT_NAME_PATTERN, PROJECT_NAME_RULE, SkillsError } from '@skills/protocol';
import { parseDocument } from 'yaml';
import { ProjectGrant } from './project-grant.js';
import { MIN_TOKEN_LENGTH, tokenProblem } from './security.js';

/** A bearer token the server accepts, and what it may reach. */
export interface ScopedToken {
  readonly token: string;
  /** The entry's label (`name` in the token file), for messages; never the token. */
  readonly name?: string;
  readonly grant: ProjectGrant;
}

/** A token file that cannot be used: the message names the file, the entry and the rule, never a token. */
export class TokenFileError extends SkillsError {
  constructor(message: string) {
    super('TOKEN_FILE', message);
  }
}

const ENTRY_KEYS = new Set(['name', 'token', 'projects']);
const NAME_RULE = 'a label of 1-64 visible characters';

/**
 * Reads a token file: either one token (the whole file, surrounding whitespace dropped; it allows
 * every project, as before projects existed), or YAML, like the settings files, listing tokens
 * and the projects each may read and write:
 *
 * ```yaml
 * tokens:
 *   - name: team-a          # optional label for messages; never the token
 *     token: 5b0c...        # at least 16 visible ASCII characters
 *     projects: [alpha]
 *   - name: admin
 *     token: 9e41...
 *     projects: "*"         # every project, and the dashboard's all-projects view
 * ```
 *
 * A file others can read adds a warning to `warnings`.
 *
 * @throws {TokenFileError} when the file cannot be read or breaks a rule.
 */
export function readTokenFile(path: string, source: string, warnings: string[]): ScopedToken[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TokenFileError(`${source}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const tokens = parseTokenFile(text, `${source} ${path}`);
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    warnings.push(`the token file ${path} can be read by other users; restrict it with: chmod 600 ${path}`);
  }
  return tokens;
}

/**
 * The tokens of a token file's text (see {@link readTokenFile}); `where` starts every message.
 * Text without whitespace inside is one token, as before; anything else is the YAML format.
 */
export function parseTokenFile(text: string, where: string): ScopedToken[] {
  const trimmed = text.trim();
  if (!/\s/.test(trimmed)) {
    const problem = tokenProblem(trimmed, `the token in ${where}`);
    if (problem) throw new TokenFileError(problem);
    return [{ token: trimmed, grant: ProjectGrant.ALL }];
  }
  const doc = parseDocument(text);
  const yamlError = doc.errors[0];
  if (yamlError) {
    // The parser's message quotes the source line, which may hold a token: position and code only.
    const at = yamlError.linePos?.[0];
    throw new TokenFileError(`${where}: not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''} (${yamlError.code})`);
  }
  const root: unknown = doc.toJS();
  if (!isPlainObject(root) || !Array.isArray(root['tokens'])) {
    throw new TokenFileError(`${where}: must hold one token, or a "tokens" list of entries with token and projects (see the server's README)`);
  }
  for (const key of Object.keys(root)) if (key !== 'tokens') throw new TokenFileError(`${where}: unknown key ${quoted(key)} (only "tokens")`);
  const entries = root['tokens'] as unknown[];
  if (entries.length === 0) throw new TokenFileError(`${where}: tokens must list at least one entry`);
  const seen = new Map<string, string>();
  return entries.map((entry, i) => {
    const parsed = parseEntry(entry, i, where);
    const label = labelOf(i, parsed.name);
    const earlier = seen.get(parsed.token);
    if (earlier !== undefined) throw new TokenFileError(`${where}: ${label} repeats the token of ${earlier}; each token must be listed once`);
    seen.set(parsed.token, label);
    return parsed;
  });
}

function parseEntry(entry: unknown, i: number, where: string): ScopedToken {
  const fail = (name: string | undefined, message: string): never => {
    throw new TokenFileError(`${where}: ${labelOf(i, name)}: ${message}`);
  };
  if (!isPlainObject(entry)) return fail(undefined, 'must be a mapping with token and projects');
  const rawName = entry['name'];
  if (rawName !== undefined && (typeof rawName !== 'string' || !/^[\x21-\x7e]([\x20-\x7e]{0,62}[\x21-\x7e])?$/.test(rawName))) {
    return fail(undefined, `name must be ${NAME_RULE}`);
  }
  const name = rawName;
  for (const key of Object.keys(entry)) if (!ENTRY_KEYS.has(key)) fail(name, `unknown key ${quoted(key)} (name, token, projects)`);
  const token = entry['token'];
  if (typeof token !== 'string') return fail(name, 'token is required and must be a string (quote it if YAML reads it as a number)');
  const problem = tokenProblem(token, 'token');
  if (problem) fail(name, problem);
  const projects = entry['projects'];
  const listRule = `projects must be "${ALL_PROJECTS}" (every project) or a non-empty list of project names`;
  if (projects === ALL_PROJECTS) return { token, ...(name !== undefined ? { name } : {}), grant: ProjectGrant.ALL };
  if (!Array.isArray(projects) || projects.length === 0) return fail(name, listRule);
  projects.forEach((project: unknown, j) => {
    if (project === ALL_PROJECTS) fail(name, `projects.${j}: "${ALL_PROJECTS}" stands alone (projects: "${ALL_PROJECTS}"), not in a list`);
    if (typeof project !== 'string' || !PROJECT_NAME_PATTERN.test(project)) fail(name, `projects.${j} must be ${PROJECT_NAME_RULE}`);
  });
  return { token, ...(name !== undefined ? { name } : {}), grant: ProjectGrant.of(projects as string[]) };
}

/** `tokens.2 ("team-a")`: where an entry is, and its label when it has one. */
function labelOf(i: number, name: string | undefined): string {
  return name === undefined ? `tokens.${i}` : `tokens.${i} ("${name}")`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A key as it may be shown. A long key may be a token written where a key goes (`<token>: [alpha]`),
 * so it is described, never shown.
 */
function quoted(text: string): string {
  return text.length < MIN_TOKEN_LENGTH ? `"${text.replace(/[^\x20-\x7e]/g, '?')}"` : `(a key of ${text.length} characters; tokens go under "token:")`;
}
