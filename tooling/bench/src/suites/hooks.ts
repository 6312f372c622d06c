import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openSqliteStore } from '@skills/store-sqlite';
import { tempFolder } from '../fs.js';
import type { BenchPlan } from '../plan.js';
import { cleanEnv, timeProcess, type ProcessRun } from '../process-time.js';
import { builtFile, startServer } from '../server-process.js';
import { percentiles, repeatedRate, type Percentiles, type RepeatedRate } from '../stats.js';
import { workloadSource } from '../query-sources.js';
import { recommendationQueries } from '../workload.js';
import { fillStore } from './recommend.js';

/** The hook events timed, in the order a session sends them. */
export const HOOK_EVENTS = ['UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'Stop'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** A figure beside the bare Node start of the same run. */
export interface BesideNode {
  readonly millis: RepeatedRate;
  /** Median over the bare `node -e ''` median of the same run. */
  readonly ratio: number;
}

/** Percentiles of requests, with the fastest and the slowest. */
export type TimedRequests = Percentiles & { readonly min: number; readonly max: number };

function timedRequests(samples: readonly number[]): TimedRequests {
  return { ...percentiles([...samples]), min: Math.min(...samples), max: Math.max(...samples) };
}

export interface HooksResults {
  /** Invocations in the store the hooks write to and recommend from. */
  readonly storeInvocations: number;
  /** ms of a bare `node -e ''`, timed between the processes below. */
  readonly bareNodeMillis: RepeatedRate;
  /** The `skills-hook` command (`SKILLS_BACKEND=direct`): wall time of a fresh process per event. */
  readonly command: Readonly<Record<HookEvent, BesideNode>>;
  /** Prompts whose command answer carried recommendations, of those timed. */
  readonly commandRecommended: { readonly answered: number; readonly prompts: number };
  /** One-shot `skills` commands: `--version` (the cheapest) and `track` on the same store. */
  readonly cli: { readonly version: BesideNode; readonly track: BesideNode };
  /** `POST /hooks/claude-code` at a running server on the same store: ms per request. */
  readonly http: Readonly<Record<HookEvent, TimedRequests>>;
  /** `GET /health` on the same server between the sessions: the floor of one request. */
  readonly healthMillis: TimedRequests;
  readonly httpRecommended: { readonly answered: number; readonly prompts: number };
  readonly problems: readonly string[];
}

/** The events of one session with a skill that completes and one that fails, as Claude Code sends them. */
function sessionEvents(session: string, prompt: string, skill: string): Array<[HookEvent, object]> {
  const common = { session_id: session, transcript_path: `/tmp/${session}.jsonl`, cwd: '/home/user/project', permission_mode: 'default' };
  const tool = (id: string) => ({ tool_name: 'Skill', tool_input: { skill }, tool_use_id: id });
  return [
    ['UserPromptSubmit', { ...common, hook_event_name: 'UserPromptSubmit', prompt }],
    ['PreToolUse', { ...common, hook_event_name: 'PreToolUse', ...tool(`${session}-a`) }],
    ['PostToolUse', { ...common, hook_event_name: 'PostToolUse', ...tool(`${session}-a`), tool_response: { success: true }, duration_ms: 1200 }],
    ['PreToolUse', { ...common, hook_event_name: 'PreToolUse', ...tool(`${session}-b`) }],
    ['PostToolUseFailure', { ...common, hook_event_name: 'PostToolUseFailure', ...tool(`${session}-b`), error: 'Exit code 1', is_interrupt: false, duration_ms: 800 }],
    ['Stop', { ...common, hook_event_name: 'Stop', stop_hook_active: false }],
  ];
}

const emptySamples = (): Record<HookEvent, number[]> => Object.fromEntries(HOOK_EVENTS.map((e) => [e, []])) as unknown as Record<HookEvent, number[]>;

async function countInvocations(path: string): Promise<number> {
  const store = await openSqliteStore({ path, readonly: true });
  try {
    return await store.countInvocations();
  } finally {
    await store.close();
  }
}

/**
 * Times the Claude Code hooks on a store of `plan.hooks.storeInvocations`: the built
 * `skills-hook` command and one-shot `skills` commands as fresh processes, each after a bare
 * `node -e ''` start, then the same sessions posted to a server's hook endpoint on that store.
 * Fails when the store does not hold every invocation the hooks were given.
 */
export async function runHooks(plan: BenchPlan, log: (line: string) => void): Promise<HooksResults> {
  const p = plan.hooks;
  const hookBin = builtFile('@skills/claude-code', 'dist', 'bin', 'skills-hook.mjs');
  const skillsBin = builtFile('@skills/cli', 'bin', 'skills.js');
  const folder = tempFolder();
  const problems: string[] = [];
  try {
    const project = folder.path;
    const dbPath = join(project, '.skills', 'skills.db');
    mkdirSync(dirname(dbPath), { recursive: true });
    log(`hooks: filling a store with ${p.storeInvocations.toLocaleString('en-US')} invocations`);
    await fillStore(dbPath, p.storeInvocations);
    const prompts = recommendationQueries(p.commandRounds + p.commandWarmup + p.httpRounds + p.httpWarmup, 404);
    const { skills } = workloadSource().source;
    const skillOf = (i: number) => skills[(i * 7) % skills.length]!;

    // --- the command hook and the one-shot CLI, each fresh process beside bare Node starts
    const env = cleanEnv({ SKILLS_BACKEND: 'direct', SKILLS_EMBEDDER: 'lexical', CLAUDE_PROJECT_DIR: project });
    const node: ProcessRun = { args: ['-e', ''], cwd: project, env };
    const bare: number[] = [];
    const command = emptySamples();
    const version: number[] = [];
    const track: number[] = [];
    let recommended = 0;
    const before = await countInvocations(dbPath);
    log(`hooks: the skills-hook command, ${p.commandRounds} sessions beside bare node starts (and ${p.commandWarmup} untimed)`);
    for (let round = 0; round < p.commandWarmup + p.commandRounds; round++) {
      const timed = round >= p.commandWarmup;
      for (const [event, input] of sessionEvents(`bench-command-${round}`, prompts[round]!, skillOf(round))) {
        const nodeRun = await timeProcess(node);
        const run = await timeProcess({ args: [hookBin], cwd: project, env, input: JSON.stringify(input) });
        if (!timed) continue;
        bare.push(nodeRun.millis);
        command[event].push(run.millis);
        if (event === 'UserPromptSubmit' && run.stdout.includes('additionalContext')) recommended++;
      }
      const cli = { cwd: project, env: { ...env, SKILLS_DB_PATH: dbPath } };
      const nodeRun = await timeProcess(node);
      const v = await timeProcess({ ...cli, args: [skillsBin, '--version'] });
      const t = await timeProcess({ ...cli, args: [skillsBin, 'track', skillOf(round), '--query', prompts[round]!] });
      if (timed) {
        bare.push(nodeRun.millis);
        version.push(v.millis);
        track.push(t.millis);
      }
    }
    const written = (await countInvocations(dbPath)) - before;
    const hookLog = join(project, '.skills', 'hooks', 'hook.log');
    const logged = existsSync(hookLog) ? readFileSync(hookLog, 'utf8').trim().split('\n') : [];
    problems.push(...logged.slice(-5).map((l) => `hook.log: ${l}`));
    // Two skill calls per session, one `skills track` per round: a hook that failed silently
    // (it always exits 0) would otherwise look fast.
    const expected = 3 * (p.commandWarmup + p.commandRounds);
    if (written !== expected) {
      throw new Error(`the command hooks and skills track stored ${written} invocations, expected ${expected}; the hook's log ends: ${logged.at(-1) ?? '(empty)'}`);
    }

    const bareNodeMillis = repeatedRate(bare);
    const beside = (samples: number[]): BesideNode => {
      const millis = repeatedRate(samples);
      return { millis, ratio: millis.median / bareNodeMillis.median };
    };

    // --- the HTTP hook at a running server on the same store
    log(`hooks: POST /hooks/claude-code, ${p.httpRounds} sessions (and ${p.httpWarmup} untimed)`);
    const http = emptySamples();
    const health: number[] = [];
    let httpRecommended = 0;
    const server = await startServer(dbPath, project);
    try {
      const url = `${server.url}/hooks/claude-code`;
      for (let round = 0; round < p.httpWarmup + p.httpRounds; round++) {
        const k = p.commandWarmup + p.commandRounds + round;
        const t0 = performance.now();
        const probe = await fetch(`${server.url}/health`);
        await probe.text();
        if (round >= p.httpWarmup) health.push(performance.now() - t0);
        for (const [event, input] of sessionEvents(`bench-http-${round}`, prompts[k]!, skillOf(k))) {
          const t0 = performance.now();
          const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
          const body = await response.text();
          const ms = performance.now() - t0;
          if (response.status !== 200) throw new Error(`hooks: POST ${event} answered ${response.status}: ${body.slice(0, 200)}`);
          if (round < p.httpWarmup) continue;
          http[event].push(ms);
          if (event === 'UserPromptSubmit' && body.includes('additionalContext')) httpRecommended++;
        }
      }
    } finally {
      await server.stop();
    }
    const serverWritten = (await countInvocations(dbPath)) - before - written;
    if (serverWritten !== 2 * (p.httpWarmup + p.httpRounds)) {
      throw new Error(`hooks: the server stored ${serverWritten} invocations for ${p.httpWarmup + p.httpRounds} sessions of two skill calls`);
    }

    return {
      storeInvocations: p.storeInvocations,
      bareNodeMillis,
      command: Object.fromEntries(HOOK_EVENTS.map((e) => [e, beside(command[e])])) as unknown as HooksResults['command'],
      commandRecommended: { answered: recommended, prompts: p.commandRounds },
      cli: { version: beside(version), track: beside(track) },
      http: Object.fromEntries(HOOK_EVENTS.map((e) => [e, timedRequests(http[e])])) as unknown as HooksResults['http'],
      healthMillis: timedRequests(health),
      httpRecommended: { answered: httpRecommended, prompts: p.httpRounds },
      problems,
    };
  } finally {
    folder.remove();
  }
}
