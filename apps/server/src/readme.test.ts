import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@skills/protocol';
import { expect, it } from 'vitest';
import type { DashboardProjects } from './dashboard/project-list.js';
import { startSkillsServer } from './server.js';
import { rawRequest, tempDir, testSettings } from './test-support/harness.js';
import { parseTokenFile, readTokenFile } from './token-file.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const MARKER = '<!-- token-file example';

/** The YAML block after the README's token file marker. */
function tokenFileExample(): string {
  const at = README.indexOf(MARKER);
  expect(at, `README.md has no "${MARKER}" marker`).toBeGreaterThan(-1);
  const block = /```yaml\n([\s\S]*?)```/.exec(README.slice(at));
  expect(block, 'no yaml block after the marker').not.toBeNull();
  return block![1]!;
}

it("serves the README's token file example: each token sees its projects, admin sees all", async () => {
  const dir = tempDir();
  const file = join(dir, 'tokens.yaml');
  const example = tokenFileExample();
  writeFileSync(file, example, { mode: 0o600 });
  const tokens = readTokenFile(file, '--token-file', []);
  const server = await startSkillsServer({ settings: testSettings(dir), host: '127.0.0.1', port: 0, logger: silentLogger, tokens });
  try {
    const picker = async (name: string) => {
      const token = tokens.find((t) => t.name === name)!.token;
      return JSON.parse((await rawRequest(server.url, { path: '/api/projects', headers: { authorization: `Bearer ${token}` } })).body) as DashboardProjects;
    };
    expect(await picker('team-a')).toEqual({ projects: ['web-app'], project: 'web-app', allProjects: false });
    expect(await picker('team-b')).toEqual({ projects: ['data-pipeline', 'ml-models'], project: 'data-pipeline', allProjects: false });
    expect(await picker('admin')).toMatchObject({ allProjects: true });
  } finally {
    await server.close();
  }
  // The README's example of a refusal, from the same file with one name broken.
  expect(() => parseTokenFile(example.replace('[data-pipeline,', '[Data-Pipeline,'), '--token-file /etc/skills/tokens.yaml')).toThrow(
    '--token-file /etc/skills/tokens.yaml: tokens.1 ("team-b"): projects.0 must be 1-64 characters: ',
  );
  expect(README).toContain('`--token-file /etc/skills/tokens.yaml: tokens.1 ("team-b"): projects.0 must be 1-64 characters: ...`');
});
