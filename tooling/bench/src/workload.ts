import { seededRandom, type InvocationRecord, type TrackInvocationInput } from '@skills/protocol';

/** Skills with the words their users use: queries are drawn from a skill's topic, so recommending makes sense. */
const TOPICS: ReadonlyArray<readonly [skill: string, words: readonly string[]]> = [
  ['code-reviewer', ['review', 'pull request', 'diff', 'comments', 'style', 'readability', 'naming']],
  ['test-runner', ['run', 'tests', 'unit', 'failing', 'suite', 'coverage', 'flaky']],
  ['type-checker', ['type', 'errors', 'typescript', 'strict', 'generics', 'inference', 'compile']],
  ['debugger', ['debug', 'crash', 'stack trace', 'breakpoint', 'exception', 'null pointer', 'segfault']],
  ['refactorer', ['refactor', 'extract', 'function', 'duplicate', 'module', 'rename', 'simplify']],
  ['doc-writer', ['document', 'readme', 'docs', 'examples', 'api reference', 'tutorial', 'guide']],
  ['planner', ['plan', 'steps', 'roadmap', 'milestones', 'tasks', 'estimate', 'breakdown']],
  ['security-auditor', ['audit', 'security', 'vulnerability', 'injection', 'secrets', 'cve', 'permissions']],
  ['perf-profiler', ['profile', 'slow', 'latency', 'memory', 'cpu', 'hot path', 'benchmark']],
  ['db-migrator', ['migrate', 'database', 'schema', 'sql', 'table', 'index', 'column']],
  ['deployer', ['deploy', 'release', 'production', 'rollout', 'staging', 'kubernetes', 'helm']],
  ['ci-fixer', ['ci', 'pipeline', 'build', 'workflow', 'github actions', 'cache', 'artifact']],
  ['dependency-updater', ['upgrade', 'dependencies', 'version', 'lockfile', 'npm', 'outdated', 'semver']],
  ['log-analyzer', ['logs', 'errors', 'trace', 'grep', 'incident', 'timeline', 'alerts']],
  ['api-designer', ['api', 'endpoint', 'rest', 'openapi', 'routes', 'pagination', 'versioning']],
  ['ui-builder', ['ui', 'component', 'react', 'css', 'layout', 'button', 'form']],
  ['accessibility-checker', ['accessibility', 'aria', 'screen reader', 'contrast', 'keyboard', 'focus', 'labels']],
  ['data-analyst', ['analyze', 'data', 'csv', 'chart', 'statistics', 'trend', 'report']],
  ['sql-optimizer', ['query', 'slow query', 'explain', 'join', 'index scan', 'optimizer', 'postgres']],
  ['translator', ['translate', 'localize', 'i18n', 'french', 'strings', 'locale', 'plural']],
  ['commit-writer', ['commit', 'message', 'changelog', 'conventional', 'squash', 'history', 'summary']],
  ['issue-triager', ['triage', 'issue', 'bug report', 'labels', 'duplicate issue', 'priority', 'assign']],
  ['shell-helper', ['shell', 'bash', 'script', 'command', 'pipe', 'cron', 'permissions']],
  ['regex-writer', ['regex', 'pattern', 'match', 'capture group', 'escape', 'validate', 'parse']],
  ['config-auditor', ['config', 'yaml', 'settings', 'environment', 'defaults', 'feature flag', 'toggle']],
  ['container-builder', ['docker', 'container', 'image', 'dockerfile', 'layer', 'registry', 'compose']],
  ['test-writer', ['write tests', 'test case', 'mock', 'fixture', 'edge case', 'property test', 'assert']],
  ['architect', ['architecture', 'design', 'services', 'boundaries', 'tradeoffs', 'diagram', 'scalability']],
  ['onboarding-guide', ['onboarding', 'explain', 'codebase', 'overview', 'where is', 'how does', 'walkthrough']],
  ['license-checker', ['license', 'compliance', 'gpl', 'mit', 'third party', 'notice', 'attribution']],
  ['email-drafter', ['email', 'draft', 'reply', 'customer', 'announcement', 'tone', 'polite']],
  ['spreadsheet-helper', ['spreadsheet', 'formula', 'excel', 'pivot', 'cells', 'vlookup', 'sheet']],
  ['scheduler', ['schedule', 'meeting', 'calendar', 'availability', 'timezone', 'invite', 'reschedule']],
  ['summarizer', ['summarize', 'tl;dr', 'notes', 'meeting notes', 'key points', 'digest', 'brief']],
  ['researcher', ['research', 'papers', 'compare', 'sources', 'survey', 'literature', 'evidence']],
  ['cost-optimizer', ['cost', 'cloud bill', 'budget', 'instances', 'savings', 'spend', 'reserved']],
  ['incident-responder', ['incident', 'outage', 'pager', 'mitigate', 'postmortem', 'on call', 'rollback']],
  ['git-helper', ['git', 'rebase', 'merge conflict', 'branch', 'cherry-pick', 'bisect', 'stash']],
  ['linter', ['lint', 'eslint', 'warnings', 'format', 'prettier', 'unused', 'rules']],
  ['mobile-builder', ['mobile', 'ios', 'android', 'app store', 'swift', 'kotlin', 'simulator']],
];

