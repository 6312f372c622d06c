import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

// Both run against the built package (dist/), as a user would: `pnpm test` builds it first.
const packageDir = join(import.meta.dirname, '..');
const env = {
  ...process.env,
  SKILLS_BACKEND: 'direct',
  SKILLS_EMBEDDER: 'lexical',
  SKILLS_DB_PATH: join(mkdtempSync(join(tmpdir(), 'skills-langchain-readme-')), 'skills.db'),
};

it('the README example runs as written', () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const example = /## Example[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeTruthy();
  // From the package folder, so that its imports resolve as in a project that installed them.
  const child = spawnSync(process.execPath, ['--input-type=module', '-'], { cwd: packageDir, input: example, encoding: 'utf8', env });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  expect(child.stdout).toMatch(/^search_docs /);
});

it('the example prints the recommendations its runs produced, the tool that worked first', () => {
  const child = spawnSync(process.execPath, ['examples/agent.mjs'], { cwd: packageDir, encoding: 'utf8', env });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  expect(child.stdout).toMatch(/recommended for "[^"]+":\n {2}search_docs: .*\n {2}grep_code: /);
});
