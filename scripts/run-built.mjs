#!/usr/bin/env node
// Builds one workspace app (and what it depends on) through turbo's cache, then runs its entry
// with the remaining arguments, so `pnpm skills ...` always runs current code.
// Stdout carries the program's output only (an MCP stream, an id captured by `$(...)`). A build
// shows one line per package it compiles on stderr (a fresh clone's first run compiles them all);
// a cached one shows nothing; a failed one shows turbo's whole output, on stderr. Run it as
// `pnpm -s ...` so that pnpm's own banner stays off stdout too.
// Usage: node scripts/run-built.mjs <package-name> <entry-file> [args...]
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [pkg, entry, ...args] = process.argv.slice(2);
if (!pkg || !entry) {
  console.error('usage: node scripts/run-built.mjs <package-name> <entry-file> [args...]');
  process.exit(2);
}
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' };
const started = performance.now();
const build = spawn('pnpm', ['exec', 'turbo', 'run', 'build', `--filter=${pkg}...`, '--output-logs=new-only'], {
  cwd: root,
  env,
  // Not the caller's stdin (an MCP host's first messages are for the program), nor its stdout.
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
let unread = '';
let compiled = 0;
build.stdout.setEncoding('utf8').on('data', (chunk) => {
  output += chunk;
  unread += chunk;
  const lines = unread.split('\n');
  unread = lines.pop();
  for (const line of lines) {
    const miss = /^(\S+):build: cache (miss|bypass)/.exec(line);
    if (miss) {
      compiled++;
      process.stderr.write(`building ${miss[1]}...\n`);
    }
  }
});
build.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
const [status, error] = await Promise.race([once(build, 'close'), once(build, 'error').then(([e]) => [null, e])]);
if (status !== 0) {
  process.stderr.write(output);
  console.error(`\nBuilding ${pkg} failed${error ? `: ${error.message}` : ' (above)'}.`);
  process.exit(status || 1);
}
if (compiled > 0) console.error(`built ${compiled} package${compiled === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// The program runs in this process group, so a terminal's Ctrl-C or a SIGTERM to the group reaches
// it directly: wait for it to finish instead of dying first, and exit as it did, so that pnpm
// reports its exit code rather than "ELIFECYCLE Command failed" for a clean stop.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
const run = spawnSync(process.execPath, [resolve(root, entry), ...args], { stdio: 'inherit', env: process.env });
process.exit(run.status ?? 128 + (constants.signals[run.signal] ?? 0));
