import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { MCP_TOOLS } from '@skills/protocol';
import { waitFor } from '@skills/vitest-config/wait-for';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offerLocalPrebuild } from './local-prebuild.js';
import { killGroup, run, succeeded, type RunResult } from './run.js';
import { userEnv } from './user-env.js';

/**
 * The install test: what a team outside this repository does. Every publishable package is packed
 * (`pnpm pack`, whose `prepack` builds it), the tarballs are `npm install`ed into a scratch project
 * in a temporary folder outside the workspace (no workspace links), and the documented uses run
 * there. One pack-and-install per run, shared by the tests below; it prints how long it took.
 * better-sqlite3's prebuilt binary, which a user downloads, comes from the workspace's build.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MINUTE = 60_000;

/**
 * What the scratch project installs, as the root README's Install section says: the library (the
 * tracker and its SQLite store) and the command; with them, every `@skills` package they depend
 * on. Every other publishable package is packed and checked too, but not installed: their
 * required peers (an agent framework) would come from the registry.
 */
const INSTALLED = ['@skills/tracker', '@skills/store-sqlite', '@skills/cli'];

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, Record<string, string>>;
  bin?: Record<string, string>;
  [field: string]: unknown;
}

interface Tarball {
  readonly file: string;
  readonly manifest: Manifest;
  /** Paths inside the tarball, `package/` removed. */
  readonly files: readonly string[];
}

let work: string;
let app: string;
let env: NodeJS.ProcessEnv;
let tarballs: Tarball[];
let install: RunResult;
const timings: string[] = [];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs a command in the scratch project, as a user's shell would. */
function inApp(command: string, args: readonly string[], timeoutMs = 2 * MINUTE): Promise<RunResult> {
  return run(command, args, { cwd: app, env, timeoutMs });
}

/** What `pnpm -r publish` publishes: every workspace package under packages/ and apps/ that is not private. */
function publishable(): string[] {
  return ['packages', 'apps']
    .flatMap((group) => readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name, 'package.json')))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as Manifest)
    .filter((manifest) => manifest.private !== true)
    .map((manifest) => manifest.name)
    .sort();
}

/** `names` and every `@skills` package they depend on, directly or not, from the packed manifests. */
function withDependencies(names: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string) => {
    if (found.has(name)) return;
    const tarball = tarballs.find((t) => t.manifest.name === name);
    if (!tarball) throw new Error(`${name} was not packed`);
    found.add(name);
    for (const dependency of Object.keys((tarball.manifest['dependencies'] ?? {}) as Record<string, string>)) {
      if (dependency.startsWith('@skills/')) visit(dependency);
    }
  };
  names.forEach(visit);
  return [...found];
}

function readTarball(file: string): Tarball {
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' })) as Manifest;
  const files = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''));
  return { file, manifest, files };
}

