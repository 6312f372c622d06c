import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { InvocationRecordSchema, LIMITS, parseDuration, type InvocationRecord } from '@skills/protocol';
import { parseCsv } from '@skills/tracker';

/** The columns a CSV import understands, and the header names accepted for each. */
const COLUMNS = {
  query: ['query', 'user_query', 'userquery'],
  skill: ['skill', 'skill_name', 'skillname'],
  completed: ['completed', 'success', 'ok'],
  phase: ['phase', 'workflow_phase', 'workflowphase'],
  duration: ['duration', 'duration_seconds', 'durationseconds'],
} as const;
type Column = keyof typeof COLUMNS;

/** A row that could not be imported: where, which column, and why. */
export interface InvalidRow {
  /** Data row number, 1 for the first row after the header. */
  readonly row: number;
  /** Line of the file the row starts on (the header is line 1). */
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

/** The records a CSV file holds, and the rows that were invalid. */
export interface CsvImport {
  readonly records: InvocationRecord[];
  readonly invalid: InvalidRow[];
}

/** The whole file is unusable (no header, a missing column): nothing was read. */
export class CsvFormatError extends Error {}

const BOOLEAN: Record<string, boolean> = { true: true, yes: true, '1': true, y: true, false: false, no: false, '0': false, n: false };

const FIELD_OF: Record<string, Column> = {
  skillName: 'skill',
  userQuery: 'query',
  workflowPhase: 'phase',
  durationSeconds: 'duration',
  completed: 'completed',
};

/**
 * Reads a CSV of past invocations, `query,skill[,completed,phase,duration]` with a header, into
 * invocation records. Ids are derived from the row's content (and its occurrence among equal
 * rows), so importing a file twice adds nothing. Durations are seconds or `1m30s`.
 */
export function csvToRecords(text: string, file: string, now: Date = new Date()): CsvImport {
  const { header, rows } = parseCsv(text);
  if (header.length === 0 || (header.length === 1 && header[0] === '')) {
    throw new CsvFormatError('the file is empty; it needs a header line such as "query,skill,completed,phase,duration"');
  }
  const index = new Map<Column, number>();
  header.forEach((name, i) => {
    const column = (Object.keys(COLUMNS) as Column[]).find((c) => (COLUMNS[c] as readonly string[]).includes(name.toLowerCase()));
    if (!column) {
      throw new CsvFormatError(`unknown column "${name}" in the header (expected query, skill, and optionally completed, phase, duration)`);
    }
    if (index.has(column)) throw new CsvFormatError(`column "${column}" appears twice in the header`);
    index.set(column, i);
  });
  for (const required of ['query', 'skill'] as const) {
    if (!index.has(required)) throw new CsvFormatError(`the header has no "${required}" column (found: ${header.join(', ')})`);
  }

  const sessionId = `csv:${basename(file)}`.slice(0, LIMITS.nameLength);
  const seen = new Map<string, number>();
  const records: InvocationRecord[] = [];
  const invalid: InvalidRow[] = [];
  rows.forEach(({ line, fields }, i) => {
    const row = i + 1;
    const bad = (field: string, message: string) => void invalid.push({ row, line, field, message });
    if (fields.length !== header.length) {
      return bad('(row)', `has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${header.length}`);
    }
    const get = (c: Column) => {
      const at = index.get(c);
      return at === undefined ? '' : fields[at]!.trim();
    };
    const query = get('query');
    if (query === '') return bad('query', 'must not be empty');
    const completedText = get('completed').toLowerCase();
    const completed = completedText === '' ? true : BOOLEAN[completedText];
    if (completed === undefined) return bad('completed', `must be true or false, got "${get('completed')}"`);
    const durationText = get('duration');
    let durationSeconds: number | null = null;
    if (durationText !== '') {
      durationSeconds = /^\d+(\.\d+)?$/.test(durationText) ? Number(durationText) : parseDuration(durationText);
      if (durationSeconds === null) return bad('duration', `must be seconds (42.5) or a duration (1m30s), got "${durationText}"`);
    }
    const phase = get('phase');
    const content = JSON.stringify([get('skill'), query, completed, phase, durationSeconds]);
    const occurrence = (seen.get(content) ?? 0) + 1;
    seen.set(content, occurrence);
    const id = `csv-${createHash('sha256').update(`${content}#${occurrence}`).digest('hex').slice(0, 32)}`;
    const completedAt = now.toISOString();
    const candidate = {
      id,
      skillName: get('skill'),
      sessionId,
      invokedAt: new Date(now.getTime() - Math.round((durationSeconds ?? 0) * 1000)).toISOString(),
      status: completed ? 'completed' : 'failed',
      completed,
      completedAt,
      durationSeconds,
      userQuery: query,
      workflowPhase: phase === '' ? null : phase,
      alternativesConsidered: [],
      selectionRank: null,
      followUpActions: [],
      errorType: null,
    };
    const parsed = InvocationRecordSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = String(issue.path[0] ?? '');
      return bad(FIELD_OF[key] ?? key, issue.message.replace(new RegExp(`^${key} `), ''));
    }
    records.push(parsed.data);
  });
  return { records, invalid };
}
