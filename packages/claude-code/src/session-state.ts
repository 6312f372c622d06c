import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** A skill recommended at a prompt: its name and score, in the order shown. */
export interface ShownRecommendation {
  readonly skillName: string;
  readonly score: number;
}

/** What a session's last `UserPromptSubmit` left: the prompt and what was recommended for it. */
export interface PromptState {
  /** Claude Code's id of that prompt (2.1.196+), or null. */
  readonly promptId: string | null;
  /** The prompt as a storable query, or null. */
  readonly query: string | null;
  readonly recommendations: readonly ShownRecommendation[];
}

/** An invocation started by a PreToolUse whose PostToolUse has not come yet. */
export interface OpenInvocation {
  readonly id: string;
  /** UTC ISO-8601: when the PreToolUse came. */
  readonly invokedAt: string;
  /** True when the main agent made the call; false inside a subagent (the event had `agent_id`). */
  readonly main: boolean;
}

/**
 * Per-session memory shared by hook processes. Every hook event is its own process, and
 * PreToolUse/PostToolUse hooks of parallel tool calls run at the same time.
 */
export interface SessionStates {
  readPrompt(sessionId: string): PromptState | null;
  writePrompt(sessionId: string, state: PromptState): void;
  /** Remembers an open invocation. */
  open(sessionId: string, invocation: OpenInvocation): void;
  /** The open invocation `id`, or null when it is not open. */
  getOpen(sessionId: string, id: string): OpenInvocation | null;
  /** Forgets open invocations (those not open are ignored). */
  close(sessionId: string, ids: readonly string[]): void;
  listOpen(sessionId: string): OpenInvocation[];
  /** Forgets the whole session. */
  end(sessionId: string): void;
}

const PromptStateSchema = z.object({
  promptId: z.string().nullable(),
  query: z.string().nullable(),
  recommendations: z.array(z.object({ skillName: z.string(), score: z.number() })),
});
const OpenInvocationSchema = z.object({ invokedAt: z.string(), main: z.boolean() });

/** Session folders untouched this long are dropped at the next SessionEnd (a session that crashed never sends one). */
const STALE_SESSION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * {@link SessionStates} in files under `dir` (folders 0700, files 0600), safe for concurrent
 * processes without locks: one folder per session holds `prompt.json`, written only by
 * `UserPromptSubmit` (one per turn) and replaced atomically (write a private temporary, rename),
 * and `open/<invocation id>.json`, one file per open invocation, created by its PreToolUse and
 * deleted by its PostToolUse, so parallel tool calls never write the same file.
 * A file that cannot be read back (truncated, foreign) counts as absent.
 */
export class FileSessionStates implements SessionStates {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  readPrompt(sessionId: string): PromptState | null {
    return readJson(join(this.#session(sessionId), 'prompt.json'), PromptStateSchema);
  }

  writePrompt(sessionId: string, state: PromptState): void {
    writeAtomically(this.#session(sessionId, true), 'prompt.json', state);
  }

  open(sessionId: string, invocation: OpenInvocation): void {
    const { id, ...entry } = invocation;
    writeAtomically(this.#openDir(sessionId, true), `${id}.json`, entry);
  }

  getOpen(sessionId: string, id: string): OpenInvocation | null {
    const entry = readJson(join(this.#openDir(sessionId), `${id}.json`), OpenInvocationSchema);
    return entry && { id, ...entry };
  }

  close(sessionId: string, ids: readonly string[]): void {
    const dir = this.#openDir(sessionId);
    for (const id of ids) removeFile(join(dir, `${id}.json`));
  }

  listOpen(sessionId: string): OpenInvocation[] {
    const dir = this.#openDir(sessionId);
    const open: OpenInvocation[] = [];
    for (const file of listNames(dir)) {
      if (!file.endsWith('.json')) continue;
      const entry = readJson(join(dir, file), OpenInvocationSchema);
      if (entry) open.push({ id: file.slice(0, -'.json'.length), ...entry });
    }
    return open;
  }

  end(sessionId: string): void {
    rmSync(this.#session(sessionId), { recursive: true, force: true });
    const sessions = join(this.dir, 'sessions');
    const cutoff = Date.now() - STALE_SESSION_MS;
    for (const name of listNames(sessions)) {
      const path = join(sessions, name);
      try {
        if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
      } catch {
        // Removed meanwhile by another SessionEnd.
      }
    }
  }

  /** The session's folder: named by a hash, since a session id is the host's text, not a safe file name. */
  #session(sessionId: string, create = false): string {
    const path = join(this.dir, 'sessions', createHash('sha256').update(sessionId).digest('hex').slice(0, 32));
    if (create) mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  }

  #openDir(sessionId: string, create = false): string {
    const path = join(this.#session(sessionId, create), 'open');
    if (create) mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  }
}

/** Writes `value` as JSON to `dir/name` so that readers see the old file or the new one, never a part. */
function writeAtomically(dir: string, name: string, value: unknown): void {
  const temporary = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(temporary, JSON.stringify(value), { mode: 0o600, flag: 'wx' });
  try {
    renameSync(temporary, join(dir, name));
  } catch (error) {
    removeFile(temporary);
    throw error;
  }
}

function readJson<T>(path: string, schema: z.ZodType<T>): T | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function listNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
