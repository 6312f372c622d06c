import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@skills/vitest-config/wait-for';
import { describe, expect, it } from 'vitest';
import { killGroup } from './run.js';

/** What a clone of the repository gives: the workspace before a build, and its root scripts. */

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The fields of a package.json read here. */
interface Manifest {
  readonly name: string;
  readonly bin?: string | Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/** Every workspace package's folder, relative to the root. */
function workspacePackages(): string[] {
  return ['packages', 'apps', 'tooling'].flatMap((group) =>
    readdirSync(join(ROOT, group))
      .map((name) => `${group}/${name}`)
      .filter((dir) => existsSync(join(ROOT, dir, 'package.json'))),
  );
}

describe('a clone of the repository', () => {
  it('holds the bin targets pnpm links before any build, so that `pnpm install` links them without a warning', () => {
    // pnpm links the bins of a workspace package into the packages that depend on it when it
    // installs, before anything is built, and warns "Failed to create bin" for a target that does
    // not exist yet: one inside dist/.
    const manifests = workspacePackages().map((dir) => ({ dir, ...(JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest) }));
    const dependedOn = new Set(manifests.flatMap((m) => [m.dependencies, m.devDependencies, m.optionalDependencies].flatMap((deps) => Object.keys(deps ?? {}))));
    const targets = manifests
      .filter((m) => dependedOn.has(m.name))
      .flatMap((m) => Object.values(typeof m.bin === 'string' ? { bin: m.bin } : (m.bin ?? {})).map((target) => join(m.dir, target)));
    expect(targets).toEqual(expect.arrayContaining(['apps/cli/bin/skills.js', 'apps/server/bin/skills-server.js']));
    // `git check-ignore` exits 0 for an ignored path (a build output), 1 for one a clone has.
    const ignored = (path: string) => spawnSync('git', ['check-ignore', '--quiet', '--no-index', path], { cwd: ROOT }).status;
    expect(ignored('apps/server/dist/main.js'), 'the check sees build outputs').toBe(0);
    for (const target of targets) {
      expect(existsSync(join(ROOT, target)), target).toBe(true);
      expect(ignored(target), `${target} is ignored by git (a build output)`).toBe(1);
    }
  });

  it('a build before a run shows one line per package it compiles, on stderr; the program keeps stdout', () => {
    // TURBO_FORCE makes turbo compile what its cache holds, as on a fresh clone's first `pnpm demo`.
    const run = spawnSync(process.execPath, ['scripts/run-built.mjs', '@skills/protocol', 'packages/protocol/dist/index.js'], {
      cwd: ROOT,
      env: { ...process.env, TURBO_FORCE: 'true' },
      encoding: 'utf8',
      timeout: 3 * 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^building @skills\/protocol\.\.\.\nbuilt 1 package in \d+\.\d s\n$/);
  });

  it('`pnpm skills serve` stops cleanly on SIGTERM: exit 0, no "ELIFECYCLE Command failed"', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'skills-from-source-')), 'serve.db');
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(CRACKERJACK_)?SKILLS_/.test(key)));
    // Its own process group, as a terminal runs it: SIGTERM reaches pnpm, the script and the command.
    const child = spawn('pnpm', ['skills', 'serve', '--host', '127.0.0.1', '--port', '0', '--db', db], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const base = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)\/mcp/.exec(output)?.[1], { timeoutMs: 3 * 60_000, what: `the "listening" line (output: ${output})` });
      expect((await fetch(`${base}/health`)).status).toBe(200);
      killGroup(child.pid, 'SIGTERM');
      const [code, signal] = await closed;
      expect({ code, signal }, output).toEqual({ code: 0, signal: null });
      expect(output).not.toContain('ELIFECYCLE');
      expect(output).toContain('SIGTERM: finishing requests in flight, then closing the database');
    } finally {
      killGroup(child.pid, 'SIGKILL');
    }
  });
});
