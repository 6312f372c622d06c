import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, resolve } from 'node:path';
import { intOption, stringOption } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { databaseTarget } from '../cli/context.js';
import { CliError } from '../cli/errors.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The server's entry file, from the `bin` of `@skills/server`'s package.json. */
export function serverBin(): string {
  const require = createRequire(import.meta.url);
  let pkgPath: string;
  try {
    pkgPath = require.resolve('@skills/server/package.json');
  } catch {
    throw new CliError('@skills/server is not installed next to the command (run pnpm install)');
  }
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin?: string | Record<string, string> };
  const rel = typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin?.['skills-server'] ?? Object.values(pkg.bin ?? {})[0]);
  if (!rel) throw new CliError(`${pkgPath} names no bin`);
  return resolve(dirname(pkgPath), rel);
}

export async function run(ctx: CommandContext): Promise<number> {
  const host = stringOption(ctx.values, 'host');
  const port = intOption(ctx.values, 'port', 0, 65_535);
  const stdio = ctx.values['stdio'] === true;
  const bin = serverBin();
  if (!existsSync(bin)) throw new CliError(`the server is not built: ${bin} is missing (run pnpm build)`);
  // The server checks these itself: they are passed on as given.
  const passed = (['token-file', 'allowed-hosts', 'max-body-bytes'] as const).flatMap((name) => {
    const value = stringOption(ctx.values, name);
    return value === undefined ? [] : [`--${name}`, name === 'token-file' ? resolve(ctx.cwd, value) : value];
  });
  const args = [
    bin,
    ...(host ? ['--host', host] : []),
    ...(port !== undefined ? ['--port', String(port)] : []),
    ...(stdio ? ['--stdio'] : []),
    ...passed,
  ];
  // The store goes by environment, not by argument: a URL's password must not show in `ps`.
  const env = { ...ctx.env, SKILLS_DB_URL: databaseTarget(ctx), ...(ctx.project ? { SKILLS_PROJECT: ctx.project } : {}) };
  // In its own process group, a terminal's Ctrl-C reaches only this process, which passes it on
  // once: the server takes a second SIGINT as "exit now". A stdio server reading a terminal must
  // stay in the foreground group to be allowed to read it.
  const detached = !(stdio && ctx.io.stdin.isTTY);
  // The IPC channel tells the server when this process is gone, however it ended (a SIGKILL here
  // cannot be passed on): it then stops rather than run on as an orphan.
  const child = spawn(process.execPath, args, { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env, cwd: ctx.cwd, detached });
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);
  const forward = (signal: NodeJS.Signals) => () => {
    // Without a group of its own the child got the terminal's SIGINT itself.
    if (!detached && signal === 'SIGINT') return;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const handlers = FORWARDED.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    return await new Promise<number>((resolvePromise, reject) => {
      child.once('error', (error) => reject(new CliError(`could not start the server: ${error.message}`)));
      child.once('exit', (code, signal) => resolvePromise(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
    });
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off('exit', killOnExit);
  }
}
