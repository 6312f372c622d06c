#!/usr/bin/env node
// The Claude Code hook command: one event as JSON on stdin, the documented JSON (or nothing) on
// stdout, exit status 0 whatever happens (any other status shows the user a hook error, and 2
// would block the tool call or erase the prompt). `skills-hook --print-settings [--http]` prints
// the settings.json that runs it (or that posts to the skills server instead); `skills-hook
// --drain` writes the journaled tool events to the store now.
//
// Only the fast path is loaded up front: tool events, which come at every tool call, are done
// with it (see fast-path.ts). The full path, with the settings' validation, the store and the
// recommender, runs in a child process of this same command (`--full-path`), which this one
// kills when it has not answered within the bound (`SKILLS_HOOK_TIMEOUT_MS`; see bounded.ts).
import { fileURLToPath } from 'node:url';
import { runFastPath } from '../fast-path.js';
import type { Forwarded } from '../forward.js';
import { readHookTimeout } from '../hook-timeout.js';
import { readInput } from '../read-input.js';

/** Inputs larger than this are not a hook event anyone needs whole; they are cut, then fail to parse. */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;

const env = process.env;
const cwd = env['CLAUDE_PROJECT_DIR'] || process.cwd();

if (process.argv[2] === '--print-settings') {
  const { printSettings } = await import('../settings-snippet.js');
  process.stdout.write(printSettings(process.argv.slice(3), cwd));
  process.exit(0);
}

process.on('uncaughtException', () => process.exit(0));
process.on('unhandledRejection', () => process.exit(0));

if (process.argv[2] === '--drain') {
  const { drainHookJournal } = await import('../command.js');
  await drainHookJournal({ env, cwd });
  process.exit(0);
}

// The child's side: `--full-path <arrival ms> event|drain [the server's refusal, as JSON]`, the
// event on stdin.
if (process.argv[2] === '--full-path') {
  const [, , , arrival, what, refusal] = process.argv;
  const { runHookUnbounded, drainHookJournal } = await import('../command.js');
  if (what === 'drain') await drainHookJournal({ env, cwd });
  else {
    const input = await readInput(MAX_INPUT_BYTES);
    const output = await runHookUnbounded({ input, env, cwd, startedAt: Number(arrival), ...(refusal ? { forwarded: JSON.parse(refusal) as Forwarded } : {}) });
    if (output !== '') await new Promise((resolve) => process.stdout.write(output, resolve));
  }
  process.exit(0);
}

const startedAt = Date.now();
const input = await readInput(MAX_INPUT_BYTES);
const fast = await runFastPath({ input, env, cwd, now: startedAt });
let output = '';
if (fast.done) output = fast.output;
else {
  const { runBounded } = await import('../bounded.js');
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--full-path', String(startedAt), fast.drain ? 'drain' : 'event'];
  // The server's refusal, when the fast path asked it already: not asked again.
  if (fast.forwarded) args.push(JSON.stringify(fast.forwarded));
  output = await runBounded({ args, input, env, cwd, startedAt, timeoutMs: readHookTimeout(env).timeoutMs });
}
if (output === '') process.exit(0);
else process.stdout.write(output, () => process.exit(0));
