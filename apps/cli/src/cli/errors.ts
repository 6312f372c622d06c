import { SkillsError } from '@skills/protocol';

/**
 * Errors the command reports itself, with a stable `code` like every error of the project, and
 * the exit code they end the process with: 2 for bad usage (fix the command line), 1 for a data
 * or validation problem.
 */
export class CliError extends SkillsError {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1, code = 'CLI') {
    super(code, message);
    this.exitCode = exitCode;
  }
}

/** The command line is wrong: one line naming the problem; the caller adds the `--help` hint. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2, 'USAGE');
  }
}

/** Exit codes, as documented in the README. */
export const EXIT = Object.freeze({ ok: 0, data: 1, usage: 2 });
