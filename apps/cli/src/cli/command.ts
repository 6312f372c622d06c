import type { Readable, Writable } from 'node:stream';

/** One option of a command, as `node:util` parseArgs takes it, plus its help line. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder shown in help, e.g. `N` for `--limit N`. */
  readonly valueName?: string;
  readonly help: string;
}

/** What a command's `run` receives. */
export interface CommandContext {
  /** Parsed option values (command options and the global ones). */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  /** `--db PATH`, when given. */
  readonly db: string | undefined;
  /** `--project NAME` (checked against the project name rule), when given: it overrides the settings. */
  readonly project: string | undefined;
  /** `--all-projects`, where the command takes it: read every project instead of the one in force. */
  readonly allProjects: boolean;
  /** `--json`, when the command takes it. */
  readonly json: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: Io;
}

/** Where a command reads and writes. The real process streams, or fakes in unit tests. */
export interface Io {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly stdin: Readable & { isTTY?: boolean };
}

/** A command's implementation, loaded only when the command runs (keeps `--help` fast). */
export interface CommandModule {
  run(ctx: CommandContext): Promise<number>;
}

/** Everything the dispatcher and the help printer know about a command without loading it. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Arguments after the command name, e.g. `<query> [--phase P] [--limit N]`. */
  readonly usage: string;
  /** Longer description, a paragraph or two. */
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals: { readonly min: number; readonly max: number; readonly names: readonly string[] };
  /** Takes `--json`. */
  readonly json: boolean;
  /** Reads or writes one project's data: takes `--project NAME`. */
  readonly project?: boolean;
  /** Can read every project at once: takes `--all-projects` (implies {@link project}). */
  readonly allProjects?: boolean;
  readonly examples: readonly string[];
  readonly load: () => Promise<CommandModule>;
}

/** Writes one line to a stream. */
export function println(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
