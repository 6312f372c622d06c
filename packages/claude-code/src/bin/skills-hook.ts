#!/usr/bin/env node
// The Claude Code hook command: one event as JSON on stdin, the documented JSON (or nothing) on
// stdout, exit status 0 whatever happens (any other status shows the user a hook error, and 2
// would block the tool call or erase the prompt). `skills-hook --print-settings [--http]` prints
// the settings.json that runs it (or that posts to the skills server instead).
import { runHook } from '../command.js';

/** Inputs larger than this are not a hook event anyone needs whole; they are cut, then fail to parse. */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;

if (process.argv[2] === '--print-settings') {
  const { printSettings } = await import('../settings-snippet.js');
  process.stdout.write(printSettings(process.argv.slice(3), process.env['CLAUDE_PROJECT_DIR'] || process.cwd()));
  process.exit(0);
}

process.on('uncaughtException', () => process.exit(0));
process.on('unhandledRejection', () => process.exit(0));

const chunks: Buffer[] = [];
let size = 0;
for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
  size += chunk.length;
  if (size <= MAX_INPUT_BYTES) chunks.push(chunk);
}
const output = await runHook({
  input: Buffer.concat(chunks).toString('utf8'),
  env: process.env,
  cwd: process.env['CLAUDE_PROJECT_DIR'] || process.cwd(),
});
if (output === '') process.exit(0);
else process.stdout.write(output, () => process.exit(0));
