import { readFileSync } from 'node:fs';
import { SkillsError } from '@skills/protocol';
import { parseCommandArgs, projectOptions, splitCommand } from './cli/args.js';
import { println, type Io } from './cli/command.js';
import { CliError, EXIT, UsageError } from './cli/errors.js';
import { escaped } from './cli/format.js';
import { commandHelp, mainHelp } from './cli/help.js';
import { COMMANDS, findCommand } from './commands/index.js';

/** Where the command runs: its arguments, streams, environment and working directory. */
export interface MainOptions {
  readonly argv: readonly string[];
  readonly io: Io;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Runs one `skills` command line and returns its exit code: 0 success, 1 a data or validation
 * problem, 2 bad usage. Errors are printed as one line; stacks only with SKILLS_DEBUG=1.
 */
export async function main({ argv, io, env, cwd }: MainOptions): Promise<number> {
  const { command, rest } = splitCommand(argv);
  const debug = env['SKILLS_DEBUG'] === '1' || env['SKILLS_DEBUG'] === 'true';

  if (command === undefined || command === 'help') {
    const topic = command === 'help' ? rest.find((a) => !a.startsWith('-')) : undefined;
    const spec = topic ? findCommand(topic) : undefined;
    if (topic && !spec) return usage(io, `unknown command "${topic}"`, 'skills --help');
    if (spec) {
      io.stdout.write(commandHelp(spec));
      return EXIT.ok;
    }
    if (rest.includes('--version') || rest.includes('-v')) {
      println(io.stdout, version());
      return EXIT.ok;
    }
    if (command === 'help' || rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(mainHelp(COMMANDS, version()));
      return EXIT.ok;
    }
    const first = rest[0];
    if (first !== undefined) {
      const global = first === '--db' || first === '--project';
      return usage(io, first.startsWith('-') && !global ? `unknown option ${first}` : 'missing command', 'skills --help');
    }
    io.stderr.write(mainHelp(COMMANDS, version()));
    return EXIT.usage;
  }

  const spec = findCommand(command);
  if (!spec) {
    const near = COMMANDS.find((c) => c.name.startsWith(command.slice(0, 3)));
    return usage(io, `unknown command "${command}"${near ? ` (did you mean "${near.name}"?)` : ''}`, 'skills --help');
  }

  try {
    const { values, positionals } = parseCommandArgs(spec, rest);
    if (values['help']) {
      io.stdout.write(commandHelp(spec));
      return EXIT.ok;
    }
    const { project, allProjects } = projectOptions(values);
    const module = await spec.load();
    return await module.run({
      values,
      positionals,
      db: typeof values['db'] === 'string' ? values['db'] : undefined,
      project,
      allProjects,
      json: values['json'] === true,
      cwd,
      env,
      io,
    });
  } catch (error) {
    if (error instanceof UsageError) return usage(io, error.message, `skills ${spec.name} --help`);
    if (debug && error instanceof Error && error.stack) println(io.stderr, error.stack);
    // Messages quote the values they reject: escaped, so that they cannot drive the terminal.
    if (error instanceof CliError) {
      println(io.stderr, `skills ${spec.name}: ${escaped(error.message)}`);
      return error.exitCode;
    }
    if (error instanceof SkillsError) {
      println(io.stderr, `skills ${spec.name}: ${escaped(error.message)}`);
      return EXIT.data;
    }
    const message = error instanceof Error ? error.message : String(error);
    println(io.stderr, `skills ${spec.name}: unexpected error: ${escaped(message)}${debug ? '' : ' (SKILLS_DEBUG=1 shows the stack)'}`);
    return EXIT.data;
  }
}

function usage(io: Io, message: string, help: string): number {
  println(io.stderr, `skills: ${escaped(message)}. See '${help}'.`);
  return EXIT.usage;
}
