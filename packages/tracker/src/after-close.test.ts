import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrackerClosedError, type Logger, type SkillsTracker } from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { createSkillsTracker } from './create-tracker.js';
import { memoryLogger, tempDir } from './test-support/temp.js';
import { UnavailableTracker } from './unavailable-tracker.js';

/** A loopback URL nothing listens on. */
async function nobodyHome(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
  return url;
}

interface Case {
  readonly name: string;
  open(dbPath: string, logger: Logger): Promise<SkillsTracker>;
}

const CASES: readonly Case[] = [
  { name: 'direct', open: (dbPath, logger) => createSkillsTracker({ backend: 'direct', dbPath, logger, env: {}, embedder: 'lexical' }) },
  {
    name: 'auto (tracking directly)',
    open: async (dbPath, logger) =>
      createSkillsTracker({ backend: 'auto', mcpServerUrl: await nobodyHome(), dbPath, logger, env: {}, embedder: 'lexical' }),
  },
  {
    name: 'mcp (fallen back to its spool)',
    open: async (dbPath, logger) =>
      createSkillsTracker({ backend: 'mcp', mcpServerUrl: await nobodyHome(), dbPath, logger, env: {}, embedder: 'lexical' }),
  },
  { name: 'unavailable storage', open: async (_dbPath, logger) => new UnavailableTracker('direct', 'the folder is read-only', logger) },
];

describe('after close()', () => {
  for (const c of CASES) {
    it(`${c.name}: refuses to track (logged once, counted), ignores completers, rejects recommendations`, async () => {
      const logger = memoryLogger();
      const tracker = await c.open(join(tempDir(), 'skills.db'), logger);
      const left = tracker.trackInvocation({ skillName: 'left-open' })!;
      await tracker.close();

      expect(tracker.trackInvocation({ skillName: 'late' })).toBeNull();
      expect(tracker.trackInvocation({ skillName: 'later' })).toBeNull();
      left({ completed: true }); // its invocation was abandoned by close: nothing happens
      await expect(tracker.getRecommendations({ userQuery: 'run the tests' })).rejects.toThrow(TrackerClosedError);
      await expect(tracker.getRecommendations({ userQuery: 'run the tests' })).rejects.toMatchObject({ code: 'TRACKER_CLOSED' });
      await tracker.flush();
      await tracker.close();

      expect(tracker.health()).toMatchObject({ tracked: 1, completed: 0, refusedAfterClose: 2 });
      expect(logger.lines.filter((l) => l.includes('after the tracker was closed'))).toEqual([
        'warn: trackInvocation after the tracker was closed: not tracked (health().refusedAfterClose counts these)',
      ]);
    });
  }

  it('direct: the invocation left open stays abandoned in the store, and nothing late is stored', async () => {
    const dbPath = join(tempDir(), 'skills.db');
    const tracker = await createSkillsTracker({ backend: 'direct', dbPath, logger: memoryLogger(), env: {} });
    const left = tracker.trackInvocation({ skillName: 'left-open' })!;
    await tracker.close();
    tracker.trackInvocation({ skillName: 'late' });
    left({ completed: true });
    const store = await openSqliteStore({ path: dbPath, readonly: true });
    try {
      expect(await store.listInvocations(undefined, { limit: 10 })).toMatchObject([{ skillName: 'left-open', status: 'abandoned' }]);
    } finally {
      await store.close();
    }
  });
});
