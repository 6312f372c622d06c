import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  CompleteInvocationResultSchema,
  RecommendSkillsResultSchema,
  ServerHealthSchema,
  SkillStatsResultSchema,
  TrackInvocationResultSchema,
  TrackInvocationsResultSchema,
} from '@skills/protocol';
import { startTestServer, tempDir } from './test-support/harness.js';
import type { RunningSkillsServer } from './server.js';

/*
 * Property: random argument objects for every MCP tool, sent over the real server.
 *
 * - Every call either succeeds (a result of the tool's shape, having written exactly the rows it
 *   reports) or is refused with a message that names the field and states the rule, and no stack.
 * - Arguments valid by construction succeed (complete_invocation: or name an id that is not stored).
 * - Valid arguments with one thing broken (a field set to a value its rule refuses, a required
 *   field left out, an unknown key added; also inside a batch's records) are refused, naming
 *   that very field.
 * - A refused call changes nothing in the database: rows, their content, the aggregates.
 * - The server stays up.
 */

const KNOWN_IDS = Array.from({ length: 12 }, (_, i) => `known-${i}`);
const SESSIONS = ['s1', 's2', 's3'];
const SKILLS = ['code-reviewer', 'sql-expert', 'test-runner', 'planner'];
const PHASES = ['planning', 'implementation', 'verification'];

let server: RunningSkillsServer;
let client: SkillsMcpClient;

beforeAll(async () => {
  server = await startTestServer(tempDir());
  client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 10_000 });
  // Invocations that the generated calls may name, complete and abandon.
  const now = new Date().toISOString();
  await client.trackInvocations({
    invocations: KNOWN_IDS.map((id, i) => ({
      invocation_id: id,
      session_id: SESSIONS[i % SESSIONS.length]!,
      skill_name: SKILLS[i % SKILLS.length]!,
      invoked_at: now,
      status: 'pending' as const,
      completed: false,
      user_query: 'optimise the slow SQL query',
    })),
  });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

// ---------------------------------------------------------------------------------------------
// Values: for each kind of field, values its rule accepts and values it refuses.

interface Kind {
  readonly valid: fc.Arbitrary<unknown>;
  readonly invalid: fc.Arbitrary<unknown>;
}

const notString = fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.constant(['x']), fc.constant({ $gt: '' }));
const notNumber = fc.oneof(fc.constantFrom('1', '', 'NaN'), fc.constant(null), fc.boolean(), fc.constant([1]), fc.constant({}));
const trimmed = (s: string) => s.trim().length > 0;

const invalidName = fc.oneof(fc.constantFrom('', '   ', '\t\n', 'n'.repeat(201)), notString);
const name = (pool: readonly string[]): Kind => ({
  valid: fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...pool) },
    { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 24 }).filter(trimmed) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter(trimmed) },
    { weight: 1, arbitrary: fc.constant('n'.repeat(200)) },
  ),
  invalid: invalidName,
});

const ids: Kind = {
  valid: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KNOWN_IDS) }, { weight: 1, arbitrary: fc.uuid() }),
  invalid: invalidName,
};
const freshIds: Kind = { valid: fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.constantFrom(...KNOWN_IDS) }), invalid: ids.invalid };

const query: Kind = {
  valid: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('optimise the slow SQL query', 'review my pull request', 'run the unit tests', 'plan the release') },
    { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 80 }).filter(trimmed) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter(trimmed) },
    { weight: 1, arbitrary: fc.constant(`${'q'.repeat(7_999)}!`) },
  ),
  invalid: fc.oneof(fc.constant('q'.repeat(8_001)), notString),
};

const instant: Kind = {
  valid: fc.oneof(
    { weight: 6, arbitrary: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()) },
    { weight: 1, arbitrary: fc.constantFrom('2025-01-31T12:00:00Z', '2025-01-31T12:00:00+01:00', '2024-02-29T23:59:59.999-05:30') },
  ),
  invalid: fc.oneof(fc.constantFrom('yesterday', '2025-01-31', '2025-01-31T12:00:00', '2025-13-01T00:00:00Z', '+010000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z'), notString),
};

