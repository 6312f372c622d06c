#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, USAGE, type BenchArgs } from './args.js';
import { markdown } from './report.js';
import { runBench } from './run.js';

/** The repository root, from tooling/bench/dist/main.js. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseArgs(process.argv.slice(2), ROOT);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  log(`${args.plan.mode} mode${args.plan.mode === 'full' && !args.only ? ' (over 30 minutes on a 2-core machine: the learned ranker\'s two refits 15 of them, PostgreSQL\'s column about 10; --quick for a few)' : ''}; the JSON goes to ${args.out}`);
  const report = await runBench({ plan: args.plan, only: args.only, log });
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${markdown(report)}\n`);
  log(`finished in ${report.durationSeconds.toFixed(0)} s; every figure in ${args.out}`);
  if (report.errors.length > 0) return 1;
  if (args.check && report.targets.some((t) => t.met === false || t.vsLimitMet === false)) return 1;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
