import type { Logger } from '@skills/protocol';
import type { Counter } from 'prom-client';

/** What makes two failures "the same": class, code and message (not the stack, which varies). */
function signatureOf(error: unknown): string {
  if (!(error instanceof Error)) return `${typeof error}:${String(error)}`;
  const code = (error as { code?: unknown }).code;
  return `${error.name}:${typeof code === 'string' ? code : ''}:${error.message}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Logs unexpected failures once per condition: the first failure of a kind is logged with its
 * stack; the same failure again from the same source is only counted
 * (`skills_repeated_failures_total`), so a full disk that fails every write does not fill the
 * log too. A different failure is logged again, and so is the recovery (the first success after
 * failures), with how many repeats were not logged.
 */
export class FailureLog {
  readonly #logger: Logger;
  readonly #repeats: Counter<'source'>;
  /** Per source (a tool, `http`): the failure last logged and how often it came again since. */
  readonly #current = new Map<string, { signature: string; repeats: number }>();

  constructor(logger: Logger, repeats: Counter<'source'>) {
    this.#logger = logger;
    this.#repeats = repeats;
  }

  /** A failure at `source` (a label from a fixed set: a tool name, `http`); `what` says what failed, for the log. */
  failed(source: string, what: string, error: unknown): void {
    const signature = signatureOf(error);
    const current = this.#current.get(source);
    if (current?.signature === signature) {
      current.repeats++;
      this.#repeats.inc({ source });
      return;
    }
    const before = current && current.repeats > 0 ? ` (the previous failure came ${current.repeats} more times, not logged)` : '';
    this.#current.set(source, { signature, repeats: 0 });
    this.#logger.error(
      `${what} failed${before}: ${describe(error)}\n(the same failure again is counted in skills_repeated_failures_total{source="${source}"}, not logged)`,
    );
  }

  /** A success at `source`: logs the recovery when it had been failing. */
  succeeded(source: string): void {
    const current = this.#current.get(source);
    if (!current) return;
    this.#current.delete(source);
    this.#logger.info(`${source} works again (failures in a row before: ${current.repeats + 1})`);
  }
}
