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
  // The package name does not resolve from a scratch folder: point the import at the built entry.
  const child = spawnSync(process.execPath, ['--input-type=module', '-'], {
    cwd: tempDir(),
    input: example!.replaceAll("'@skills/embeddings'", JSON.stringify(join(packageDir, 'dist/index.js'))),
    encoding: 'utf8',
  });
  expect(child.stderr).not.toMatch(/Error/);
  expect(child.status).toBe(0);
  const lines = child.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^0\.\d\d fix the mypy type errors in the cli$/);
  // auto: lexical here; the transformer on a machine that has its model.
  expect(lines.at(-1)).toMatch(/^(lexical|transformer)\//);
});
