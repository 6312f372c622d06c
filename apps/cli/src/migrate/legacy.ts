import { createHash } from 'node:crypto';
import { InvocationRecordSchema, LIMITS, type InvocationRecord, type InvocationStatus } from '@skills/protocol';
import { toUtcIso } from './timezone.js';

/** The legacy files, in the order `skills migrate` looks for them under the working directory. */
export const LEGACY_FILES = ['.crackerjack/skill_metrics.json', '.session-buddy/skill_metrics.json'] as const;

/** The session given to legacy records that have none. */
export const MIGRATED_SESSION = 'migrated';

/** A legacy record that cannot be imported: its index in `invocations`, the field and why. */
export interface InvalidRecord {
  readonly index: number;
  readonly field: string;
  readonly message: string;
}

/** The per-skill aggregates the legacy tool kept, as far as they matter here. */
export interface LegacyAggregate {
  readonly total: number | null;
  readonly completed: number | null;
}

/** What a legacy file holds, read and checked. */
export interface LegacyRead {
  /** `original` (no sessions or queries) or `extended` (with session_id, user_query, ...). */
  readonly variant: 'original' | 'extended';
  /** Entries in `invocations`. */
  readonly read: number;
  /** Valid records, each once. */
  readonly records: InvocationRecord[];
  /** Valid entries that repeat an earlier one in the file (same id). */
  readonly repeatedInFile: number;
  readonly invalid: InvalidRecord[];
  /** `skills` aggregates by skill name; null when the file has none. */
  readonly aggregates: ReadonlyMap<string, LegacyAggregate> | null;
  readonly lastUpdated: string | null;
}

/** The file is not a legacy metrics file at all (not JSON, no `invocations`): nothing was read. */
export class LegacyFormatError extends Error {}

/** Fields of the extended variant; one of them present marks a file as `extended`. */
const EXTENDED_FIELDS = ['session_id', 'user_query', 'alternatives_considered', 'selection_rank', 'workflow_phase'];

/** Record fields (camelCase) as the legacy file names them, for error messages. */
const LEGACY_NAME: Record<string, string> = {
  skillName: 'skill_name',
  sessionId: 'session_id',
  invokedAt: 'invoked_at',
  completed: 'completed',
  completedAt: 'invoked_at',
  durationSeconds: 'duration_seconds',
  userQuery: 'user_query',
  workflowPhase: 'workflow_phase',
  alternativesConsidered: 'alternatives_considered',
  selectionRank: 'selection_rank',
  followUpActions: 'follow_up_actions',
  errorType: 'error_type',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

/** Options of {@link readLegacy}. */
export interface ReadLegacyOptions {
  /** IANA zone the naive timestamps are in; default this process's local zone. */
  readonly timeZone?: string;
}

/**
 * The id a legacy record is stored under: a hash of what identifies it (skill, timestamp as
 * written, session, query), never of its position, so re-running a migration, or migrating a
 * file that grew since, imports each record once.
 */
export function legacyId(entry: Record<string, unknown>): string {
  const identity = JSON.stringify([entry['skill_name'], entry['invoked_at'], entry['session_id'] ?? null, entry['user_query'] ?? null]);
  return `legacy-${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
}

/**
 * Reads a legacy `skill_metrics.json` (text) into invocation records. Accepts both variants:
 * the original (`workflow_path` is the phase; the session is `migrated`) and the extended one.
 * Naive timestamps are read in `timeZone` (or local time) and stored as UTC. Invalid entries are
 * reported with their index and field, never guessed at.
 *
 * Status: `completed: true` is completed; `completed: false` is failed when it has an
 * `error_type` or a duration, otherwise abandoned (the legacy tool kept no other state).
 */
export function readLegacy(text: string, options: ReadLegacyOptions = {}): LegacyRead {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new LegacyFormatError(`not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(doc)) throw new LegacyFormatError('the top level must be an object with an "invocations" list');
  if (!Array.isArray(doc['invocations'])) {
    throw new LegacyFormatError(
      doc['invocations'] === undefined
        ? 'no "invocations" field: this is not a skill_metrics.json file'
        : '"invocations" must be a list',
    );
  }
  const entries = doc['invocations'] as unknown[];
  const invalid: InvalidRecord[] = [];
  const byId = new Map<string, InvocationRecord>();
  let repeatedInFile = 0;
  let extended = false;

  entries.forEach((entry, index) => {
    const bad = (field: string, message: string) => void invalid.push({ index, field, message });
    if (!isRecord(entry)) return bad('(record)', 'must be an object');
    if (EXTENDED_FIELDS.some((f) => f in entry)) extended = true;

    const text = (field: string): string | null | undefined => {
      const v = entry[field];
      if (absent(v)) return null;
      return typeof v === 'string' ? v : undefined;
    };
    const list = (field: string): string[] | undefined => {
      const v = entry[field];
      if (absent(v)) return [];
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
    };

    const skillName = entry['skill_name'];
    if (typeof skillName !== 'string') return bad('skill_name', absent(skillName) ? 'is missing' : 'must be a string');
    const invokedRaw = entry['invoked_at'];
    if (typeof invokedRaw !== 'string') return bad('invoked_at', absent(invokedRaw) ? 'is missing' : 'must be a string');
    const invokedAt = toUtcIso(invokedRaw, options.timeZone);
    if (invokedAt === null) return bad('invoked_at', `"${invokedRaw}" is not a date-time like 2026-02-01T10:00:00.123456`);
    const completed = entry['completed'];
    if (typeof completed !== 'boolean') return bad('completed', absent(completed) ? 'is missing' : 'must be true or false');
    const duration = entry['duration_seconds'];
    // Checked before the end instant is computed from it: a duration like 1e308 has no end date.
    if (!absent(duration) && (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0 || duration > LIMITS.maxDurationSeconds)) {
      return bad(
        'duration_seconds',
        `must be a number of seconds from 0 to ${LIMITS.maxDurationSeconds} (30 days) or null, got ${JSON.stringify(duration)}`,
      );
    }
    const durationSeconds = absent(duration) ? null : (duration as number);
    const stringFields = ['session_id', 'user_query', 'workflow_phase', 'workflow_path', 'error_type'] as const;
    const strings: Record<string, string | null> = {};
    for (const field of stringFields) {
      const v = text(field);
      if (v === undefined) return bad(field, 'must be a string or null');
      strings[field] = v;
    }
    const followUps = list('follow_up_actions');
    if (followUps === undefined) return bad('follow_up_actions', 'must be a list of strings or null');
    const alternatives = list('alternatives_considered');
    if (alternatives === undefined) return bad('alternatives_considered', 'must be a list of strings or null');
    const rank = entry['selection_rank'];
    if (!absent(rank) && typeof rank !== 'number') return bad('selection_rank', 'must be a whole number or null');

    const errorType = strings['error_type'] ?? null;
    const status: InvocationStatus = completed ? 'completed' : errorType !== null || durationSeconds !== null ? 'failed' : 'abandoned';
    const candidate = {
      id: legacyId(entry),
      skillName,
      sessionId: strings['session_id'] ?? MIGRATED_SESSION,
      invokedAt,
      status,
      completed,
      completedAt:
        status === 'abandoned' ? null : new Date(Date.parse(invokedAt) + Math.round((durationSeconds ?? 0) * 1000)).toISOString(),
      durationSeconds,
      userQuery: strings['user_query'] || null,
      workflowPhase: strings['workflow_phase'] ?? strings['workflow_path'] ?? null,
      alternativesConsidered: alternatives,
      selectionRank: absent(rank) ? null : rank,
      followUpActions: followUps,
      errorType,
    };
    const parsed = InvocationRecordSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const [key, ...rest] = issue.path.map(String);
      let field = LEGACY_NAME[key ?? ''] ?? key ?? '(record)';
      if (key === 'workflowPhase' && strings['workflow_phase'] === null) field = 'workflow_path';
      return bad([field, ...rest].join('.'), issue.message.replace(new RegExp(`^${key ?? ''}( entry)? `), ''));
    }
    if (byId.has(parsed.data.id)) repeatedInFile++;
    else byId.set(parsed.data.id, parsed.data);
  });

  return {
    variant: extended ? 'extended' : 'original',
    read: entries.length,
    records: [...byId.values()],
    repeatedInFile,
    invalid,
    aggregates: readAggregates(doc['skills']),
    lastUpdated: typeof doc['last_updated'] === 'string' ? doc['last_updated'] : null,
  };
}

