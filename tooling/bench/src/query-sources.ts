import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@skills/protocol';
import { parseCsv } from '@skills/tracker';

/**
 * Where the workload's query texts come from: `metatool`, the real queries of `pnpm eval`'s
 * data (read from outside the repository, never copied in), or `zipf`, generated ones.
 */
export interface QuerySource {
  readonly name: 'metatool' | 'zipf';
  /** One line for the report: what the texts are and where they come from. */
  readonly description: string;
  readonly skills: readonly string[];
  /** The `n`-th new query of a history, with its skill's index: the file's rows in turn (cycled), or generated. */
  query(n: number, rand: () => number): { readonly text: string; readonly skill: number };
  /** Distinct texts among the first `n` new queries. */
  distinct(n: number): number;
  /** `count` queries not in the history (never stored), for timing recommendations; `seed` picks which. */
  freshQueries(count: number, seed: number): string[];
}

/** The repository root (this file is in tooling/bench/src or tooling/bench/dist). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The MetaTool data `pnpm eval` reads, beside the repository (see its README). */
export const METATOOL_DIR = resolve(ROOT, '..', 'shared', 'eval', 'metatool');

/** `query,skill` rows of a CSV file with that header. */
function labelledRows(path: string): Array<{ query: string; skill: string }> {
  const table = parseCsv(readFileSync(path, 'utf8'));
  const header = table.header.map((h) => h.trim().toLowerCase());
  const q = header.indexOf('query');
  const s = header.indexOf('skill');
  if (q < 0 || s < 0) throw new Error(`${path}: the header must name the columns query and skill, not ${table.header.join(',')}`);
  // Flat strings (the parser builds fields piece by piece), as a host's query from JSON would be.
  const flat = (text: string | undefined) => Buffer.from(text?.trim() ?? '', 'utf8').toString('utf8');
  return table.rows.map((r) => ({ query: flat(r.fields[q]), skill: flat(r.fields[s]) })).filter((r) => r.query && r.skill);
}

/**
 * MetaTool's history (12,367 real queries, each with the tool that serves it) cycled to any
 * size, and its dev queries (held apart from the history) as the queries never stored.
 * Null when the files are not on this machine.
 */
export function metaToolSource(dir = METATOOL_DIR): QuerySource | null {
  const historyFile = join(dir, 'history.csv');
  const devFile = join(dir, 'dev.csv');
  if (!existsSync(historyFile) || !existsSync(devFile)) return null;
  const history = labelledRows(historyFile);
  const dev = labelledRows(devFile).map((r) => r.query);
  if (history.length === 0 || dev.length === 0) throw new Error(`${dir}: history.csv and dev.csv must hold query,skill rows`);
  const skills = [...new Set(history.map((r) => r.skill))].sort();
  if (skills.length > 255) throw new Error(`${historyFile}: ${skills.length} skills, more than the workload's 255`);
  const skillIndex = new Map(skills.map((s, i) => [s, i]));
  const rows = history.map((r) => ({ text: r.query, skill: skillIndex.get(r.skill)! }));
  return {
    name: 'metatool',
    description: `real query text: MetaTool's history (${rows.length.toLocaleString('en-US')} queries, ${skills.length} skills, cycled) from ${historyFile}`,
    skills,
    query: (n) => rows[n % rows.length]!,
    distinct: (n) => Math.min(n, rows.length),
    freshQueries: (count, seed) => Array.from({ length: count }, (_, i) => dev[(seed * 7919 + i) % dev.length]!),
  };
}

/** The 40 skills of the generated workload. */
const ZIPF_SKILLS = [
  'code-reviewer', 'test-runner', 'type-checker', 'debugger', 'refactorer', 'doc-writer', 'planner', 'security-auditor',
  'perf-profiler', 'db-migrator', 'deployer', 'ci-fixer', 'dependency-updater', 'log-analyzer', 'api-designer', 'ui-builder',
  'accessibility-checker', 'data-analyst', 'sql-optimizer', 'translator', 'commit-writer', 'issue-triager', 'shell-helper',
  'regex-writer', 'config-auditor', 'container-builder', 'test-writer', 'architect', 'onboarding-guide', 'license-checker',
  'email-drafter', 'spreadsheet-helper', 'scheduler', 'summarizer', 'researcher', 'cost-optimizer', 'incident-responder',
  'git-helper', 'linter', 'mobile-builder',
];

