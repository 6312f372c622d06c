import { SkillsMcpClient } from '@skills/mcp-client';
import { afterEach } from 'vitest';
import { spawnServer, type ServerProcess } from './harness.js';

/** Settings of served processes in tests: the lexical embedder (no model to load), every match counts. */
export const SERVED_ENV = { SKILLS_EMBEDDER: 'lexical', SKILLS_MIN_SIMILARITY: '0' } as const;

/**
 * Server processes on a database, each with an MCP client, stopped after each test; `cleanup`
 * registers more to undo then (in reverse order).
 */
export function useServedProcesses(options: { readonly clientTimeoutMs: number }): {
  serve(db: string): Promise<{ server: ServerProcess; client: SkillsMcpClient }>;
  cleanup(undo: () => Promise<unknown>): void;
} {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const undo of cleanups.splice(0).reverse()) await undo();
  });
  return {
    async serve(db) {
      const server = await spawnServer(['--port', '0', '--db', db], SERVED_ENV);
      cleanups.push(() => server.stop());
      const client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: options.clientTimeoutMs });
      cleanups.push(() => client.close());
      return { server, client };
    },
    cleanup: (undo) => void cleanups.push(undo),
  };
}
