import { join } from 'node:path';
import { forwardHookEvent, serverToken, type Forwarded } from './forward.js';
import { appendHookLog } from './hook-log-file.js';
import { appendToJournal } from './journal.js';
import { readSettingsCache, settingsFingerprint } from './settings-cache.js';

/**
 * What {@link runFastPath} did: answered the event (`output` to print, usually ''), or left it
 * to the full path (`runHook`), with the server's answer when it asked the server already, or
 * with `drain` when the event is journaled but the journal has grown past its bound.
 */
export type FastOutcome =
  | { readonly done: true; readonly output: string }
  | { readonly done: false; readonly forwarded?: Forwarded; readonly drain?: true };

/** The events a tool call fires: the ones that come often, and that answer nothing. */
const TOOL_EVENTS = new Set(['PreToolUse', 'PostToolUse', 'PostToolUseFailure']);

/**
 * A journal this large is drained by the tool hook that grew it, in case no event that drains it
 * (UserPromptSubmit, Stop, SessionEnd) is hooked: some hundreds of tool calls.
 */
export const JOURNAL_DRAIN_BYTES = 256 * 1024;

const FULL: FastOutcome = Object.freeze({ done: false });
const DONE: FastOutcome = Object.freeze({ done: true, output: '' });

/**
 * The command's path for PreToolUse / PostToolUse / PostToolUseFailure, which run at every tool
 * call: it loads no validation, YAML reader, store or recommender. With the settings resolved
 * by an earlier full run (see `settings-cache.ts`), it drops tools that are not skills, hands
 * the event to the skills server's hook endpoint when one is to be used, and otherwise appends
 * it, with its arrival time, to the hook journal, which the next full run replays into the
 * store (see `journal.ts`). Everything else is left to the full path: other events, input that
 * is not a JSON tool event, settings changed or never resolved, a journal that cannot be
 * written. Never throws.
 */
export async function runFastPath(options: {
  readonly input: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** When the event arrived (ms since the epoch). */
  readonly now: number;
}): Promise<FastOutcome> {
  try {
    let event: unknown;
    try {
      event = JSON.parse(options.input);
    } catch {
      return FULL; // which logs why
    }
    if (typeof event !== 'object' || event === null) return FULL;
    const { hook_event_name: name, tool_name: tool } = event as Record<string, unknown>;
    if (typeof name !== 'string' || !TOOL_EVENTS.has(name) || typeof tool !== 'string') return FULL;
    const cached = readSettingsCache(options.cwd, settingsFingerprint(options.cwd, options.env));
    if (cached === null) return FULL;
    if (!new RegExp(cached.tools).test(tool)) return DONE;

    let refused: Extract<Forwarded, { ok: false }> | undefined;
    if (cached.hookUrl !== null) {
      const forwarded = await forwardHookEvent(cached.hookUrl, options.input, { token: serverToken(options.env), timeoutMs: cached.serverTimeoutMs });
      if (forwarded.ok) return { done: true, output: forwarded.output };
      // A server that listens but did not take it (an older server, a wrong token, no answer):
      // the full path tries MCP, as it always did.
      if (forwarded.listening) return { done: false, forwarded };
      refused = forwarded;
    }
    // The response is not kept (as null: the event must still carry it): nothing reads it, and
    // it can be large (a subagent's whole answer).
    const journaled = Object.hasOwn(event, 'tool_response') ? { ...event, tool_response: null } : event;
    let size: number;
    try {
      size = appendToJournal(cached.hooksDir, { at: options.now, event: journaled });
    } catch {
      return refused ? { done: false, forwarded: refused } : FULL; // which writes it to the store, or logs why not
    }
    if (refused && cached.serverRequired) {
      appendHookLog(join(cached.hooksDir, 'hook.log'), `skills server did not take the event (${refused.reason}); handling it here`);
    }
    return size > JOURNAL_DRAIN_BYTES ? { done: false, drain: true } : DONE;
  } catch {
    return FULL;
  }
}
