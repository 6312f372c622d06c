import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';

const packageDir = join(import.meta.dirname, '..');
const databases = useDatabases();

describePostgres('README', () => {
  it('the example runs as written', async () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const example = /## Example[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeTruthy();
    const url = await databases.create();
    // The package name does not resolve from the example's input: point the import at the built entry.
    const child = spawnSync(process.execPath, ['--input-type=module', '-'], {
      input: example!.replaceAll("'@skills/store-postgres'", JSON.stringify(join(packageDir, 'dist/index.js'))),
      env: { ...process.env, SKILLS_DB_URL: url },
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const lines = child.stdout.trim().split('\n');
    const shown = new URL(url);
    shown.password = '';
    expect(lines[0]).toBe(shown.href);
    expect(lines[1]).toBe('1');
    expect(lines[2]).toBe('code-reviewer 1 1');
    expect(JSON.parse(lines[3]!)).toEqual([{ queryId: 1, skillName: 'code-reviewer', invocations: 1, completed: 1, failed: 0 }]);
    expect(lines).toHaveLength(4);
  });
});
