import { spawn } from 'node:child_process';

/** The keeper of a throwaway cluster (see {@link startWatchdog}). */
export interface Watchdog {
  /** Stops the server and removes its folder now; resolves once both are done. Idempotent. */
  release(): Promise<void>;
}

/**
 * Starts the keeper of a cluster: a shell in a session of its own (so a signal to this process's
 * group spares it) waiting for end of file on its standard input, a pipe only this process holds.
 * The kernel closes that pipe when this process ends however it ends, SIGKILL included (when no
 * teardown of ours runs), and {@link Watchdog.release} closes it on purpose. Either way the shell
 * then runs `stop` (which fails harmlessly when the server is down) and removes `dir`.
 *
 * @param stop the command that stops the server, program first.
 */
export function startWatchdog(dir: string, stop: readonly string[]): Watchdog {
  // The folder and the command are the script's arguments ($1, then "$@"), never spliced into its text.
  const script = 'cat >/dev/null; dir=$1; shift; "$@" >/dev/null 2>&1; rm -rf -- "$dir"';
  const child = spawn('sh', ['-c', script, 'skills-pg-watchdog', dir, ...stop], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  // It must not keep this process alive: this process's end is what it waits for.
  child.unref();
  // A keeper that died early (killed by someone) makes the close of its pipe fail: nothing to report.
  child.stdin!.on('error', () => undefined);
  const done = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let released: Promise<void> | undefined;
  return {
    release() {
      if (!released) {
        // Held until it is done, so that a caller awaiting this is not left with an empty event loop.
        child.ref();
        child.stdin!.end();
        released = done;
      }
      return released;
    },
  };
}
