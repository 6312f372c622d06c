// What a one-shot command loads in a fresh process. Loading modules is most of a one-shot
// `skills recommend` on a small store (issue 17): each module it does not need is start time
// paid by every call. Checks the modules loaded, not the time, so that it holds on a busy machine.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands/index.js';
import { skills, tempDir, type CliResult } from '../test/support.js';

/**
 * Runs the built command with module loader hooks that append each module's URL to a file: the
 * hooks run on the loader's own thread and append before the module is handed over, so the file
 * is complete once the process has exited.
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
  return { run, loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

/** What only serving, hooks, a PostgreSQL store, a settings file or a local model need. */
const NOT_FOR_RECOMMEND =
  /\/node_modules\/(@modelcontextprotocol\/sdk|undici|ajv|yaml|pg|pg-[a-z-]+|@huggingface\/[a-z-]+|onnxruntime-[a-z-]+)\/|\/apps\/server\/|\/packages\/claude-code\//;

/** The CLI's own modules by path under dist/, e.g. `commands/recommend.js`. */
function cliModules(loaded: readonly string[]): string[] {
  return loaded.flatMap((url) => /\/apps\/cli\/dist\/(.+)$/.exec(url)?.[1] ?? []);
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
    const specs = new Set(['commands/index.js', 'eval/spec.js']);
    expect(cliModules(loaded).filter((file) => /^(commands|copy|demo|eval|import|migrate)\//.test(file) && !specs.has(file))).toEqual([
      'commands/recommend.js',
    ]);
  });

  it('skills --help lists every command and loads no command, tracker or store', async () => {
    const { run, loaded } = await modulesLoadedBy(['--help'], tempDir());
    expect(run.code).toBe(0);
    for (const c of COMMANDS) expect(run.stdout).toContain(`  ${c.name} `);
    expect(loaded.some((url) => url.endsWith('/apps/cli/dist/commands/index.js'))).toBe(true);
    expect(loaded.filter((url) => /\/packages\/(tracker|store-[a-z]+|embeddings|mcp-client)\/|\/node_modules\/(kysely|better-sqlite3)\//.test(url))).toEqual([]);
    expect(cliModules(loaded).filter((file) => file.startsWith('commands/') && file !== 'commands/index.js')).toEqual([]);
  });
});
