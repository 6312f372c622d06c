import { describe, expect, it } from 'vitest';
import { durationOption, intOption, parseCommandArgs, splitCommand } from './args.js';
import type { CommandSpec } from './command.js';
import { UsageError } from './errors.js';

const spec: CommandSpec = {
  name: 'recommend',
  summary: 's',
  usage: '<query>',
  options: { limit: { type: 'string', help: 'n' }, 'follow-up': { type: 'string', multiple: true, help: 'f' }, failed: { type: 'boolean', help: 'f' } },
  positionals: { min: 1, max: 1, names: ['<query>'] },
  json: true,
  examples: [],
  load: async () => ({ run: async () => 0 }),
};

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('splitCommand', () => {
  it('finds the command after global options, skipping the value of --db', () => {
    expect(splitCommand(['--db', 'x.db', 'stats', '--json'])).toEqual({ command: 'stats', rest: ['--db', 'x.db', '--json'] });
    expect(splitCommand(['--db=x.db', 'stats'])).toEqual({ command: 'stats', rest: ['--db=x.db'] });
    expect(splitCommand(['--help'])).toEqual({ command: undefined, rest: ['--help'] });
  });
});

describe('parseCommandArgs', () => {
  it('accepts command options, global options and --json', () => {
    const parsed = parseCommandArgs(spec, ['q', '--limit', '3', '--db', 'a.db', '--json', '--follow-up', 'a', '--follow-up', 'b']);
    expect(parsed.positionals).toEqual(['q']);
    expect(parsed.values).toMatchObject({ limit: '3', db: 'a.db', json: true, 'follow-up': ['a', 'b'] });
  });

  it('names each usage problem in one line', () => {
    expect(usageMessage(() => parseCommandArgs(spec, []))).toBe('missing <query>');
    expect(usageMessage(() => parseCommandArgs(spec, ['a', 'b']))).toBe('unexpected argument "b"');
    expect(usageMessage(() => parseCommandArgs(spec, ['a', '--limt', '2']))).toMatch(/^unknown option --limt/);
    expect(usageMessage(() => parseCommandArgs(spec, ['a', '--limit']))).toBe('--limit needs a value (--limit VALUE)');
    expect(usageMessage(() => parseCommandArgs(spec, ['a', '--failed=yes']))).toBe('--failed takes no value');
    expect(usageMessage(() => parseCommandArgs(spec, ['a', '--limit', ' ']))).toBe('--limit must not be empty');
  });

  it('refuses a blank argument as bad usage, like a missing one', () => {
    expect(usageMessage(() => parseCommandArgs(spec, ['']))).toBe('<query> must not be empty');
    expect(usageMessage(() => parseCommandArgs(spec, ['  ', '--json']))).toBe('<query> must not be empty');
  });

  it('hands a value starting with "-" to the option, whose rule then says what it accepts', () => {
    const parsed = parseCommandArgs(spec, ['q', '--limit', '-1', '--follow-up', '-x']);
    expect(parsed.values).toMatchObject({ limit: '-1', 'follow-up': ['-x'] });
    expect(usageMessage(() => intOption(parsed.values, 'limit', 1, 10))).toBe('--limit must be a whole number from 1 to 10, got "-1"');
    expect(usageMessage(() => durationOption({ since: '-5d' }, 'since'))).toBe(
      '--since must be a duration like 90d, 12h, 30m or 1w (more than zero), got "-5d"',
    );
    // An option of the command after it is still an option: the value is missing.
    expect(usageMessage(() => parseCommandArgs(spec, ['q', '--limit', '--json']))).toBe('--limit needs a value (--limit VALUE)');
    expect(usageMessage(() => parseCommandArgs(spec, ['q', '--limit', '-h']))).toBe('--limit needs a value (--limit VALUE)');
  });

  it('lets --help through without the required arguments', () => {
    expect(parseCommandArgs(spec, ['--help']).values['help']).toBe(true);
  });
});

describe('typed options', () => {
  it('checks numbers and durations', () => {
    expect(intOption({ limit: '5' }, 'limit', 1, 10)).toBe(5);
    expect(usageMessage(() => intOption({ limit: '0' }, 'limit', 1, 10))).toContain('--limit must be a whole number from 1 to 10');
    expect(usageMessage(() => intOption({ limit: '2.5' }, 'limit', 1, 10))).toContain('"2.5"');
    expect(durationOption({ since: '7d' }, 'since')).toBe(604_800);
    expect(usageMessage(() => durationOption({ since: 'last week' }, 'since'))).toContain('--since must be a duration');
  });
});
