// Helpers of the reliability tests: child processes running the fixtures in ./fixtures, and the
// store check. Plain ESM with types in harness.d.mts, so it is never compiled into the package.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile } from './fixtures/recount.mjs';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** Absolute path of a fixture script. */
export function fixture(name) {
  return join(FIXTURES, name);
}

const created = [];

/** A fresh folder for one test's files; {@link removeTempDirs} removes it. */
export function tempDir(prefix = 'skills-reliability-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes the folders {@link tempDir} made, unless RELIABILITY_KEEP_FILES=1 (then it lists them). */
export function removeTempDirs() {
  const dirs = created.splice(0);
  if (process.env.RELIABILITY_KEEP_FILES === '1') {
    if (dirs.length > 0) console.info(`[reliability] kept: ${dirs.join(' ')}`);
    return;
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs `command args` to its end, with a time limit (the child is killed when it is exceeded).
 * The environment drops every SKILLS_* variable so that settings come from the options only.
 */
export function run(command, args, options = {}) {
  const { cwd, env = {}, timeoutMs = 45_000 } = options; // room for a loaded machine
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CRACKERJACK_)?SKILLS_/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs a fixture with this Node. */
export function runFixture(name, args, options = {}) {
  return run(process.execPath, [fixture(name), ...args], options);
}

/** The last line of a child's stdout, parsed as JSON (what the fixtures report with). */
export function lastJson(stdout) {
  const line = stdout.trimEnd().split('\n').at(-1);
  if (!line) throw new Error('the child printed nothing');
  return JSON.parse(line);
}

/**
 * Checks a store file in a fresh process (fixtures/check-store.mjs): integrity, aggregates against a
 * recount, and, when given, the invocations promised durable.
 */
export async function checkStore(dbPath, promises) {
  const args = [dbPath];
  if (promises) {
    const file = join(tempDir('skills-promises-'), 'promises.json');
    writeFileSync(file, JSON.stringify(promises));
    args.push(file);
  }
  const result = await runFixture('check-store.mjs', args);
  if (result.code !== 0) throw new Error(`check-store failed (${result.code}): ${result.stderr}`);
  return lastJson(result.stdout);
}

/** The same check as {@link checkStore}, in this process: faster, for checks repeated many times. */
export function checkStoreHere(dbPath, promises) {
  return checkFile(dbPath, promises);
}


/** The seed of this run: RELIABILITY_SEED when set (to replay a failure), else a new one. */
export function runSeed() {
  const fromEnv = Number(process.env.RELIABILITY_SEED);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
}
