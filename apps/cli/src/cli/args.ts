import { parseArgs } from 'node:util';
import { parseDuration, PROJECT_NAME_PATTERN, PROJECT_NAME_RULE } from '@skills/protocol';
import type { CommandSpec, OptionSpec } from './command.js';
import { UsageError } from './errors.js';

/** Options every command takes. `--json` only where the command's output is data. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = Object.freeze({
  db: { type: 'string', valueName: 'PATH|URL', help: 'database to use: a SQLite file, or a URL (overrides settings, SKILLS_DB_URL and SKILLS_DB_PATH)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
});

export const JSON_OPTION: OptionSpec = { type: 'boolean', help: 'print data as JSON on stdout' };

/** `--project`, on every command that reads or writes one project's data. */
export const PROJECT_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'NAME',
  help: "the project to read and write (overrides the project setting and SKILLS_PROJECT; default 'default')",
};

/** `--all-projects`, on the commands that can read every project at once. */
export const ALL_PROJECTS_OPTION: OptionSpec = { type: 'boolean', help: 'every project instead of the one in force (rows carry their project)' };

/** Global options that take a value, so that {@link splitCommand} skips it. */
const VALUED_GLOBALS: ReadonlySet<string> = new Set(['--db', '--project']);

/** The command name and the other arguments, with global options left in place. */
export function splitCommand(argv: readonly string[]): { command: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    if (token.startsWith('-')) {
      if (VALUED_GLOBALS.has(token)) i++; // its value
      continue;
    }
    return { command: token, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { command: undefined, rest: [...argv] };
}

/** Parsed arguments of one command. */
export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** The options `spec` accepts, global ones included. */
export function optionsOf(spec: CommandSpec): Record<string, OptionSpec> {
  return {
    ...spec.options,
    ...(spec.json ? { json: JSON_OPTION } : {}),
    ...(spec.project || spec.allProjects ? { project: PROJECT_OPTION } : {}),
    ...(spec.allProjects ? { 'all-projects': ALL_PROJECTS_OPTION } : {}),
    ...GLOBAL_OPTIONS,
  };
}

/**
 * `--project NAME` checked against the project name rule, and `--all-projects`: a bad name, or
 * both at once, is a {@link UsageError} naming the option.
 */
export function projectOptions(values: ParsedArgs['values']): { project: string | undefined; allProjects: boolean } {
  const project = stringOption(values, 'project');
  const allProjects = values['all-projects'] === true;
  if (project !== undefined && !PROJECT_NAME_PATTERN.test(project)) {
    throw new UsageError(`--project must be ${PROJECT_NAME_RULE}, got "${project}"`);
  }
  if (project !== undefined && allProjects) throw new UsageError('--project and --all-projects cannot be used together');
  return { project, allProjects };
}

/** Parses a command's arguments strictly; every problem becomes a one-line {@link UsageError}. */
export function parseCommandArgs(spec: CommandSpec, args: readonly string[]): ParsedArgs {
  const options = optionsOf(spec);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinDashValues(args, options),
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(describeParseError(error, options));
  }
  const values = parsed.values as ParsedArgs['values'];
  if (values['help']) return { values, positionals: parsed.positionals };
  const { min, max, names } = spec.positionals;
  if (parsed.positionals.length < min) throw new UsageError(`missing ${names[parsed.positionals.length] ?? 'argument'}`);
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument "${parsed.positionals[max]}"${max === 0 ? ' (this command takes no arguments)' : ''}`);
  }
  const blank = parsed.positionals.findIndex((p) => p.trim() === '');
  if (blank !== -1) throw new UsageError(`${names[blank]?.split(' ')[0] ?? 'an argument'} must not be empty`);
  for (const [name, o] of Object.entries(options)) {
    const v = values[name];
    if (o.type === 'string' && typeof v === 'string' && v.trim() === '') throw new UsageError(`--${name} must not be empty`);
  }
  return { values, positionals: parsed.positionals };
}

/**
 * parseArgs takes the `-1` of `--limit -1` (or the `-5d` of `--since -5d`) for a missing value.
 * A value that starts with `-` but is no option of this command is joined to its option
 * (`--limit=-1`), so that the option's own rule judges it and says what it accepts.
 */
function joinDashValues(args: readonly string[], options: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (token === '--') return [...out, ...args.slice(i)];
    const next = args[i + 1];
    const takesValue = token.startsWith('--') && options[token.slice(2)]?.type === 'string';
    if (takesValue && next !== undefined && next.startsWith('-') && next !== '--' && !isOption(next, options)) {
      out.push(`${token}=${next}`);
      i++;
    } else out.push(token);
  }
  return out;
}

/** True when `token` names an option of `options` (`--name`, `--name=value`, or a short `-x`). */
function isOption(token: string, options: Record<string, OptionSpec>): boolean {
  if (token.startsWith('--')) return token.slice(2).split('=')[0]! in options;
  return Object.values(options).some((o) => o.short !== undefined && token.slice(1).startsWith(o.short));
}

function describeParseError(error: unknown, options: Record<string, OptionSpec>): string {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const known = Object.keys(options).map((o) => `--${o}`);
      const near = option ? known.find((k) => k.startsWith(option.replace(/=.*/, '')) || option.startsWith(k)) : undefined;
      return `unknown option ${option ?? ''}${near && near !== option ? ` (did you mean ${near}?)` : ''}`.trim();
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = option?.replace(/^-+/, '').replace(/ .*/, '');
      const spec = name ? options[name] : undefined;
      if (spec?.type === 'string') return `--${name} needs a value (--${name} ${spec.valueName ?? 'VALUE'})`;
      if (spec?.type === 'boolean') return `--${name} takes no value`;
      return message.split('. ')[0]!;
    }
    default:
      return message.split('. ')[0]!;
  }
}

/** The string value of `--name`, if given. */
export function stringOption(values: ParsedArgs['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a repeatable `--name`. */
export function listOption(values: ParsedArgs['values'], name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** A whole number option within bounds, or a {@link UsageError} naming the option. */
export function intOption(values: ParsedArgs['values'], name: string, min: number, max: number): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/** A duration option (`7d`, `12h`) in seconds, or a {@link UsageError}. */
export function durationOption(values: ParsedArgs['values'], name: string): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const seconds = parseDuration(raw);
  if (seconds === null || seconds <= 0) {
    throw new UsageError(`--${name} must be a duration like 90d, 12h, 30m or 1w (more than zero), got "${raw}"`);
  }
  return seconds;
}
