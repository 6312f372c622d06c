#!/usr/bin/env node
// Builds one workspace app (and what it depends on) quietly through turbo's cache, then runs
// its entry with the remaining arguments, so `pnpm skills ...` always runs current code.
// Stdout carries the program's output only (an MCP stream, an id captured by `$(...)`): the
// build's output goes to stderr, and only when the build fails. Run it as `pnpm -s ...` so that
// pnpm's own banner stays off stdout too.
// Usage: node scripts/run-built.mjs <package-name> <entry-file> [args...]
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [pkg, entry, ...args] = process.argv.slice(2);
if (!pkg || !entry) {
  console.error('usage: node scripts/run-built.mjs <package-name> <entry-file> [args...]');
  process.exit(2);
}
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' };
const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', `--filter=${pkg}...`, '--output-logs=errors-only'], {
  cwd: root,
  env,
  encoding: 'utf8',
  // Not the caller's stdin (an MCP host's first messages are for the program), nor its stdout.
  stdio: ['ignore', 'pipe', 'pipe'],
  maxBuffer: 64 * 1024 * 1024,
});
if (build.status !== 0) {
  process.stderr.write((build.stdout ?? '') + (build.stderr ?? ''));
  console.error(`\nBuilding ${pkg} failed${build.error ? `: ${build.error.message}` : ' (above)'}.`);
  process.exit(build.status || 1);
}
const run = spawnSync(process.execPath, [resolve(root, entry), ...args], { stdio: 'inherit', env: process.env });
process.exit(run.status ?? (run.signal ? 1 : 0));