const seconds: Kind = {
  valid: fc.oneof({ weight: 6, arbitrary: fc.double({ min: 0, max: 3_600, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(0, 2_592_000) }),
  invalid: fc.oneof(fc.constantFrom(-1, -0.001, 2_592_000.5, 1e300), notNumber),
};

const rank: Kind = { valid: fc.integer({ min: 1, max: 1_000 }), invalid: fc.oneof(fc.constantFrom(0, -1, 1_001, 1.5), notNumber) };
const bool: Kind = { valid: fc.boolean(), invalid: fc.oneof(fc.constantFrom('true', 'yes', 1, 0), fc.constant(null)) };
const limit: Kind = { valid: fc.integer({ min: 1, max: 100 }), invalid: fc.oneof(fc.constantFrom(0, -5, 101, 1_000, 2.5), notNumber) };

const list = (pool: readonly string[]): Kind => ({
  valid: fc.oneof(
    { weight: 8, arbitrary: fc.array(name(pool).valid, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constant(Array.from({ length: 50 }, (_, i) => `a${i}`)) },
  ),
  invalid: fc.oneof(
    fc.constant(Array.from({ length: 51 }, (_, i) => `a${i}`)),
    fc.constantFrom('linter', [''], ['ok', '  '], [1], [null], ['n'.repeat(201)]),
    fc.constant(null),
    fc.constant({}),
  ),
});

/** Optional fields, and nullable record fields: null is a valid value (it means absent). */
const nullable = (k: Kind): Kind => ({
  valid: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: k.valid }),
  invalid: k.invalid.filter((v) => v !== null),
});

/** Anything at all, for the wild calls. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxKeys: 2 }),
);

// ---------------------------------------------------------------------------------------------
// Argument objects: valid ones, valid ones with one thing broken, and wild ones.

interface Shape {
  readonly fields: Readonly<Record<string, Kind>>;
  /** Fields without which the arguments are refused. */
  readonly required: readonly string[];
}

/** One call's arguments, and what was broken in them (the field a refusal must name). */
interface Case {
  readonly args: Record<string, unknown>;
  readonly broken?: string;
  readonly wild?: true;
}

const validOf = (shape: Shape): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(Object.fromEntries(Object.entries(shape.fields).map(([k, v]) => [k, v.valid])), { requiredKeys: shape.required as never[] }) as fc.Arbitrary<
    Record<string, unknown>
  >;

const UNKNOWN_KEYS = fc.constantFrom('skil_name', 'sessionId', 'extra', '__proto__x', 'constructor', 'toString', 'ü');

/** The ways to break valid arguments once; `path` prefixes the broken field's name. */
function breakOnce(shape: Shape, valid: Record<string, unknown>, path = ''): fc.Arbitrary<{ value: Record<string, unknown>; broken: string }> {
  const fields = Object.keys(shape.fields);
  const ways: fc.Arbitrary<{ value: Record<string, unknown>; broken: string }>[] = [
    fc
      .constantFrom(...fields)
      .chain((field) => shape.fields[field]!.invalid.map((bad) => ({ value: { ...valid, [field]: bad }, broken: `${path}${field}` }))),
    UNKNOWN_KEYS.map((key) => ({ value: { ...valid, [key]: 'x' }, broken: key })),
  ];
  if (shape.required.length > 0) {
    ways.push(
      fc.constantFrom(...shape.required).map((field) => {
        const { [field]: _gone, ...rest } = valid;
        return { value: rest, broken: `${path}${field}` };
      }),
    );
  }
  return fc.oneof(...ways);
}

function cases(shape: Shape, wildFields: Record<string, fc.Arbitrary<unknown>> = {}): fc.Arbitrary<Case> {
  const valid = validOf(shape).map((args): Case => ({ args }));
  const broken = validOf(shape).chain((v) => breakOnce(shape, v).map(({ value, broken }): Case => ({ args: value, broken })));
  const wildShape = Object.fromEntries(Object.entries(shape.fields).map(([k, v]) => [k, wildFields[k] ?? fc.oneof(v.valid, v.invalid, junk)]));
  const wild = fc
    .tuple(fc.record(wildShape, { requiredKeys: [] }), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), junk, { maxKeys: 1 }))
    .map(([a, extra]): Case => ({ args: { ...(a as Record<string, unknown>), ...extra }, wild: true }));
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 3, arbitrary: broken }, { weight: 2, arbitrary: wild });
}