function readAggregates(skills: unknown): Map<string, LegacyAggregate> | null {
  if (!isRecord(skills)) return null;
  const out = new Map<string, LegacyAggregate>();
  for (const [name, value] of Object.entries(skills)) {
    const v = isRecord(value) ? value : {};
    const count = (k: string) => (typeof v[k] === 'number' ? (v[k] as number) : null);
    out.set(name, { total: count('total_invocations'), completed: count('completed_invocations') });
  }
  return out;
}

/** One difference between the legacy aggregates and the records. */
export interface AggregateDifference {
  readonly skillName: string;
  readonly message: string;
}

/**
 * Compares the legacy per-skill aggregates with the valid records: total and completed counts,
 * and skills present on one side only.
 */
export function crossCheckAggregates(read: LegacyRead): AggregateDifference[] {
  if (!read.aggregates) return [];
  const counted = new Map<string, { total: number; completed: number }>();
  for (const r of read.records) {
    const c = counted.get(r.skillName) ?? { total: 0, completed: 0 };
    c.total++;
    if (r.completed) c.completed++;
    counted.set(r.skillName, c);
  }
  const differences: AggregateDifference[] = [];
  for (const [skillName, agg] of read.aggregates) {
    const c = counted.get(skillName);
    if (!c) {
      differences.push({ skillName, message: `the aggregates list ${agg.total ?? '?'} invocations, but no valid record has this skill` });
      continue;
    }
    if (agg.total !== null && agg.total !== c.total) {
      differences.push({ skillName, message: `total_invocations is ${agg.total}, the records hold ${c.total}` });
    }
    if (agg.completed !== null && agg.completed !== c.completed) {
      differences.push({ skillName, message: `completed_invocations is ${agg.completed}, the records hold ${c.completed} completed` });
    }
  }
  for (const [skillName, c] of counted) {
    if (!read.aggregates.has(skillName)) {
      differences.push({ skillName, message: `${c.total} records, but the aggregates do not list this skill` });
    }
  }
  return differences;
}
