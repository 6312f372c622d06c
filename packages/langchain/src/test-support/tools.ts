import { StructuredTool, tool } from '@langchain/core/tools';
import { z } from 'zod';

/** The error the `broken` tool throws: its class name is the recorded error type. */
export class BrokenToolError extends Error {}

export const search = tool(async ({ q }: { q: string }) => `3 results for ${q}`, {
  name: 'search',
  description: 'Search the docs.',
  schema: z.object({ q: z.string() }),
});

export const broken = tool(
  async (): Promise<string> => {
    throw new BrokenToolError('the index is gone');
  },
  { name: 'broken', description: 'Always fails.', schema: z.object({}) },
);

/** A class-based tool: LangChain gives it no run name, and its serialized id ends with the class name. */
export class LookupTool extends StructuredTool {
  name = 'lookup';
  description = 'Look a symbol up.';
  schema = z.object({ symbol: z.string() });
  async _call({ symbol }: { symbol: string }): Promise<string> {
    return `${symbol} is defined in src/parser.ts`;
  }
}
