import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from './test-support/temp.js';

const packageDir = join(import.meta.dirname, '..');

it('the README example runs as written', () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const example = /## Example[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeTruthy();
  // Runs in a scratch folder (the example's relative .skills/ path lands there), where the
  // package name would not resolve: the import is pointed at the built entry instead.
  const cwd = tempDir();
  const child = spawnSync(process.execPath, ['--input-type=module', '-'], {
    cwd,
    input: example!.replaceAll("'@skills/tracker'", JSON.stringify(join(packageDir, 'dist/index.js'))),
    encoding: 'utf8',
    env: { ...process.env, SKILLS_EMBEDDER: 'lexical' },
  });
  expect(child.stderr).not.toMatch(/Error/);
  expect(child.status).toBe(0);
  expect(child.stdout).toContain('test-runner');
  expect(child.stdout).toContain("kind: 'direct'");
});