const VERBS = ['please', 'can you', 'help me', 'I need to', 'quickly', 'carefully', 'again'];
const OBJECTS = ['the parser', 'the billing service', 'our api', 'the login page', 'module x', 'the cli', 'the worker', 'this repo'];

/** The skill names of the workload, in a stable order. */
export const SKILLS: readonly string[] = TOPICS.map(([skill]) => skill);
const PHASES = ['planning', 'implementation', 'verification', 'review'] as const;

/** A query text for `skill` (by index) built from its topic's words; `serial` makes it distinct. */
function queryText(rand: () => number, skill: number, serial: number): string {
  const words = TOPICS[skill]![1];
  const pick = () => words[Math.floor(rand() * words.length)]!;
  const verb = VERBS[Math.floor(rand() * VERBS.length)]!;
  const object = OBJECTS[Math.floor(rand() * OBJECTS.length)]!;
  // A flat string (not a concatenation rope), as a host's query from JSON or a UI would be.
  return `${verb} ${pick()} ${pick()} in ${object} ${pick()} #${serial}`.split('').join('');
}

/** One invocation as a host would track it, and how it ends. */
export interface WorkloadItem {
  readonly input: TrackInvocationInput;
  readonly completed: boolean;
  readonly errorType?: string;
  readonly durationSeconds: number;
}

/**
 * An endless, deterministic stream of invocations with about `distinctShare` of them asking a
 * query not seen before; the others repeat a recent one (users come back to what they asked
 * lately). 40 skills, four workflow phases (and none), a third with alternatives, one in ten failing.
 */
export class Workload {
  readonly #rand: () => number;
  readonly #distinctShare: number;
  readonly #recent: { text: string; skill: number }[] = [];
  #serial = 0;
  #index = 0;

  constructor(options: { seed?: number; distinctShare?: number } = {}) {
    this.#rand = seededRandom(options.seed ?? 1);
    this.#distinctShare = options.distinctShare ?? 0.2;
  }

  /** Distinct query texts handed out so far. */
  get distinctQueries(): number {
    return this.#serial;
  }

