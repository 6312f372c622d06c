import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SkillsMcpClient } from '@skills/mcp-client';
import type { InvocationRecord } from '@skills/protocol';
import { startTestServer, tempDir } from './test-support/harness.js';
import type { RunningSkillsServer } from './server.js';

/*
 * Python clients send `None` for an argument they do not give: for every optional argument of
 * every tool, `null` is accepted and gives the same result as leaving the argument out. Each
 * case is sent twice to the real server, once with the argument null and once without it, and
 * the two outcomes (the answer, and for writes the stored record) must be equal.
 */

let server: RunningSkillsServer;
let client: SkillsMcpClient;
let counter = 0;
const fresh = (prefix: string) => `${prefix}-${++counter}`;
const now = () => new Date().toISOString();

beforeAll(async () => {
  server = await startTestServer(tempDir());
  client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 10_000 });
  await client.trackInvocations({
    invocations: ['sql-expert', 'code-reviewer', 'sql-expert'].map((skill, i) => ({
      invocation_id: `seed-${i}`,
      session_id: 'seed',
      skill_name: skill,
      invoked_at: now(),
      status: 'completed' as const,
      completed: true,
      completed_at: now(),
      duration_seconds: 3,
      user_query: 'optimise the slow SQL query',
      workflow_phase: 'implementation',
    })),
  });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

/** A stored record without what differs between two calls by construction (ids, clocks). */
async function stored(id: string): Promise<Partial<InvocationRecord> | null> {
  const record = await server.app.service.store.getInvocation(id);
  if (!record) return null;
  const { id: _id, sessionId: _s, invokedAt: _i, completedAt: _c, durationSeconds, ...rest } = record;
  return { ...rest, durationSeconds: durationSeconds === null ? null : Math.round(durationSeconds) };
}

async function call(tool: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = await client.callTool(tool, args);
  expect(result.isError, `${tool} ${JSON.stringify(args)}: ${JSON.stringify(result.content)}`).toBeFalsy();
  return result;
}

interface ToolCase {
  readonly tool: string;
  /** Arguments with `field` set to `value` (null) or left out (undefined), fresh for each call. */
  args(field: string, value: null | undefined): Promise<Record<string, unknown>>;
  readonly optional: readonly string[];
  /** What must be equal between the two calls. */
  outcome(result: CallToolResult, args: Record<string, unknown>): Promise<unknown>;
}

const without = (args: Record<string, unknown>, field: string, value: null | undefined) => {
  const { [field]: _gone, ...rest } = args;
  return value === null ? { ...rest, [field]: null } : rest;
};

const full = { user_query: 'review my pull request', alternatives_considered: ['linter'], selection_rank: 2, workflow_phase: 'verification' };

