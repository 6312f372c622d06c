import type { ModelMessage } from 'ai';
import { cleanQuery } from './clean.js';

/**
 * The text of the last user message that has any (text parts joined by line breaks), cleaned
 * for the store; undefined when no user message carries text. This is the query an invocation is
 * recorded under and recommendations are asked for.
 */
export function lastUserQuery(messages: readonly ModelMessage[] | undefined): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'user') continue;
    const query = cleanQuery(textOf(message.content));
    if (query) return query;
  }
  return undefined;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (part?.type === 'text' && typeof part.text === 'string') texts.push(part.text);
  }
  return texts.join('\n');
}
