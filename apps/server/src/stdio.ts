import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { SkillsServerApp } from './app.js';
import { InstrumentedTransport } from './instrumented-transport.js';

/** The stdio connection: `done` settles when the client goes away (stdin ends) or `close()` is called. */
export interface StdioHandle {
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the same tools over stdin/stdout, for MCP hosts that spawn their servers. stdout
 * carries only MCP messages: everything else (logs) must go to stderr.
 */
export async function serveStdio(
  app: SkillsServerApp,
  streams: { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream } = {},
): Promise<StdioHandle> {
  const stdin = (streams.stdin ?? process.stdin) as NodeJS.ReadStream;
  const stdout = (streams.stdout ?? process.stdout) as NodeJS.WriteStream;
  const mcp = app.createMcpServer();
  const transport = new StdioServerTransport(stdin, stdout);
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  // The SDK's stdio transport does not notice the end of its input; the host closing our stdin is the signal to stop.
  stdin.once('end', () => finish());
  stdin.once('close', () => finish());
  await mcp.connect(new InstrumentedTransport(transport, app.metrics));
  return {
    done,
    async close() {
      finish();
      await mcp.close().catch(() => {});
    },
  };
}
