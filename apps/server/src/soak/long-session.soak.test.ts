import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SkillsMcpClient } from '@skills/mcp-client';
import { builtBinExists, spawnServer, tempDir, type ServerProcess } from '../test-support/harness.js';

/*
 * `pnpm test:soak`: one MCP session kept open for SKILLS_SOAK_SESSION_CALLS calls (default 50,000,
 * 8 at a time) against the built server, run with a 96 MB heap. Before the workaround of
 * typescript-sdk issue 2559 (see src/sdk-stream-leak.ts) every call left an entry in the
 * session's transport: 70k calls took the heap from 42 to 693 MB. The V8 heap in use (lowest of
 * three samples, to look past the garbage collector's sawtooth) may not grow by more than
 * SKILLS_SOAK_SESSION_MAX_GROWTH_MB (default 16) from the start of the run to its end, and the
 * transport must hold no answer stream at the end.
 */

const CALLS = Number(process.env['SKILLS_SOAK_SESSION_CALLS'] ?? 50_000);
const MAX_GROWTH_MB = Number(process.env['SKILLS_SOAK_SESSION_MAX_GROWTH_MB'] ?? 16);
const PARALLEL = 8;
const MB = 1024 * 1024;

let server: ServerProcess;

beforeAll(async () => {
  if (!builtBinExists()) throw new Error('the server is not built: run `pnpm build` (or `pnpm test:soak` from the repository root, which builds it)');
  const dir = tempDir('skills-soak-session-');
  server = await spawnServer(['--port', '0', '--db', join(dir, 'soak.db')], {
    SKILLS_EMBEDDER: 'lexical',
    // A leak of about 10 KB per call would exhaust this heap well before the end.
    NODE_OPTIONS: '--max-old-space-size=96',
  });
});

afterAll(async () => {
  await server?.stop();
});

/** The server's heap in use and held streams, as /metrics reports them. */
async function sample(): Promise<{ heap: number; held: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  return { heap: value('nodejs_heap_size_used_bytes'), held: value('skills_mcp_held_streams') };
}

it(`keeps the heap flat over ${CALLS} calls on one session`, async () => {
  const client = await SkillsMcpClient.connect({ url: server.url, timeoutMs: 30_000 });
  const heaps: number[] = [];
  let done = 0;
  try {
    const worker = async () => {
      while (done < CALLS) {
        const call = ++done;
        await client.healthCheck();
        if (call % Math.floor(CALLS / 10) === 0) heaps.push((await sample()).heap);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const end = await sample();
    const summary = `one session, ${CALLS} calls: heap used ${heaps.map((h) => (h / MB).toFixed(1)).join(' -> ')} MB`;
    console.log(summary);
    expect(end.held).toBe(0);
    expect(Math.min(...heaps.slice(-3)) - Math.min(...heaps.slice(0, 3)), summary).toBeLessThan(MAX_GROWTH_MB * MB);
  } finally {
    await client.close();
  }
});
