import { BaseMessage } from '@langchain/core/messages';

// Runs receive messages in every form LangChain accepts as input: message objects, plain
// `{ role, content }` objects, `[role, content]` pairs. These read what tracking needs from any of them.

type Role = 'human' | 'ai' | 'other';

const ROLES: Readonly<Record<string, Role>> = { human: 'human', user: 'human', ai: 'ai', assistant: 'ai' };

function roleOf(message: unknown): Role {
  if (BaseMessage.isInstance(message)) return ROLES[message.getType()] ?? 'other';
  if (Array.isArray(message)) return ROLES[String(message[0])] ?? 'other';
  if (typeof message !== 'object' || message === null) return 'other';
  const { role, type } = message as { role?: unknown; type?: unknown };
  return ROLES[String(role ?? type)] ?? 'other';
}

function contentOf(message: unknown): unknown {
  if (Array.isArray(message)) return message[1];
  return typeof message === 'object' && message !== null ? (message as { content?: unknown }).content : undefined;
}

/** The text of a message content: a string, or the text blocks of a content array joined. */
function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const block of content) {
    if (typeof block === 'string') texts.push(block);
    else if (typeof block === 'object' && block !== null && (block as { type?: unknown }).type === 'text') {
      const { text } = block as { text?: unknown };
      if (typeof text === 'string') texts.push(text);
    }
  }
  return texts.length > 0 ? texts.join('\n') : undefined;
}

/** The text of the last human (user) message in `messages`, or undefined when there is none. */
export function lastHumanText(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (roleOf(messages[i]) === 'human') return textOf(contentOf(messages[i]));
  }
  return undefined;
}

/**
 * The tool calls of the last AI message in `messages` as id -> tool name: the names the model
 * asked for, which is how agents look tools up (a tool's run name is not always its name).
 */
export function lastToolCalls(messages: unknown): Array<[id: string, name: string]> {
  if (!Array.isArray(messages)) return [];
  for (let i = messages.length - 1; i >= 0; i--) {
    if (roleOf(messages[i]) !== 'ai') continue;
    const calls = (messages[i] as { tool_calls?: unknown }).tool_calls;
    return Array.isArray(calls) ? calls.flatMap(idAndName) : [];
  }
  return [];
}

/** `[id, name]` of a tool call (`{ id, name }`, or OpenAI's `{ id, function: { name } }`), or nothing. */
export function idAndName(call: unknown): Array<[string, string]> {
  if (typeof call !== 'object' || call === null) return [];
  const { id, name, function: fn } = call as { id?: unknown; name?: unknown; function?: { name?: unknown } };
  const toolName = name ?? fn?.name;
  return typeof id === 'string' && typeof toolName === 'string' ? [[id, toolName]] : [];
}
