#!/usr/bin/env node
// pnpm test:stress: the whole `pnpm test`, several times in a row (3 unless --runs N), while two
// CPU-bound processes run beside it, as on a busy 2-core machine. The suite must pass every time:
// tests wait for conditions with deadlines, never for an amount of time. Stops at the first failing
// run with its exit code, and prints each run's time. The busy processes are always stopped.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, hogs: { type: 'string', default: '2' } } });
const runs = Number(values.runs);
const hogCount = Number(values.hogs);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(hogCount) || hogCount < 0) {
  console.error('usage: node scripts/test-stress.mjs [--runs N (>= 1, default 3)] [--hogs N (>= 0, default 2)]');
  process.exit(2);
}

const hogs = Array.from({ length: hogCount }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
const stopHogs = () => {
  for (const hog of hogs) if (hog.exitCode === null && hog.signalCode === null) hog.kill('SIGKILL');
};
/** The `pnpm test` running now. */
let current;
// However this script ends (an error, Ctrl-C, a kill), the busy processes and the run end with it.
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    current?.kill(signal);
    process.exit(130);
  });
}

/** One `pnpm test`, its output passed through; resolves with its exit code. */
function pnpmTest() {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('pnpm', ['test'], { cwd: root, stdio: 'inherit' });
    current = child;
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

const times = [];
try {
  console.log(`test:stress: ${runs} runs of pnpm test beside ${hogCount} busy processes (pids ${hogs.map((h) => h.pid).join(', ') || 'none'})`);
  for (let run = 1; run <= runs; run++) {
    const started = performance.now();
    const code = await pnpmTest();
    const seconds = (performance.now() - started) / 1000;
    times.push(seconds);
    console.log(`test:stress: run ${run}/${runs} ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s`);
    if (code !== 0) {
      process.exitCode = code;
      break;
    }
  }
  if (process.exitCode === undefined) console.log(`test:stress: all ${runs} runs passed; times ${times.map((t) => `${t.toFixed(1)} s`).join(', ')}`);
} finally {
  stopHogs();
}