const CASES: ToolCase[] = [
  {
    tool: 'track_invocation',
    optional: ['user_query', 'alternatives_considered', 'selection_rank', 'workflow_phase', 'invocation_id'],
    args: async (field, value) => without({ session_id: fresh('s'), skill_name: 'code-reviewer', ...full, invocation_id: fresh('t') }, field, value),
    outcome: async (result) => {
      const { invocation_id, duplicate } = result.structuredContent as { invocation_id: string; duplicate: boolean };
      return { duplicate, record: await stored(invocation_id) };
    },
  },
  {
    tool: 'complete_invocation',
    optional: ['follow_up_actions', 'error_type', 'duration_seconds', 'session_id', 'skill_name'],
    args: async (field, value) => {
      const session = fresh('s');
      const { invocation_id } = await client.trackInvocation({ session_id: session, skill_name: 'sql-expert' });
      return without(
        { invocation_id, session_id: session, skill_name: 'sql-expert', completed: false, follow_up_actions: ['retry'], error_type: 'TypeError', duration_seconds: 2 },
        field,
        value,
      );
    },
    outcome: async (result, args) => {
      const { applied, status } = result.structuredContent as { applied: boolean; status: string };
      return { applied, status, record: await stored(String(args['invocation_id'])) };
    },
  },
  {
    // Without invocation_id: the latest open invocation of skill_name in session_id.
    tool: 'complete_invocation',
    optional: ['invocation_id'],
    args: async (field, value) => {
      const session = fresh('s');
      await client.trackInvocation({ session_id: session, skill_name: 'planner' });
      return without({ session_id: session, skill_name: 'planner', completed: true, duration_seconds: 1 }, field, value);
    },
    outcome: async (result) => {
      const { applied, status, invocation_id } = result.structuredContent as { applied: boolean; status: string; invocation_id: string };
      return { applied, status, record: await stored(invocation_id) };
    },
  },
  {
    tool: 'track_invocations',
    optional: ['completions', 'abandon'],
    args: async (field, value) => without({ invocations: [], completions: [], abandon: [] }, field, value),
    outcome: async (result) => result.structuredContent,
  },
  ...['completed_at', 'duration_seconds', 'user_query', 'workflow_phase', 'alternatives_considered', 'selection_rank', 'follow_up_actions', 'error_type'].map(
    (recordField): ToolCase => ({
      tool: 'track_invocations',
      optional: [recordField],
      args: async (field, value) => {
        const record = {
          invocation_id: fresh('r'),
          session_id: 's',
          skill_name: 'test-runner',
          invoked_at: now(),
          status: 'failed',
          completed: false,
          completed_at: now(),
          duration_seconds: 4,
          ...full,
          follow_up_actions: ['rerun'],
          error_type: 'Timeout',
        };
        return { invocations: [without(record, field, value)] };
      },
      outcome: async (result, args) => ({
        result: result.structuredContent,
        record: await stored(String((args['invocations'] as { invocation_id: string }[])[0]!.invocation_id)),
      }),
    }),
  ),
  ...['duration_seconds', 'follow_up_actions', 'error_type'].map(
    (completionField): ToolCase => ({
      tool: 'track_invocations',
      optional: [completionField],
      args: async (field, value) => {
        const { invocation_id } = await client.trackInvocation({ session_id: fresh('s'), skill_name: 'deployer' });
        const completion = { invocation_id, completed: true, completed_at: now(), duration_seconds: 5, follow_up_actions: ['ship'], error_type: 'None' };
        return { invocations: [], completions: [without(completion, field, value)] };
      },
      outcome: async (result, args) => ({
        result: result.structuredContent,
        record: await stored(String((args['completions'] as { invocation_id: string }[])[0]!.invocation_id)),
      }),
    }),
  ),
  ...['recommend_skills', 'get_recommendations'].map(
    (tool): ToolCase => ({
      tool,
      optional: ['limit', 'workflow_phase', 'session_id'],
      args: async (field, value) => without({ user_query: 'optimise the slow SQL query', limit: 2, workflow_phase: 'implementation', session_id: 's' }, field, value),
      outcome: async (result) => result.structuredContent,
    }),
  ),
  {
    tool: 'skill_stats',
    optional: ['skill_name', 'workflow_phase', 'since'],
    args: async (field, value) => without({ skill_name: 'sql-expert', workflow_phase: 'implementation', since: '2000-01-01T00:00:00Z' }, field, value),
    outcome: async (result) => result.structuredContent,
  },
];

describe('null for an optional argument means the argument is absent', () => {
  for (const c of CASES) {
    it(`${c.tool}: ${c.optional.join(', ')}`, async () => {
      for (const field of c.optional) {
        const withNull = await c.args(field, null);
        const nullOutcome = await c.outcome(await call(c.tool, withNull), withNull);
        const omitted = await c.args(field, undefined);
        const omittedOutcome = await c.outcome(await call(c.tool, omitted), omitted);
        expect(nullOutcome, `${c.tool} with ${field}: null`).toEqual(omittedOutcome);
      }
    });
  }

  it('the tools advertise each optional argument as its type or null, and none of them as required', async () => {
    const sdk = new Client({ name: 'schema-check', version: '1' });
    await sdk.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    const { tools } = await sdk.listTools().finally(() => sdk.close());
    expect(tools.length).toBe(7);
    for (const tool of tools) {
      type Property = { type?: string | string[]; anyOf?: Property[] };
      const schema = tool.inputSchema as { properties?: Record<string, Property>; required?: string[] };
      const takesNull = (p: Property): boolean => p.type === 'null' || (Array.isArray(p.type) && p.type.includes('null')) || (p.anyOf ?? []).some(takesNull);
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(field)) continue;
        expect(takesNull(property), `${tool.name}.${field}: ${JSON.stringify(property)}`).toBe(true);
      }
    }
  });
});
