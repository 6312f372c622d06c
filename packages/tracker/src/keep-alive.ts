/** The longest delay a Node.js timer takes (about 24.8 days). */
const LONGEST_DELAY_MS = 2 ** 31 - 1;

/**
 * Holds the process open until `work` settles. The trackers' own timers are unref'd, so that
 * tracking never keeps a host alive; but a caller awaiting `flush()` or `close()` (a short script's
 * last line, a hook) needs the event loop to run the timers and network calls that work waits on,
 * or Node.js exits with the await unsettled (exit code 13).
 */
export function keepAliveUntil<T>(work: Promise<T>): Promise<T> {
  const hold = setInterval(() => {}, LONGEST_DELAY_MS);
  return work.finally(() => clearInterval(hold));
}
