import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  isProjectStore,
  NotAvailableError,
  pendingRecord,
  ValidationError,
  type EngineStore,
  type InvocationRecord,
  type Settings,
} from '@skills/protocol';
import { openSqliteStore } from '@skills/store-sqlite';
import { SkillsService } from './service.js';
import { memoryLogger, tempDir } from './test-support/temp.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function settings(extra: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, embedder: 'lexical', minSimilarity: 0, ...extra };
}

/**
 * A real SQLite store with its project capability hidden: an engine that keeps no projects (a
 * third-party engine written before them). No engine here lacks it, so it is hidden by hand.
 */
async function storeWithoutProjects(): Promise<EngineStore> {
  const store = await openSqliteStore({ path: join(tempDir(), 'plain.db') });
  closers.push(() => store.close());
  return new Proxy(store, {
    get: (target, key) => (key === 'forProject' || key === 'listProjects' ? undefined : Reflect.get(target, key, target)),
  });
}

describe('SkillsService on a store that keeps no projects', () => {
  it('serves project default from the store itself, and lists only default', async () => {
    const store = await storeWithoutProjects();
    expect(isProjectStore(store)).toBe(false);
    const service = await SkillsService.open({ settings: settings(), store, logger: memoryLogger() });
    expect(service.project).toBe('default');
    expect(service.store).toBe(store);
    expect(service.allProjects).toBe(store);
    expect(service.forProject('default')).toBe(service);
    expect(await service.listProjects()).toEqual(['default']);
  });

  it('refuses any other project, saying the engine keeps no projects', async () => {
    const store = await storeWithoutProjects();
    const service = await SkillsService.open({ settings: settings(), store, logger: memoryLogger() });
    expect(() => service.forProject('beta')).toThrow(NotAvailableError);
    expect(() => service.forProject('beta')).toThrow('project "beta" cannot be used: this store engine keeps no projects (only "default")');
    const opening = SkillsService.open({ settings: settings({ project: 'beta' }), store, logger: memoryLogger() });
    await expect(opening).rejects.toThrow(NotAvailableError);
  });

  it('refuses a bad project name, naming project and the rule', async () => {
    const store = await storeWithoutProjects();
    const service = await SkillsService.open({ settings: settings(), store, logger: memoryLogger() });
    const error = (() => {
      try {
        service.forProject('Team A');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations).toEqual([
      { path: '', message: expect.stringContaining("project must be 1-64 characters: lowercase letters, digits, '.', '_' or '-'") },
    ]);
    expect((error as Error).message).toContain('Invalid project');
  });
});

describe('SkillsService on a store that keeps projects (SQLite)', () => {
  async function open(project = 'alpha') {
    const dbPath = join(tempDir(), 'projects.db');
    const service = await SkillsService.open({ settings: settings({ dbPath, project }), logger: memoryLogger() });
    closers.push(() => service.close());
    return service;
  }

  const record = (id: string, skillName: string, userQuery: string) =>
    pendingRecord({ skillName, userQuery }, { id, sessionId: 's', invokedAt: new Date().toISOString() });

  it("reads and writes the settings' project through its view, and gives one service per project", async () => {
    const alpha = await open('alpha');
    expect(alpha.project).toBe('alpha');
    expect(isProjectStore(alpha.allProjects)).toBe(true);
    expect(alpha.store).not.toBe(alpha.allProjects);
    const beta = alpha.forProject('beta');
    expect(beta.project).toBe('beta');
    expect(alpha.forProject('beta')).toBe(beta);
    expect(beta.forProject('alpha')).toBe(alpha);
    expect(beta.allProjects).toBe(alpha.allProjects);
    expect(await alpha.embedder()).toBe(await beta.embedder());

    await alpha.apply({ inserts: [record('a-1', 'code-reviewer', 'review my pull request')] });
    await beta.apply({ inserts: [record('b-1', 'deployer', 'deploy to staging')] });
    expect((await alpha.store.getInvocation('a-1'))?.project).toBe('alpha');
    expect(await alpha.store.getInvocation('b-1')).toBeNull();
    expect(await alpha.store.countInvocations()).toBe(1);
    expect(await alpha.allProjects.countInvocations()).toBe(2);
    expect(await alpha.listProjects()).toEqual(['alpha', 'beta']);
  });

  const finished = (r: InvocationRecord) => ({ ...r, status: 'completed' as const, completed: true, completedAt: r.invokedAt, durationSeconds: 1 });

  it("recommends from each project's history only (issue 15)", async () => {
    const alpha = await open('alpha');
    const beta = alpha.forProject('beta');
    await alpha.apply({ inserts: [finished(record('a-1', 'code-reviewer', 'review the pull request'))] });
    await beta.apply({ inserts: [finished(record('b-1', 'pr-auditor', 'review the pull request'))] });
    const names = async (service: SkillsService) => (await service.recommend({ userQuery: 'review the pull request' })).map((r) => r.skillName);
    expect(await names(alpha)).toEqual(['code-reviewer']);
    expect(await names(beta)).toEqual(['pr-auditor']);
    // A later write to beta reaches beta's recommender and not alpha's.
    await beta.apply({ inserts: [finished(record('b-2', 'reviewer-bot', 'review the pull request'))] });
    expect((await names(beta)).sort()).toEqual(['pr-auditor', 'reviewer-bot']);
    expect(await names(alpha)).toEqual(['code-reviewer']);
  });

  it('closes every project service and the store with the one that opened it', async () => {
    const alpha = await open('alpha');
    const beta = alpha.forProject('beta');
    await beta.apply({ inserts: [record('b-1', 'deployer', 'deploy to staging')] });
    await beta.recommend({ userQuery: 'anything at all' });
    await alpha.close();
    await expect(alpha.allProjects.countInvocations()).rejects.toThrow();
    expect(() => alpha.forProject('gamma')).toThrow(NotAvailableError);
    // Closing a project's own service later is harmless, and a service of another project closing leaves the store open.
    await beta.close();
  });

  it("leaves the store open when a project's service closes, and makes a fresh one on the next call", async () => {
    const alpha = await open('alpha');
    const beta = alpha.forProject('beta');
    await beta.close();
    expect(await alpha.store.countInvocations()).toBe(0);
    expect(alpha.forProject('beta')).not.toBe(beta);
  });

  it('keeps at most maxProjectServices other services open: the least recently asked for idle one closes, and a caller keeping it is still served', async () => {
    const dbPath = join(tempDir(), 'capped.db');
    const opener = await SkillsService.open({ settings: settings({ dbPath }), logger: memoryLogger(), maxProjectServices: 2 });
    closers.push(() => opener.close());
    const names = async (service: SkillsService) => (await service.recommend({ userQuery: 'lint the code' })).map((r) => r.skillName).sort();
    const p1 = opener.forProject('p1');
    const p2 = opener.forProject('p2');
    await p1.apply({ inserts: [finished(record('p1-1', 'linter', 'lint the code'))] });
    expect(await names(p1)).toEqual(['linter']);
    expect(opener.forProject('p2')).toBe(p2); // p1 is now the least recently asked for
    const p3 = opener.forProject('p3');
    expect(opener.openServices).toBe(3);
    expect(opener.forProject('p2')).toBe(p2);
    expect(opener.forProject('p3')).toBe(p3);

    // p1 was closed to make room; kept by its caller, it still writes and recommends (through p1's open service).
    await p1.apply({ inserts: [finished(record('p1-2', 'formatter', 'lint the code'))] });
    expect(await names(p1)).toEqual(['formatter', 'linter']);
    // That service was opened again for it, closing p2 (then the least recently asked for) to make room.
    expect(opener.forProject('p2')).not.toBe(p2);
    const reopened = opener.forProject('p1');
    expect(reopened).not.toBe(p1);
    // Its writes reach the open service's recommender.
    await p1.apply({ inserts: [finished(record('p1-3', 'style-checker', 'lint the code'))] });
    expect(await names(reopened)).toEqual(['formatter', 'linter', 'style-checker']);
    expect(opener.openServices).toBe(3);
  });

  it('does not close a service to make room while it recommends', async () => {
    const dbPath = join(tempDir(), 'busy.db');
    const opener = await SkillsService.open({ settings: settings({ dbPath }), logger: memoryLogger(), maxProjectServices: 1 });
    closers.push(() => opener.close());
    const p1 = opener.forProject('p1');
    await p1.apply({ inserts: [finished(record('p1-1', 'linter', 'lint the code'))] });
    await p1.recommend({ userQuery: 'lint the code' });
    const answer = p1.recommend({ userQuery: 'lint the code' });
    // p1 is the least recently asked for, yet busy: p2 closes instead when p3 needs room.
    const p2 = opener.forProject('p2');
    opener.forProject('p3');
    expect(opener.forProject('p1')).toBe(p1);
    expect(opener.forProject('p2')).not.toBe(p2);
    expect((await answer).map((r) => r.skillName)).toEqual(['linter']);
  });
});