const TRACK: Shape = {
  fields: {
    session_id: name(SESSIONS),
    skill_name: name(SKILLS),
    user_query: nullable(query),
    alternatives_considered: nullable(list(SKILLS)),
    selection_rank: nullable(rank),
    workflow_phase: nullable(name(PHASES)),
    invocation_id: nullable(freshIds),
  },
  required: ['session_id', 'skill_name'],
};

const COMPLETE_BY_ID: Shape = {
  fields: {
    invocation_id: ids,
    completed: bool,
    follow_up_actions: nullable(list(['git commit', 'deploy'])),
    error_type: nullable(name(['TypeError'])),
    duration_seconds: nullable(seconds),
  },
  required: ['invocation_id', 'completed'],
};
const COMPLETE_BY_SKILL: Shape = {
  fields: { session_id: name(SESSIONS), skill_name: name(SKILLS), completed: bool, error_type: nullable(name(['TypeError'])), duration_seconds: nullable(seconds) },
  required: ['session_id', 'skill_name', 'completed'],
};

const RECORD_FIELDS: Shape = {
  fields: {
    invocation_id: freshIds,
    session_id: name(SESSIONS),
    skill_name: name(SKILLS),
    invoked_at: instant,
    duration_seconds: nullable(seconds),
    user_query: nullable(query),
    workflow_phase: nullable(name(PHASES)),
    alternatives_considered: nullable(list(SKILLS)),
    selection_rank: nullable(rank),
    follow_up_actions: nullable(list(['git commit'])),
    error_type: nullable(name(['TypeError'])),
  },
  required: ['invocation_id', 'session_id', 'skill_name', 'invoked_at'],
};

/** The later of two instants: a record cannot finish before it started. */
const later = (a: unknown, b: string) => (Date.parse(String(a)) > Date.parse(b) ? a : b);

/** A record whose status, completed and completed_at agree. */
const validRecord: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.constantFrom('pending', 'completed', 'failed', 'abandoned'), validOf(RECORD_FIELDS), instant.valid as fc.Arbitrary<string>)
  .map(([status, r, completedAt]) => ({
    ...r,
    status,
    completed: status === 'completed',
    completed_at: status === 'pending' ? null : later(r['invoked_at'], completedAt),
  }));

const COMPLETION: Shape = {
  fields: {
    invocation_id: ids,
    completed: bool,
    completed_at: instant,
    duration_seconds: nullable(seconds),
    follow_up_actions: nullable(list(['deploy'])),
    error_type: nullable(name(['E'])),
  },
  required: ['invocation_id', 'completed', 'completed_at'],
};

const validBatch = fc.record(
  {
    invocations: fc.array(validRecord, { maxLength: 5 }),
    completions: fc.array(validOf(COMPLETION), { maxLength: 3 }),
    abandon: fc.array(ids.valid, { maxLength: 3 }),
  },
  { requiredKeys: ['invocations'] },
);

/** Batches: valid; with one record, completion or id broken (named by its place); wild. */
const batchCases: fc.Arbitrary<Case> = fc.oneof(
  { weight: 3, arbitrary: validBatch.map((args): Case => ({ args })) },
  {
    weight: 3,
    arbitrary: fc.tuple(validBatch, validRecord, fc.nat({ max: 5 })).chain(([batch, record, at]) => {
      const i = Math.min(at, batch.invocations.length);
      const recordShape: Shape = { ...RECORD_FIELDS, fields: { ...RECORD_FIELDS.fields, status: { valid: fc.constant('pending'), invalid: fc.constantFrom('done', 'PENDING', '', 3) } } };
      return breakOnce(recordShape, record, '').map(({ value, broken }): Case => {
        const invocations = [...batch.invocations];
        invocations.splice(i, 0, value);
        return { args: { ...batch, invocations }, broken };
      });
    }),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(validBatch, validOf(COMPLETION)).chain(([batch, completion]) =>
      breakOnce(COMPLETION, completion).map(({ value, broken }): Case => ({ args: { ...batch, completions: [...(batch.completions ?? []), value] }, broken })),
    ),
  },
  {
    // A finished record whose completed_at precedes its invoked_at.
    weight: 1,
    arbitrary: fc.tuple(validBatch, validRecord, fc.integer({ min: 1, max: 86_400_000 })).map(([batch, record, ms]): Case => {
      const invokedAt = Date.parse(String(record['invoked_at']));
      const backwards = { ...record, status: 'failed', completed: false, completed_at: new Date(invokedAt - ms).toISOString() };
      return { args: { ...batch, invocations: [...batch.invocations, backwards] }, broken: 'completed_at' };
    }),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(validBatch, ids.invalid).map(([batch, bad]): Case => ({ args: { ...batch, abandon: [bad] }, broken: 'abandon' })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Case>(
      { args: {}, broken: 'invocations' },
      { args: { invocations: 'all of them' }, broken: 'invocations' },
      { args: { invocations: [], completions: {} }, broken: 'completions' },
      { args: { invocations: [null] }, broken: 'invocations' },
      { args: { invocations: [], extra: 1 }, broken: 'extra' },
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ invocations: fc.array(fc.oneof(validRecord, junk), { maxLength: 3 }), completions: fc.oneof(fc.array(junk, { maxLength: 2 }), junk), abandon: fc.oneof(fc.array(fc.oneof(ids.valid, junk), { maxLength: 2 }), junk) }, { requiredKeys: [] })
      .map((args): Case => ({ args, wild: true })),
  },
);