/** Words of the generated vocabulary, and of each skill's topic. */
const VOCABULARY = 8_000;
const TOPIC_WORDS = 40;
/** Share of a query's words drawn from its skill's topic (the rest from the whole vocabulary). */
const TOPIC_SHARE = 0.35;

/** `count` distinct pronounceable pseudo-words, deterministic. */
function pseudoWords(count: number, rand: () => number): string[] {
  const onsets = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'ch', 'cl', 'dr', 'fl', 'gr', 'pl', 'pr', 'sh', 'st', 'tr', 'th'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'];
  const codas = ['', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'st', 'ck'];
  const pick = (list: readonly string[]) => list[Math.floor(rand() * list.length)]!;
  const words = new Set<string>();
  while (words.size < count) {
    const syllables = 1 + Math.floor(rand() * 3);
    let word = '';
    for (let s = 0; s < syllables; s++) word += pick(onsets) + pick(vowels);
    words.add(word + pick(codas));
  }
  return [...words];
}

/**
 * Generated queries over a vocabulary of 8,000 pseudo-words whose frequencies follow Zipf's
 * law (the word of rank r drawn with probability proportional to 1/r, as in natural text), a
 * third of each query's words from its skill's own 40 topic words. Queries are 4 to 14 words.
 */
export function zipfSource(seed = 7): QuerySource {
  const rand = seededRandom(seed);
  const words = pseudoWords(VOCABULARY, rand);
  const cdf = new Float64Array(VOCABULARY);
  let sum = 0;
  for (let r = 0; r < VOCABULARY; r++) cdf[r] = sum += 1 / (r + 1);
  const zipfWord = (rnd: () => number) => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = VOCABULARY - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
  // Topic words come from below the most common ones, as a domain's terms do.
  const topics = ZIPF_SKILLS.map(() => Array.from({ length: TOPIC_WORDS }, () => words[50 + Math.floor(rand() * (VOCABULARY - 50))]!));
  const generate = (rnd: () => number, skill: number) => {
    const length = 4 + Math.floor(rnd() * 11);
    const out: string[] = [];
    for (let w = 0; w < length; w++) out.push(rnd() < TOPIC_SHARE ? topics[skill]![Math.floor(rnd() * TOPIC_WORDS)]! : zipfWord(rnd));
    return out.join(' ');
  };
  return {
    name: 'zipf',
    description: `generated query text: a Zipf-distributed vocabulary of ${VOCABULARY.toLocaleString('en-US')} words, ${ZIPF_SKILLS.length} skills with ${TOPIC_WORDS} topic words each`,
    skills: ZIPF_SKILLS,
    query: (_n, rnd) => {
      const skill = Math.floor(rnd() * ZIPF_SKILLS.length);
      return { text: generate(rnd, skill), skill };
    },
    distinct: (n) => n,
    freshQueries: (count, s) => {
      const rnd = seededRandom(1_000_003 + s);
      return Array.from({ length: count }, () => generate(rnd, Math.floor(rnd() * ZIPF_SKILLS.length)));
    },
  };
}

let defaultSource: { source: QuerySource; missing: string | null } | undefined;

/**
 * The workload's query text: MetaTool's real queries when they are on this machine, else the
 * generated ones, with `missing` saying what was not found (the report prints it).
 */
export function workloadSource(): { readonly source: QuerySource; readonly missing: string | null } {
  if (!defaultSource) {
    const real = metaToolSource();
    defaultSource = real
      ? { source: real, missing: null }
      : { source: zipfSource(), missing: `the MetaTool data is not on this machine (${join(METATOOL_DIR, 'history.csv')} and dev.csv): the workload uses generated query text` };
  }
  return defaultSource;
}
