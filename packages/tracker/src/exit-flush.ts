/**
 * One process `exit` listener for every open tracker, however many there are: on a normal exit
 * (the event loop drained, or `process.exit()`) each gets a last synchronous flush, because no
 * promise can settle inside an `exit` handler.
 */
const flushers = new Set<() => void>();
let installed = false;

function flushAll(): void {
  for (const flush of flushers) flush();
}

/** Registers a synchronous last flush; returns the function that unregisters it. */
export function onProcessExit(flush: () => void): () => void {
  if (!installed) {
    process.on('exit', flushAll);
    installed = true;
  }
  flushers.add(flush);
  return () => flushers.delete(flush);
}
