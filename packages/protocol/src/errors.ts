import type { z } from 'zod';

/** Every error this project throws on purpose has a stable `code`. */
export class SkillsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One rule broken by an input: the field's dotted path and what the rule says. */
export interface Violation {
  readonly path: string;
  readonly message: string;
}

/** Bad input: names each field and the rule it broke. Nothing was stored. */
export class ValidationError extends SkillsError {
  readonly violations: readonly Violation[];
  constructor(what: string, violations: readonly Violation[]) {
    super('VALIDATION', `Invalid ${what}: ${violations.map(formatViolation).join('; ')}`);
    this.violations = violations;
  }
}

/** A settings value that breaks its rule, with the source it came from. */
export class SettingsError extends SkillsError {
  readonly source: string;
  readonly key: string;
  constructor(source: string, key: string, rule: string) {
    super('SETTINGS', `Invalid setting "${key}" from ${source}: ${rule}`);
    this.source = source;
    this.key = key;
  }
}

/** A feature or backend that exists in the interface but not in this build or place. */
export class NotAvailableError extends SkillsError {
  constructor(message: string) {
    super('NOT_AVAILABLE', message);
  }
}

/** The store could not do what was asked (I/O, corruption, a format it cannot read). */
export class StoreError extends SkillsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE', message, options);
  }
}

/**
 * A call on a tracker after its `close()`: `getRecommendations` rejects with it. (A
 * `trackInvocation` after close is refused without throwing: it returns null, logs once and is
 * counted in `health().refusedAfterClose`.)
 */
export class TrackerClosedError extends SkillsError {
  constructor(what: string) {
    super('TRACKER_CLOSED', `${what} after the tracker was closed; open a new tracker to go on`);
  }
}

function formatViolation(v: Violation): string {
  return v.path ? `${v.path}: ${v.message}` : v.message;
}

/** Turns zod issues into violations with dotted paths (`alternativesConsidered.2`). */
export function toViolations(error: z.ZodError): Violation[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Parses `value` with `schema`, or throws a {@link ValidationError} naming every broken field.
 *
 * @example
 * const input = parseOrThrow(TrackInvocationInputSchema, raw, 'trackInvocation input');
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(what, toViolations(result.error));
  return result.data;
}
