import { createHash } from 'node:crypto';

const HEX_PAIR: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * The invocation id of one tool call: a UUID (version 8, "custom") made from a SHA-256 of the
 * session and the call's `tool_use_id`. PreToolUse and PostToolUse run in different processes;
 * both derive the same id, which is how they pair, and how a replayed event stays a no-op (the
 * store skips an id it holds). The session is part of the hash because `tool_use_id` is only
 * unique within the conversation that made it. Canonical lowercase, so the store keeps it as 16 bytes.
 *
 * @example
 * invocationIdFor('session-1', 'toolu_01ABC'); // 'a3f0…-…-8…-…-…' (always the same for these two)
 */
export function invocationIdFor(sessionId: string, toolUseId: string): string {
  const b = createHash('sha256').update(`claude-code\0${sessionId}\0${toolUseId}`).digest();
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX_PAIR[b[i]!]!;
  }
  return out;
}
