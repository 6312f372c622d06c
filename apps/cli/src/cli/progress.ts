/** Where a progress bar draws: a stream that may be a terminal. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): boolean;
}

/** A progress bar: `update(done, total)` while working, `finish()` once. */
export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

const NONE: Progress = Object.freeze({ update() {}, finish() {} });

/**
 * A one-line progress bar on `stream` when it is a terminal, redrawn at most every 50 ms;
 * nothing at all otherwise, so logs and pipes stay clean.
 *
 * @example
 * const bar = progressBar('importing', process.stderr);
 * bar.update(500, 1000);
 * bar.finish();
 */
export function progressBar(label: string, stream: ProgressStream, now: () => number = Date.now): Progress {
  if (!stream.isTTY) return NONE;
  let last = -Infinity;
  let drawn = false;
  let latest: [number, number] = [0, 0];
  const draw = () => {
    const [done, total] = latest;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 30));
    const filled = Math.round(ratio * width);
    stream.write(
      `\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${done}/${total}`,
    );
    drawn = true;
  };
  return {
    update(done, total) {
      latest = [done, total];
      const t = now();
      if (t - last >= 50 || done >= total) {
        last = t;
        draw();
      }
    },
    finish() {
      if (drawn) {
        draw();
        stream.write('\n');
      }
    },
  };
}
