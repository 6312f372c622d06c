/** Where the packages report what a person should know (a fallback, a failure). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The default logger: one `[skills]`-prefixed line on stderr per message; debug is silent. */
export const consoleLogger: Logger = Object.freeze({
  debug: () => {},
  info: (m: string) => console.error(`[skills] ${m}`),
  warn: (m: string) => console.error(`[skills] warning: ${m}`),
  error: (m: string) => console.error(`[skills] error: ${m}`),
});

/** A logger that drops everything. */
export const silentLogger: Logger = Object.freeze({ debug() {}, info() {}, warn() {}, error() {} });
