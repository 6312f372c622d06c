import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.js';
import { skills } from './support.js';

describe('help', () => {
  it('every command has --help with usage, options and an example', async () => {
    const results = await Promise.all(COMMANDS.map((c) => skills([c.name, '--help'])));
    results.forEach((r, i) => {
      const name = COMMANDS[i]!.name;
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toContain(`Usage: skills ${name}`);
      expect(r.stdout, name).toMatch(/Examples?:\n {2}.*\bskills /);
      expect(r.stdout, name).toContain('--db PATH');
      expect(r.stdout.includes('--json'), name).toBe(COMMANDS[i]!.json);
      expect(r.stderr, name).toBe('');
    });
  });

  it('skills --help lists every command; skills help <command> is the same as --help', async () => {
    const [main, help, bare] = await Promise.all([skills(['--help']), skills(['help', 'migrate']), skills([])]);
    expect(main.code).toBe(0);
    for (const c of COMMANDS) expect(main.stdout).toContain(`  ${c.name} `);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: skills migrate');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: skills <command>');
  });
});

describe('usage errors', () => {
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['stat'], /unknown command "stat" \(did you mean "stats"\?\)/],
    [['recommend'], /missing <query>/],
    [['recommend', 'q', '--limit', 'ten'], /--limit must be a whole number from 1 to 100, got "ten"/],
    [['recommend', 'q', '--bogus'], /unknown option --bogus/],
    [['stats', '--since', 'last week'], /--since must be a duration like 90d/],
    [['history', 'extra'], /unexpected argument "extra"/],
    [['prune'], /--older-than is required/],
    [['prune', '--older-than'], /--older-than needs a value/],
    [['export', '--json'], /unknown option --json/],
    [['migrate', '--rollback', 'file.json'], /--rollback takes no FILE/],
    [['migrate', '--dry-run', '--validate'], /cannot be combined/],
    [['migrate', '--force'], /--force only applies to --rollback/],
    [['migrate', '--timezone', 'Mars/Olympus'], /--timezone "Mars\/Olympus" is not a time zone/],
    [['serve', '--port', '99999'], /--port must be a whole number from 0 to 65535/],
    [['track'], /missing <skill>/],
    [['complete', 'id', '--failed=yes'], /--failed takes no value/],
  ];

  it('exit 2 with one line naming the problem and pointing to --help', async () => {
    const results = await Promise.all(cases.map(([args]) => skills(args)));
    results.forEach((r, i) => {
      const [args, pattern] = cases[i]!;
      const label = args.join(' ');
      expect(r.code, label).toBe(2);
      expect(r.stderr, label).toMatch(pattern);
      expect(r.stderr, label).toMatch(/See 'skills( \w+)? --help'\.\n$/);
      expect(r.stderr.trim().split('\n'), label).toHaveLength(1);
      expect(r.stdout, label).toBe('');
    });
  });
});
