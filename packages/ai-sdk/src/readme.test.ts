import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from './test-support/store.js';

const packageDir = join(import.meta.dirname, '..');

it('the README example runs as written, and records the tool call it makes', () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const example = /## Example[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeTruthy();
  // Runs in a scratch folder (the example's relative .skills/ path lands there) that sees this
  // package's dependencies; this package's own name is pointed at its built entry.
  const cwd = tempDir();
  symlinkSync(join(packageDir, 'node_modules'), join(cwd, 'node_modules'), 'dir');
  const child = spawnSync(process.execPath, ['--input-type=module', '-'], {
    cwd,
    input: example!.replaceAll("'@skills/ai-sdk'", JSON.stringify(join(packageDir, 'dist/index.js'))),
    encoding: 'utf8',
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  expect(child.stdout).toMatch(/^runTests 0\.67 .*1\/1 runs succeeded/m);
});

it('the example in examples/ runs offline and prints the recommendations it produced', () => {
  const child = spawnSync(process.execPath, [join(packageDir, 'examples/agent.mjs')], { cwd: packageDir, encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  expect(child.stdout).toMatch(/Recommendations for "why do the parser unit tests fail\?":\n {2}run-tests /);
  expect(child.stdout).toContain('For similar requests these tools worked, best first: run-tests');
});