  next(): WorkloadItem {
    const rand = this.#rand;
    const recent = this.#recent;
    const i = this.#index++;
    let q: { text: string; skill: number };
    if (recent.length === 0 || rand() < this.#distinctShare) {
      const skill = Math.floor(rand() * SKILLS.length);
      q = { text: queryText(rand, skill, this.#serial++), skill };
      if (recent.length >= 1000) recent[Math.floor(rand() * recent.length)] = q;
      else recent.push(q);
    } else {
      q = recent[Math.floor(rand() * recent.length)]!;
    }
    // Mostly the skill the query is about; sometimes a neighbour.
    const skill = rand() < 0.8 ? q.skill : Math.floor(rand() * SKILLS.length);
    const phase = Math.floor(rand() * (PHASES.length + 1));
    const failed = rand() < 0.1;
    return {
      input: {
        skillName: SKILLS[skill]!,
        userQuery: q.text,
        ...(phase < PHASES.length ? { workflowPhase: PHASES[phase]! } : {}),
        ...(i % 3 === 0 ? { alternativesConsidered: [SKILLS[(skill + 1) % SKILLS.length]!, SKILLS[(skill + 7) % SKILLS.length]!] } : {}),
        selectionRank: 1 + Math.floor(rand() * 2),
      },
      completed: !failed,
      ...(failed ? { errorType: 'ToolError' } : {}),
      durationSeconds: Math.round((0.2 + rand() * 30) * 1000) / 1000,
    };
  }
}

/** The first `count` items of a {@link Workload}. */
export function workload(count: number, options: { seed?: number; distinctShare?: number } = {}): WorkloadItem[] {
  const stream = new Workload(options);
  return Array.from({ length: count }, () => stream.next());
}

/**
 * Finished records (as an import or a long-running tracker leaves them), for filling a store
 * quickly: `first` is the place of `items[0]` in the whole history, which is `total` invocations
 * one second apart ending at `end`; ids are UUIDv7s of those times.
 */
export function finishedRecords(
  items: readonly WorkloadItem[],
  first: number,
  total: number,
  end: number,
  rand: () => number,
  sessionEvery = 500,
): InvocationRecord[] {
  const start = end - total * 1000;
  return items.map((item, k) => {
    const i = first + k;
    const invokedMs = start + i * 1000;
    return {
      id: uuidV7(invokedMs, rand),
      skillName: item.input.skillName,
      sessionId: `session-${Math.floor(i / sessionEvery)}`,
      invokedAt: new Date(invokedMs).toISOString(),
      status: item.completed ? 'completed' : 'failed',
      completed: item.completed,
      completedAt: new Date(invokedMs + Math.round(item.durationSeconds * 1000)).toISOString(),
      durationSeconds: item.durationSeconds,
      userQuery: item.input.userQuery ?? null,
      workflowPhase: item.input.workflowPhase ?? null,
      alternativesConsidered: item.input.alternativesConsidered ?? [],
      selectionRank: item.input.selectionRank ?? null,
      followUpActions: [],
      errorType: item.errorType ?? null,
    };
  });
}

/** A completion as a host's completer would give it. */
export function completionInput(item: WorkloadItem): { completed: boolean; errorType?: string } {
  return item.errorType ? { completed: item.completed, errorType: item.errorType } : { completed: item.completed };
}

function uuidV7(ms: number, rand: () => number): string {
  const hex = (n: number, width: number) => Math.floor(n).toString(16).padStart(width, '0');
  const time = hex(ms, 12);
  const r = () => Math.floor(rand() * 65536);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(r() & 0xfff, 3)}-${hex((r() & 0x3fff) | 0x8000, 4)}-${hex(r(), 4)}${hex(r(), 4)}${hex(r(), 4)}`;
}

/** Queries for measuring recommendations: `fresh` ones never stored (their embedding is computed on the spot). */
export function recommendationQueries(count: number, seed: number): string[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => queryText(rand, Math.floor(rand() * SKILLS.length), 10_000_000 + seed * 100_000 + i));
}

/**
 * `count` invocations of a {@link Workload} held in typed arrays (a few bytes each, the distinct
 * texts once), so that a million of them do not weigh on the heap being measured. A host builds
 * its input object per call: {@link CompactWorkload.input} does the same.
 */
export class CompactWorkload {
  readonly count: number;
  readonly texts: readonly string[];
  readonly #skill: Uint8Array;
  readonly #phase: Uint8Array;
  readonly #rank: Uint8Array;
  readonly #failed: Uint8Array;
  readonly #query: Int32Array;
  readonly #duration: Float32Array;

  constructor(count: number, options: { seed?: number; distinctShare?: number } = {}) {
    this.count = count;
    this.#skill = new Uint8Array(count);
    this.#phase = new Uint8Array(count);
    this.#rank = new Uint8Array(count);
    this.#failed = new Uint8Array(count);
    this.#query = new Int32Array(count);
    this.#duration = new Float32Array(count);
    const texts: string[] = [];
    const ids = new Map<string, number>();
    const stream = new Workload(options);
    const skillIndex = new Map(SKILLS.map((s, i) => [s, i]));
    for (let i = 0; i < count; i++) {
      const item = stream.next();
      const text = item.input.userQuery!;
      let q = ids.get(text);
      if (q === undefined) {
        q = texts.length;
        texts.push(text);
        ids.set(text, q);
      }
      this.#query[i] = q;
      this.#skill[i] = skillIndex.get(item.input.skillName)!;
      this.#phase[i] = item.input.workflowPhase ? PHASES.indexOf(item.input.workflowPhase as (typeof PHASES)[number]) + 1 : 0;
      this.#rank[i] = item.input.selectionRank ?? 0;
      this.#failed[i] = item.completed ? 0 : 1;
      this.#duration[i] = item.durationSeconds;
    }
    this.texts = texts;
  }

  /** What the host passes to trackInvocation for invocation `i`. */
  input(i: number): TrackInvocationInput {
    const skill = this.#skill[i]!;
    const phase = this.#phase[i]!;
    const input: { -readonly [K in keyof TrackInvocationInput]: TrackInvocationInput[K] } = {
      skillName: SKILLS[skill]!,
      userQuery: this.texts[this.#query[i]!]!,
      selectionRank: this.#rank[i]!,
    };
    if (phase > 0) input.workflowPhase = PHASES[phase - 1]!;
    if (i % 3 === 0) input.alternativesConsidered = [SKILLS[(skill + 1) % SKILLS.length]!, SKILLS[(skill + 7) % SKILLS.length]!];
    return input;
  }

  /** What the host passes to the completer of invocation `i`. */
  result(i: number): { completed: boolean; errorType?: string } {
    return this.#failed[i] ? FAILED : COMPLETED;
  }

  durationSeconds(i: number): number {
    return this.#duration[i]!;
  }
}

const COMPLETED = Object.freeze({ completed: true });
const FAILED = Object.freeze({ completed: false, errorType: 'ToolError' });
