// What a one-shot command loads in a fresh process. Loading modules is most of a one-shot
// `skills recommend` on a small store (issue 17): each module it does not need is start time
// paid by every call. Checks the modules loaded, not the time, so that it holds on a busy machine.
// The command is bundled (scripts/bundle.mjs): a file it loads from dist/ stands for the sources
// the build put in it, as dist/bundle-meta.json (esbuild's metafile) lists them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands/index.js';
import { skills, tempDir, type CliResult } from '../test/support.js';

const ROOT = join(import.meta.dirname, '..');

/** Each output of the build (its URL) with the URLs of the sources it holds. */
function bundleSources(): Map<string, string[]> {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle-meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  const url = (path: string) => pathToFileURL(resolve(ROOT, path)).href;
  return new Map(Object.entries(meta.outputs).map(([output, { inputs }]) => [url(output), Object.keys(inputs).map(url)]));
}

/**
 * Runs the built command with module loader hooks that append each module's URL to a file: the
 * hooks run on the loader's own thread and append before the module is handed over, so the file
 * is complete once the process has exited. A bundle's file is replaced by its sources.
 */
async function modulesLoadedBy(args: readonly string[], cwd: string): Promise<{ run: CliResult; loaded: string[] }> {
  const dir = tempDir('skills-start-cost-');
  const log = join(dir, 'loaded.txt');
  writeFileSync(log, '');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
     export async function load(url, context, nextLoad) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return nextLoad(url, context); }`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const run = await skills(args, { cwd, env: { NODE_OPTIONS: `--import=${pathToFileURL(register).href}` } });
  const sources = bundleSources();
  const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  // The bundle ran: the command's entry is one of its outputs.
  expect(loaded.filter((url) => sources.has(url)).length).toBeGreaterThan(0);
  return { run, loaded: loaded.flatMap((url) => sources.get(url) ?? [url]) };
}

/** What only serving, hooks, a PostgreSQL store, a settings file or a local model need. */
const NOT_FOR_RECOMMEND =
  /\/node_modules\/(@modelcontextprotocol\/sdk|undici|ajv|yaml|pg|pg-[a-z-]+|@huggingface\/[a-z-]+|onnxruntime-[a-z-]+)\/|\/apps\/server\/|\/packages\/claude-code\//;

/** The CLI's own modules by source path, e.g. `commands/recommend.ts`. */
function cliModules(loaded: readonly string[]): string[] {
  return loaded.flatMap((url) => /\/apps\/cli\/src\/(.+)$/.exec(url)?.[1] ?? []);
}

describe('a one-shot command loads only what it needs', () => {
  it('skills recommend: its command, the SQLite engine, no other command, no server, hook, PostgreSQL or model code', async () => {
    const cwd = tempDir();
    const db = join(cwd, 'skills.db');
    const tracked = await skills(['track', 'code-reviewer', '--query', 'review the auth change', '--db', db], { cwd });
    expect(tracked.stderr).toBe('');
    expect((await skills(['complete', tracked.stdout.trim(), '--db', db], { cwd })).code).toBe(0);

    const { run, loaded } = await modulesLoadedBy(['recommend', 'review the auth change', '--db', db, '--json'], cwd);
    expect(run.stderr).toBe('');
    expect((JSON.parse(run.stdout) as Array<{ skillName: string }>).map((r) => r.skillName)).toEqual(['code-reviewer']);
    // The hooks saw the modules that were needed, so their silence about the others means something.
    expect(loaded.some((url) => url.includes('/packages/store-sqlite/dist/sqlite-store.js'))).toBe(true);
    expect(loaded.filter((url) => NOT_FOR_RECOMMEND.test(url))).toEqual([]);
    // The PostgreSQL engine is registered (its URL scheme) but its store is not loaded.
    const postgres = loaded.flatMap((url) => /\/packages\/store-postgres\/dist\/(.+)$/.exec(url)?.[1] ?? []);
    expect(postgres.filter((file) => file !== 'engine.js' && file !== 'url.js')).toEqual([]);
    // Of the command implementations, only recommend's (the list of commands and their specs load for every command).
    const specs = new Set(['commands/index.ts', 'eval/spec.ts']);
    expect(cliModules(loaded).filter((file) => /^(commands|copy|demo|eval|import|migrate)\//.test(file) && !specs.has(file))).toEqual([
      'commands/recommend.ts',
    ]);
  });

  it('skills --help lists every command and loads no command, tracker or store', async () => {
    const { run, loaded } = await modulesLoadedBy(['--help'], tempDir());
    expect(run.code).toBe(0);
    for (const c of COMMANDS) expect(run.stdout).toContain(`  ${c.name} `);
    expect(loaded.some((url) => url.endsWith('/apps/cli/src/commands/index.ts'))).toBe(true);
    expect(loaded.filter((url) => /\/packages\/(tracker|store-[a-z]+|embeddings|mcp-client)\/|\/node_modules\/(kysely|better-sqlite3)\//.test(url))).toEqual([]);
    expect(cliModules(loaded).filter((file) => file.startsWith('commands/') && file !== 'commands/index.ts')).toEqual([]);
  });

  it('skills recommend with a settings file: the YAML reader, kept outside the bundle, resolves and the settings take effect', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'settings'));
    writeFileSync(join(cwd, 'settings', 'skills.yaml'), 'skills:\n  db_path: data/team.db\n  max_recommendations: 1\n');
    for (const skill of ['code-reviewer', 'security-review']) {
      const tracked = await skills(['track', skill, '--query', 'review the auth change'], { cwd });
      expect(tracked.stderr).toBe('');
      expect((await skills(['complete', tracked.stdout.trim()], { cwd })).code).toBe(0);
    }
    expect(existsSync(join(cwd, 'data', 'team.db'))).toBe(true);
    // The loader hooks do not see yaml: the settings reader require()s it.
    const recommended = await skills(['recommend', 'review the auth change', '--json'], { cwd });
    expect(recommended.stderr).toBe('');
    expect(JSON.parse(recommended.stdout)).toHaveLength(1);
  });
});