const RECOMMEND: Shape = {
  fields: { user_query: query, limit: nullable(limit), workflow_phase: nullable(name(PHASES)), session_id: nullable(name(SESSIONS)) },
  required: ['user_query'],
};
/** `since`: an instant, or a duration back from now as the command takes it. */
const since: Kind = {
  valid: fc.oneof(instant.valid, fc.constantFrom('7d', '24h', '30m', '1w', '1d12h', '90s', '1.5h')),
  invalid: fc.oneof(instant.invalid, fc.constantFrom('-5d', '7 days', '7', 'd', '1e30w')),
};
const STATS: Shape = { fields: { skill_name: nullable(name(SKILLS)), workflow_phase: nullable(name(PHASES)), since: nullable(since) }, required: [] };

// ---------------------------------------------------------------------------------------------

interface Snapshot {
  readonly rows: number;
  readonly digest: string;
}

/** Everything stored, and the aggregates kept beside it, as one digest. */
async function snapshot(): Promise<Snapshot> {
  const store = server.app.service.store;
  const [rows, doc, stats] = await Promise.all([store.countInvocations(), store.exportAll(), store.skillStats()]);
  const digest = createHash('sha256')
    .update(JSON.stringify([doc.invocations, doc.catalog, stats]))
    .digest('hex');
  return { rows, digest };
}

const textOf = (r: CallToolResult) => r.content.map((c) => ('text' in c ? c.text : '')).join('');

const FIELDS = [
  ...new Set([...Object.keys(TRACK.fields), ...Object.keys(COMPLETE_BY_ID.fields), ...Object.keys(RECORD_FIELDS.fields), ...Object.keys(COMPLETION.fields)]),
  'completed',
  'completed_at',
  'status',
  'invocations',
  'completions',
  'abandon',
  'limit',
  'since',
];
const NAMES_A_FIELD = new RegExp(`\\b(${FIELDS.join('|')})\\b|Unrecognized key`);
// zod's own wording for a list entry of the wrong type: "Invalid input: expected object, received null".
const STATES_A_RULE = /must|is required|Unrecognized key|expected \w+, received \w+|no invocation ".*" is stored|no open invocation/;

/** The message of a refused call, the SDK's validation message or the tool's own: each line names a field and states a rule. */
function expectFieldAndRule(tool: string, text: string, broken: string | undefined): void {
  expect(text).not.toMatch(/failed on the server/); // no input may cause an internal error
  expect(text).not.toMatch(/\n\s+at \S|\.(ts|js|mjs|cjs):\d+/); // no stack frame, no source file
  const validation = /^(?:MCP error -32602: )?Input validation error: Invalid arguments for tool (\w+): ([\s\S]+)$/.exec(text);
  if (validation) expect(validation[1]).toBe(tool);
  for (const line of validation ? validation[2]!.split('\n') : [text]) {
    expect(line, text).toMatch(NAMES_A_FIELD);
    expect(line, text).toMatch(STATES_A_RULE);
  }
  if (broken !== undefined) expect(text).toContain(broken);
}

const outcome = new Map<string, { ok: number; refused: number }>();
let last: Snapshot | undefined;

