import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './test-support/temp.js';

/** Module loader hooks (run on the loader's own thread) that post each module's URL as it loads. */
const RECORD_LOADS = `
  let port;
  export function initialize(data) { port = data.port; }
  export async function load(url, context, nextLoad) { port.postMessage(url); return nextLoad(url, context); }
`;

/**
 * Runs `body` in a fresh Node process (from this package's folder, so `@skills/tracker` is the
 * built entry) and returns the URLs of the modules it loaded, with what `body` printed as `result`.
 */
function modulesLoadedBy(body: string): { loaded: string[]; result: unknown } {
  const script = `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const loaded = [];
    // The hooks post from their own thread: a last module marks the end of the list.
    const END = 'data:text/javascript,//end';
    const ended = new Promise((resolve) => port1.on('message', (url) => (url === END ? resolve() : loaded.push(url))));
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(RECORD_LOADS)}), { data: { port: port2 }, transferList: [port2] });
    const result = await (async () => { ${body} })();
    await import(END);
    await ended;
    port1.close();
    console.log(JSON.stringify({ loaded, result }));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: join(import.meta.dirname, '..'),
    encoding: 'utf8',
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout) as { loaded: string[]; result: unknown };
}

/** What only a process that talks to a server (or reads a settings file) needs: about 250 ms of CPU to load. */
const HEAVY = /\/node_modules\/(@modelcontextprotocol\/sdk|undici|ajv|yaml)\//;

describe("the tracker's entry", () => {
  it('tracks and recommends directly without loading the MCP SDK, an HTTP client or the YAML reader', () => {
    const cwd = tempDir();
    const { loaded, result } = modulesLoadedBy(`
      const { createSkillsTracker } = await import('@skills/tracker');
      const logger = { debug() {}, info() {}, warn: console.error, error: console.error }; // warnings fail the test
      const tracker = await createSkillsTracker({ backend: 'direct', cwd: ${JSON.stringify(cwd)}, env: {}, logger });
      tracker.trackInvocation({ skillName: 'test-runner', userQuery: 'run the unit tests' })({ completed: true });
      await tracker.flush();
      const recommendations = await tracker.getRecommendations({ userQuery: 'run the unit tests' });
      await tracker.close();
      return recommendations.map((r) => r.skillName);
    `);
    expect(result).toEqual(['test-runner']);
    // The hooks saw the modules that were needed, so their silence about the others means something.
    expect(loaded.some((url) => url.includes('/store-sqlite/'))).toBe(true);
    expect(loaded.filter((url) => HEAVY.test(url))).toEqual([]);
  });
});
