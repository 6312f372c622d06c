import { seededRandom, type InvocationRecord, type TrackInvocationInput } from '@skills/protocol';
import { workloadSource, type QuerySource } from './query-sources.js';

const PHASES = ['planning', 'implementation', 'verification', 'review'] as const;

/** Options of a workload: its seed, the share of new queries, and where their texts come from. */
export interface WorkloadOptions {
  readonly seed?: number;
  readonly distinctShare?: number;
  /** Default: {@link workloadSource} (real text when the MetaTool data is on this machine). */
  readonly source?: QuerySource;
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
 * new query of the source (for MetaTool, its next row, so its queries cycle once used up); the
 * others repeat a recent one (users come back to what they asked lately). The source's skills,
 * four workflow phases (and none), a third with alternatives, one in ten failing.
 */
export class Workload {
  readonly source: QuerySource;
  readonly #rand: () => number;
  readonly #distinctShare: number;
  readonly #recent: { text: string; skill: number }[] = [];
  #serial = 0;
  #index = 0;

  constructor(options: WorkloadOptions = {}) {
    this.source = options.source ?? workloadSource().source;
    this.#rand = seededRandom(options.seed ?? 1);
    this.#distinctShare = options.distinctShare ?? 0.2;
  }

  /** Distinct query texts handed out so far. */
  get distinctQueries(): number {
    return this.source.distinct(this.#serial);
  }

  next(): WorkloadItem {
    const rand = this.#rand;
    const recent = this.#recent;
    const i = this.#index++;
    let q: { text: string; skill: number };
    const skills = this.source.skills;
    if (recent.length === 0 || rand() < this.#distinctShare) {
      q = this.source.query(this.#serial++, rand);
      if (recent.length >= 1000) recent[Math.floor(rand() * recent.length)] = q;
      else recent.push(q);
    } else {
      q = recent[Math.floor(rand() * recent.length)]!;
    }
    // Mostly the skill the query is about; sometimes a neighbour.
    const skill = rand() < 0.8 ? q.skill : Math.floor(rand() * skills.length);
    const phase = Math.floor(rand() * (PHASES.length + 1));
    const failed = rand() < 0.1;
    return {
      input: {
        skillName: skills[skill]!,
        userQuery: q.text,
        ...(phase < PHASES.length ? { workflowPhase: PHASES[phase]! } : {}),
        ...(i % 3 === 0 ? { alternativesConsidered: [skills[(skill + 1) % skills.length]!, skills[(skill + 7) % skills.length]!] } : {}),
        selectionRank: 1 + Math.floor(rand() * 2),
      },
      completed: !failed,
      ...(failed ? { errorType: 'ToolError' } : {}),
      durationSeconds: Math.round((0.2 + rand() * 30) * 1000) / 1000,
    };
  }
}

/** The first `count` items of a {@link Workload}. */
export function workload(count: number, options: WorkloadOptions = {}): WorkloadItem[] {
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

/** `item` as an invocation that completed just now: the write a "right after a write" figure times. */
export function completedNow(item: WorkloadItem, id: string, sessionId: string): InvocationRecord {
  const at = new Date().toISOString();
  return {
    id,
    skillName: item.input.skillName,
    sessionId,
    invokedAt: at,
    status: 'completed',
    completed: true,
    completedAt: at,
    durationSeconds: item.durationSeconds,
    userQuery: item.input.userQuery ?? null,
    workflowPhase: item.input.workflowPhase ?? null,
    alternativesConsidered: [],
    selectionRank: null,
    followUpActions: [],
    errorType: null,
  };
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

/** Queries for measuring recommendations, never stored (their embedding is computed on the spot); `seed` picks which. */
export function recommendationQueries(count: number, seed: number, source: QuerySource = workloadSource().source): string[] {
  return source.freshQueries(count, seed);
}

/**
 * `count` invocations of a {@link Workload} held in typed arrays (a few bytes each, the distinct
 * texts once), so that a million of them do not weigh on the heap being measured. A host builds
 * its input object per call: {@link CompactWorkload.input} does the same.
 */
export class CompactWorkload {
  readonly count: number;
  readonly skills: readonly string[];
  readonly texts: readonly string[];
  readonly #skill: Uint8Array;
  readonly #phase: Uint8Array;
  readonly #rank: Uint8Array;
  readonly #failed: Uint8Array;
  readonly #query: Int32Array;
  readonly #duration: Float32Array;

  constructor(count: number, options: WorkloadOptions = {}) {
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
    this.skills = stream.source.skills;
    const skillIndex = new Map(this.skills.map((s, i) => [s, i]));
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
    const skills = this.skills;
    const input: { -readonly [K in keyof TrackInvocationInput]: TrackInvocationInput[K] } = {
      skillName: skills[skill]!,
      userQuery: this.texts[this.#query[i]!]!,
      selectionRank: this.#rank[i]!,
    };
    if (phase > 0) input.workflowPhase = PHASES[phase - 1]!;
    if (i % 3 === 0) input.alternativesConsidered = [skills[(skill + 1) % skills.length]!, skills[(skill + 7) % skills.length]!];
    return input;
  }

  /** What the host passes to the completer of invocation `i`. */
  result(i: number): { completed: boolean; errorType?: string } {
    return this.#failed[i] ? FAILED : COMPLETED;
  }

  durationSeconds(i: number): number {
    return this.#duration[i]!;
  }

  /** The numbers a stored row of invocation `i` holds for its names and query: skill, phase (0: none), query text, rank. */
  codes(i: number): { readonly skill: number; readonly phase: number; readonly query: number; readonly rank: number; readonly failed: boolean } {
    return { skill: this.#skill[i]!, phase: this.#phase[i]!, query: this.#query[i]!, rank: this.#rank[i]!, failed: this.#failed[i] === 1 };
  }
}

const COMPLETED = Object.freeze({ completed: true });
const FAILED = Object.freeze({ completed: false, errorType: 'ToolError' });
