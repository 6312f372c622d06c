import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig, UsageError } from './config.js';
import { ProjectGrant } from './project-grant.js';
import { parseTokenFile, readTokenFile, TokenFileError } from './token-file.js';
import { tempDir } from './test-support/harness.js';

const A = 'alpha-token-0123456789abcdef';
const B = 'beta-token-0123456789abcdef';

/** Parses `text`; the error's message otherwise. Every message is checked for the tokens it must not hold. */
function problemOf(text: string): string {
  try {
    parseTokenFile(text, 'tokens.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(TokenFileError);
    const message = (error as Error).message;
    expect(message).not.toContain(A);
    expect(message).not.toContain(B);
    return message;
  }
  throw new Error('the file was accepted');
}

describe('token file', () => {
  it('maps each token to its projects, or * for every project', () => {
    const tokens = parseTokenFile(`tokens:\n  - name: team-a\n    token: ${A}\n    projects: [alpha, beta.2]\n  - token: "${B}"\n    projects: "*"\n`, 'f');
    expect(tokens.map((t) => ({ token: t.token, name: t.name, all: t.grant.all, projects: t.grant.projects }))).toEqual([
      { token: A, name: 'team-a', all: false, projects: ['alpha', 'beta.2'] },
      { token: B, name: undefined, all: true, projects: [] },
    ]);
  });

  it('still reads a file holding one token (every project), as before projects', () => {
    expect(parseTokenFile(`\n  ${A}\r\n`, 'f')).toEqual([{ token: A, grant: ProjectGrant.ALL }]);
  });

  it('refuses a malformed file naming the entry and the rule, never quoting a token', () => {
    expect(problemOf(`tokens:\n  - token: ${A}\n    projects: [Alpha]\n`)).toBe(
      "tokens.yaml: tokens.0: projects.0 must be 1-64 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or a digit",
    );
    expect(problemOf(`tokens:\n  - name: ok\n    token: ${A}\n    projects: [alpha]\n  - name: admin\n    token: ${B}\n    projects: []\n`)).toBe(
      'tokens.yaml: tokens.1 ("admin"): projects must be "*" (every project) or a non-empty list of project names',
    );
    expect(problemOf(`tokens:\n  - token: ${A}\n    projects: [alpha, "*"]\n`)).toBe('tokens.yaml: tokens.0: projects.1: "*" stands alone (projects: "*"), not in a list');
    expect(problemOf(`tokens:\n  - token: ${A}\n    projects: all\n`)).toMatch(/^tokens\.yaml: tokens\.0: projects must be "\*"/);
    expect(problemOf(`tokens:\n  - token: short\n    projects: [alpha]\n`)).toBe(
      'tokens.yaml: tokens.0: token must be at least 16 characters (got 5); make one with: openssl rand -hex 32',
    );
    expect(problemOf(`tokens:\n  - projects: [alpha]\n`)).toMatch(/^tokens\.yaml: tokens\.0: token is required and must be a string/);
    expect(problemOf(`tokens:\n  - token: 12345678901234567890\n    projects: [alpha]\n`)).toMatch(/token is required and must be a string \(quote it/);
    expect(problemOf(`tokens:\n  - token: ${A}\n    project: [alpha]\n`)).toBe('tokens.yaml: tokens.0: unknown key "project" (name, token, projects)');
    expect(problemOf(`tokens:\n  - token: ${A}\n    projects: [alpha]\n  - name: again\n    token: ${A}\n    projects: [beta]\n`)).toBe(
      'tokens.yaml: tokens.1 ("again") repeats the token of tokens.0; each token must be listed once',
    );
    expect(problemOf('tokens: []\n')).toBe('tokens.yaml: tokens must list at least one entry');
    // A token written as a key ("maps a token to projects"): described, never shown.
    expect(problemOf(`tokens:\n  - token: ${B}\n    projects: [beta]\n    ${A}: [alpha]\n`)).toBe(
      `tokens.yaml: tokens.0: unknown key (a key of ${A.length} characters; tokens go under "token:") (name, token, projects)`,
    );
    expect(problemOf(`${A}: [alpha]\n`)).toMatch(/^tokens\.yaml: must hold one token, or a "tokens" list/);
    // YAML the parser refuses: the position and the parser's code, not its message (which quotes the line).
    expect(problemOf(`tokens:\n  - token: "${A}\n    projects: [alpha]\n`)).toMatch(/^tokens\.yaml: not valid YAML at line \d+, column \d+ \([A-Z_]+\)$/);
    expect(problemOf(`tokens:\n  - token: ${A}\n    token: ${B}\n    projects: [alpha]\n`)).toMatch(/^tokens\.yaml: not valid YAML at line 3, column 5 \(DUPLICATE_KEY\)$/);
  });

  it('refuses to start on a malformed file (exit code 2 via UsageError), warns when others can read it', () => {
    const cwd = tempDir();
    const file = join(cwd, 'tokens.yaml');
    writeFileSync(file, `tokens:\n  - token: ${A}\n    projects: [alpha]\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    expect(readTokenFile(file, '--token-file', warnings)[0]!.grant.projects).toEqual(['alpha']);
    expect(warnings).toEqual([`the token file ${file} can be read by other users; restrict it with: chmod 600 ${file}`]);
    chmodSync(file, 0o600);
    expect(resolveConfig(['--token-file', file], {}, cwd).warnings).toEqual([]);

    writeFileSync(file, `tokens:\n  - token: ${A}\n    projects: [Alpha]\n`);
    expect(() => resolveConfig([], { SKILLS_TOKEN_FILE: file }, cwd)).toThrow(UsageError);
    expect(() => resolveConfig([], { SKILLS_TOKEN_FILE: file }, cwd)).toThrow(`SKILLS_TOKEN_FILE ${file}: tokens.0: projects.0 must be 1-64 characters`);
  });
});
