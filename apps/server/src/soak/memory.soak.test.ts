import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import { SkillsService } from '@skills/tracker';
import { builtBinExists, spawnServer, tempDir, testSettings, type ServerProcess } from '../test-support/harness.js';

/*
 * `pnpm test:soak`: the built server as a child process, driven for minutes by concurrent MCP
 * clients that open a session, track, complete, ask for recommendations and statistics, and
 * close it again (so sessions churn as well). The server's resident memory is sampled from
 * /proc/<pid>/status; after a warm-up it must stay flat: the median of the last quarter of the
 * samples at most SKILLS_SOAK_MAX_GROWTH_MB above the median of the first quarter. Every call
 * must succeed, and the database must hold exactly the invocations tracked.
 *
 * Tunable: SKILLS_SOAK_SECONDS (default 180), SKILLS_SOAK_CLIENTS (default 20),
 * SKILLS_SOAK_MAX_GROWTH_MB (default 32).
 */

const SECONDS = Number(process.env['SKILLS_SOAK_SECONDS'] ?? 180);
const CLIENTS = Number(process.env['SKILLS_SOAK_CLIENTS'] ?? 20);
const MAX_GROWTH_MB = Number(process.env['SKILLS_SOAK_MAX_GROWTH_MB'] ?? 32);
const WARMUP_SECONDS = Math.min(30, SECONDS / 4);
const CALLS_PER_SESSION = 25;
const QUERIES = Array.from({ length: 40 }, (_, i) => `${['optimise', 'review', 'test', 'plan', 'deploy'][i % 5]} the ${['parser', 'query', 'release', 'service'][i % 4]} ${i}`);
const SKILLS = ['sql-expert', 'code-reviewer', 'test-runner', 'planner', 'deployer'];

const MB = 1024 * 1024;

let dir: string;
let server: ServerProcess;

beforeAll(async () => {
  if (!builtBinExists()) throw new Error('the server is not built: run `pnpm build` (or `pnpm test:soak` from the repository root, which builds it)');
  dir = tempDir('skills-soak-');
  server = await spawnServer(['--port', '0', '--db', join(dir, 'soak.db')], { SKILLS_EMBEDDER: 'lexical', SKILLS_SERVER_TOKEN: '' });
});

afterAll(async () => {
  await server?.stop();
});

/** Resident memory of a process, in bytes, from /proc. */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('soak: the server process under steady load', () => {
  it(`keeps its memory flat for ${SECONDS} s of ${CLIENTS} clients, with no error and no invocation lost`, async () => {
    const pid = server.child.pid!;
    const started = Date.now();
    const deadline = started + SECONDS * 1000;
    const samples: { at: number; rss: number }[] = [];
    const sampler = setInterval(() => samples.push({ at: (Date.now() - started) / 1000, rss: rssOf(pid) }), 1_000);
    // The V8 heap as the server reports it (/metrics), for the summary: RSS is what is asserted.
    const heap: { at: number; used: number }[] = [];
    const heapSampler = setInterval(() => {
      fetch(`${server.url}/metrics`)
        .then((r) => r.text())
        .then((text) => heap.push({ at: (Date.now() - started) / 1000, used: Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1]) }))
        .catch(() => {});
    }, 5_000);
    let tracked = 0;
    let calls = 0;
    let sessions = 0;
    const errors: string[] = [];

    const worker = async (w: number) => {
      while (Date.now() < deadline && errors.length === 0) {
        const client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 30_000 });
        sessions++;
        try {
          for (let i = 0; i < CALLS_PER_SESSION && Date.now() < deadline; i++) {
            const query = QUERIES[(w * 7 + i) % QUERIES.length]!;
            const { invocation_id } = await client.trackInvocation({ session_id: `soak-${w}-${sessions}`, skill_name: SKILLS[i % SKILLS.length]!, user_query: query });
            tracked++;
            await client.completeInvocation({ invocation_id, completed: i % 4 !== 0 });
            calls += 2;
            if (i % 5 === 0) {
              await client.recommendSkills({ user_query: query, limit: 3 });
              await client.skillStats({ skill_name: SKILLS[w % SKILLS.length]! });
              calls += 2;
            }
          }
        } catch (error) {
          errors.push(String(error));
        } finally {
          await client.close();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
    } finally {
      clearInterval(sampler);
      clearInterval(heapSampler);
    }
    const seconds = (Date.now() - started) / 1000;
    expect(errors).toEqual([]);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(metric('skills_sessions')).toBe(0);
    expect(metric('skills_invocations_total')).toBe(tracked);

    const steady = samples.filter((s) => s.at >= WARMUP_SECONDS);
    expect(steady.length).toBeGreaterThanOrEqual(8);
    const quarter = Math.max(2, Math.floor(steady.length / 4));
    const early = median(steady.slice(0, quarter).map((s) => s.rss));
    const late = median(steady.slice(-quarter).map((s) => s.rss));
    const peak = Math.max(...samples.map((s) => s.rss));
    const summary =
      `soak: ${seconds.toFixed(0)} s, ${CLIENTS} clients, ${sessions} sessions, ${calls} calls (${(calls / seconds).toFixed(0)}/s), ${tracked} invocations; ` +
      `server RSS ${(samples[0]!.rss / MB).toFixed(1)} MB at start, ${(early / MB).toFixed(1)} MB after warm-up, ${(late / MB).toFixed(1)} MB at the end, ` +
      `peak ${(peak / MB).toFixed(1)} MB; V8 heap used ${heap.map((h) => `${h.at.toFixed(0)}s:${(h.used / MB).toFixed(0)}`).join(' ')} MB`;
    console.log(summary);
    expect(late - early, summary).toBeLessThan(MAX_GROWTH_MB * MB);

    // Exactly what was tracked is stored, once.
    await server.stop();
    const service = await SkillsService.open({ settings: testSettings(dir, { dbPath: join(dir, 'soak.db') }) });
    try {
      expect(await service.store.countInvocations()).toBe(tracked);
      expect(await service.store.countInvocations({ status: 'pending' })).toBe(0);
    } finally {
      await service.close();
    }
  });
});