/**
 * Calls `tool` and checks the property. `rowsAdded` says how many rows a success must have
 * added, from its result; 'unchanged' (read-only tools): nothing at all may change.
 */
async function check(
  tool: string,
  c: Case,
  resultSchema: { parse(v: unknown): unknown },
  rowsAdded: (result: never) => number | 'unchanged',
  validMayBeRefused: RegExp | undefined = undefined,
): Promise<void> {
  // Calls run one at a time and nothing else writes: the state after the last call is the state before this one.
  const before = (last ??= await snapshot());
  const result = await client.callTool(tool, c.args);
  const after = (last = await snapshot());
  const counts = outcome.get(tool) ?? { ok: 0, refused: 0 };
  outcome.set(tool, counts);
  if (result.isError) {
    counts.refused++;
    const text = textOf(result);
    if (!c.wild && c.broken === undefined) expect(text, `valid arguments were refused: ${JSON.stringify(c.args).slice(0, 500)}`).toMatch(validMayBeRefused ?? /^$/);
    expectFieldAndRule(tool, text, c.broken);
    expect(after, `a refused ${tool} changed the database`).toEqual(before);
    return;
  }
  counts.ok++;
  expect(c.broken, `accepted although ${c.broken} was broken: ${JSON.stringify(c.args).slice(0, 500)}`).toBeUndefined();
  const parsed = resultSchema.parse(result.structuredContent);
  const expected = rowsAdded(parsed as never);
  if (expected === 'unchanged') expect(after).toEqual(before);
  else expect(after.rows - before.rows).toBe(expected);
}

const RUNS = 200;

describe('every MCP tool, with random arguments, over the real server', () => {
  it('track_invocation', async () => {
    await fc.assert(
      fc.asyncProperty(cases(TRACK), (c) => check('track_invocation', c, TrackInvocationResultSchema, (r: { duplicate: boolean }) => (r.duplicate ? 0 : 1))),
      { numRuns: RUNS },
    );
  });

  it('complete_invocation', async () => {
    // Valid arguments may still name an invocation that is not stored, or none open.
    const notFound = /^(invocation_id: no invocation ".*" is stored|no open invocation of skill_name ".*" in session_id ".*")$/s;
    await fc.assert(
      fc.asyncProperty(fc.oneof(cases(COMPLETE_BY_ID), cases(COMPLETE_BY_SKILL)), (c) =>
        check('complete_invocation', c, CompleteInvocationResultSchema, () => 0, notFound),
      ),
      { numRuns: RUNS },
    );
  });

  it('track_invocations', async () => {
    await fc.assert(
      fc.asyncProperty(batchCases, (c) => check('track_invocations', c, TrackInvocationsResultSchema, (r: { inserted: number }) => r.inserted)),
      { numRuns: RUNS },
    );
  });

  it('recommend_skills and get_recommendations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('recommend_skills', 'get_recommendations'), cases(RECOMMEND), (tool, c) =>
        check(tool, c, RecommendSkillsResultSchema, () => 'unchanged'),
      ),
      { numRuns: RUNS },
    );
  });

  it('skill_stats', async () => {
    await fc.assert(fc.asyncProperty(cases(STATS), (c) => check('skill_stats', c, SkillStatsResultSchema, () => 'unchanged')), { numRuns: RUNS });
  });

  it('health_check', async () => {
    const healthCases = fc.oneof(
      fc.constant<Case>({ args: {} }),
      UNKNOWN_KEYS.map((key): Case => ({ args: { [key]: 1 }, broken: key })),
    );
    await fc.assert(fc.asyncProperty(healthCases, (c) => check('health_check', c, ServerHealthSchema, () => 0)), { numRuns: 50 });
  });

  it('the server is still up and healthy, and both outcomes were exercised for every tool', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(ServerHealthSchema.parse(await health.json()).status).toBe('ok');
    for (const tool of ['track_invocation', 'complete_invocation', 'track_invocations', 'recommend_skills', 'get_recommendations', 'skill_stats', 'health_check']) {
      const counts = outcome.get(tool)!;
      expect(counts.ok, `${tool} succeeded too rarely`).toBeGreaterThan(10);
      expect(counts.refused, `${tool} was refused too rarely`).toBeGreaterThan(10);
    }
  });
});