beforeAll(async () => {
  const started = performance.now();
  work = mkdtempSync(join(tmpdir(), 'skills-install-test-'));
  if (!relative(ROOT, work).startsWith('..')) throw new Error(`the scratch folder ${work} must be outside the workspace ${ROOT}`);
  env = userEnv(ROOT);
  const packed = join(work, 'tarballs');
  app = join(work, 'app');
  mkdirSync(app);

  // One package after the other: each prepack runs turbo's build, which must not race another.
  const pack = succeeded(
    'pnpm pack',
    await run('pnpm', ['-r', '--workspace-concurrency=1', ...publishable().flatMap((name) => ['--filter', name]), 'pack', '--pack-destination', packed], {
      cwd: ROOT,
      env: process.env,
      timeoutMs: 10 * MINUTE,
    }),
  );
  timings.push(`pack ${seconds(pack.ms)}`);
  tarballs = readdirSync(packed)
    .filter((name) => name.endsWith('.tgz'))
    .map((name) => readTarball(join(packed, name)));

  // The project a user makes: ESM, and better-sqlite3 allowed to compile (npm 11 asks for that).
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'scratch-app', private: true, type: 'module', allowScripts: { 'better-sqlite3': true } }, null, 2)}\n`);
  // The prebuilt driver a user downloads, from the workspace's build (./local-prebuild.ts).
  const offered = offerLocalPrebuild(ROOT, app, join(work, 'prebuilds'));
  const files = withDependencies(INSTALLED).map((name) => tarballs.find((t) => t.manifest.name === name)!.file);
  install = succeeded('npm install', await inApp('npm', ['install', '--no-audit', '--no-fund', ...files], 10 * MINUTE));
  // A compile leaves its object files beside the binary; an unpacked prebuilt binary comes alone.
  const driver = join(app, 'node_modules', 'better-sqlite3');
  const installed = (JSON.parse(readFileSync(join(driver, 'package.json'), 'utf8')) as { version: string }).version;
  const how = existsSync(join(driver, 'build', 'Release', 'obj.target'))
    ? `better-sqlite3 ${installed} compiled from source: the prebuilt binary offered is ${offered}'s`
    : `better-sqlite3 ${installed} from its prebuilt binary`;
  timings.push(`npm install of ${files.length} packages ${seconds(install.ms)} (${how})`);
  console.log(`install test: ${timings.join(', ')}; ready after ${seconds(performance.now() - started)} in ${work}`);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('are every publishable package, built, with a LICENSE, and no workspace: or catalog: specifier left', () => {
    expect(tarballs.map((t) => t.manifest.name).sort()).toEqual(publishable());
    expect(publishable()).toEqual(expect.arrayContaining(['@skills/cli', '@skills/protocol', '@skills/server', '@skills/store-sqlite', '@skills/tracker']));
    for (const { manifest, files } of tarballs) {
      const name = manifest.name;
      expect(manifest.private, name).toBeUndefined();
      expect(files, name).toContain('LICENSE');
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
        expect(JSON.stringify(manifest[field] ?? {}), `${name} ${field}`).not.toMatch(/workspace:|catalog:/);
      }
      // Every file `exports` and `bin` name is in the tarball: the build ran before packing.
      const targets = [...Object.values(manifest.exports ?? {}).flatMap((conditions) => Object.values(conditions)), ...Object.values(manifest.bin ?? {})];
      expect(targets.length, `${name} exports or a bin`).toBeGreaterThan(0);
      for (const target of targets) expect(files, `${name}: ${target}`).toContain(target.replace(/^\.\//, ''));
      const entry = files.find((f) => f === 'dist/index.js' || f === 'dist/main.js' || f === 'dist/bin.js');
      expect(entry, `${name} is built`).toBeDefined();
    }
  });

  it("npm installs them without a warning, better-sqlite3's native binary in place", () => {
    expect(install.stdout + install.stderr).not.toMatch(/npm warn/i);
    expect(existsSync(join(app, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
  });
});

describe('the library', () => {
  it("runs the root README's example verbatim, as an ES module", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /^## Use it in your agent code\n[\s\S]*?^```ts\n([\s\S]*?)^```/m.exec(readme)?.[1];
    expect(example, 'README.md: a ```ts block under "## Use it in your agent code"').toBeDefined();
    writeFileSync(join(app, 'readme-example.js'), example!);
    const r = succeeded('the README example', await inApp(process.execPath, ['readme-example.js']));
    expect(r.stdout).toContain("skillName: 'test-runner'");
    expect(r.stdout).toContain("workflowPhase: 'verification'");
  });

  it('works from CommonJS: require() loads the ES modules (Node.js 20.19 or later)', async () => {
    writeFileSync(
      join(app, 'require.cjs'),
      [
        "const { createSkillsTracker } = require('@skills/tracker');",
        "const { SettingsSchema } = require('@skills/protocol');",
        'console.log(typeof createSkillsTracker, typeof SettingsSchema.parse);',
      ].join('\n'),
    );
    const r = succeeded('require()', await inApp(process.execPath, ['require.cjs']));
    expect(r.stdout).toBe('function function\n');
  });
});

describe('the skills command, through npx', () => {
  it('--help, demo and recommend', async () => {
    const help = succeeded('npx skills --help', await inApp('npx', ['skills', '--help']));
    expect(help.stdout).toContain('Usage: skills <command> [options]');
    const demo = succeeded('npx skills demo', await inApp('npx', ['skills', 'demo']));
    expect(demo.stdout).toContain('.skills/demo.db');
    const recommend = succeeded('npx skills recommend', await inApp('npx', ['skills', 'recommend', 'run the tests', '--db', '.skills/demo.db']));
    expect(recommend.stdout).toMatch(/^1\s+test-runner\s/m);
  });

  it('serve answers /health on a free loopback port, and stops cleanly on SIGTERM', async () => {
    // Its own process group, as a terminal or a service manager runs it: SIGTERM reaches npx,
    // the shell it starts and the command, which passes it on to the server.
    const child = spawn('npx', ['skills', 'serve', '--host', '127.0.0.1', '--port', '0'], { cwd: app, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const closed = once(child, 'close');
    try {
      const base = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)\/mcp/.exec(stdout)?.[1], { timeoutMs: MINUTE, what: `the "listening" line (stderr: ${stderr})` });
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', transport: 'http' });

      killGroup(child.pid, 'SIGTERM');
      await closed;
      await waitFor(() => fetch(`${base}/health`).then(() => false, () => true), { timeoutMs: 20_000, what: 'the server to stop' });
      expect(stderr).toContain('SIGTERM: finishing requests in flight, then closing the database');
      expect(stderr).not.toMatch(/error/i);
    } finally {
      killGroup(child.pid, 'SIGKILL');
    }
  });

  it('serve --stdio, driven by the MCP SDK stdio client: lists and calls the tools, and stdout carries JSON-RPC only', async () => {
    const recorded = join(work, 'stdio-stdout.jsonl');
    // `tee` keeps a copy of every byte the command writes to stdout, for the check at the end.
    const transport = new StdioClientTransport({
      command: 'sh',
      args: ['-c', 'npx skills serve --stdio | tee "$0"', recorded],
      cwd: app,
      env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'install-test', version: '1.0.0' });
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(Object.values(MCP_TOOLS)));
      const tracked = await client.callTool({
        name: MCP_TOOLS.trackInvocation,
        arguments: { session_id: 'install-test', skill_name: 'test-runner', user_query: 'run the tests', workflow_phase: 'verification' },
      });
      expect(tracked.isError).toBeFalsy();
      const recommended = await client.callTool({ name: MCP_TOOLS.recommendSkills, arguments: { user_query: 'run the tests' } });
      expect(recommended.isError).toBeFalsy();
      expect(recommended.structuredContent).toMatchObject({ recommendations: expect.arrayContaining([expect.objectContaining({ skill_name: 'test-runner' })]) });
    } finally {
      await client.close();
    }
    expect(errors).toEqual([]);
    const bytes = readFileSync(recorded, 'utf8');
    expect(bytes.endsWith('\n'), 'stdout ends with a complete line').toBe(true);
    const lines = bytes.slice(0, -1).split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4); // initialize, tools/list and the two calls
    for (const line of lines) expect(JSON.parse(line), line).toMatchObject({ jsonrpc: '2.0' });
  });
});

describe('@skills/protocol alone', () => {
  it('pulls in nothing but zod', async () => {
    const dir = join(work, 'protocol-only');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'protocol-only', private: true, type: 'module' }, null, 2)}\n`);
    const tarball = tarballs.find((t) => t.manifest.name === '@skills/protocol')!;
    succeeded('npm install @skills/protocol', await run('npm', ['install', '--no-audit', '--no-fund', tarball.file], { cwd: dir, env, timeoutMs: 5 * MINUTE }));
    const installed = readdirSync(join(dir, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(installed.sort()).toEqual(['@skills', 'zod']);
    expect(readdirSync(join(dir, 'node_modules', '@skills'))).toEqual(['protocol']);
    const loaded = succeeded(
      'import @skills/protocol',
      await run(process.execPath, ['--input-type=module', '-e', "const m = await import('@skills/protocol'); console.log(typeof m.SettingsSchema.parse)"], { cwd: dir, env, timeoutMs: MINUTE }),
    );
    expect(loaded.stdout).toBe('function\n');
  });
});
