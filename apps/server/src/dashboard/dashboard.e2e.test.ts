/// <reference lib="dom" />
// Functions passed to page.evaluate run in the page: they need the DOM types.
import { seededRandom, silentLogger, type InvocationRecord, type SkillsStore } from '@skills/protocol';
import { SkillsMcpClient } from '@skills/mcp-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectGrant } from '../project-grant.js';
import { startSkillsServer, type RunningSkillsServer } from '../server.js';
import { launchBrowser, screenshot, SKIP_BROWSER } from '../test-support/browser.js';
import { tempDir, testSettings } from '../test-support/harness.js';

/** Skills with the words of their queries, the phase they are best in, and how often they fail. */
const SKILLS = [
  ['code-reviewer', ['review the diff', 'comment on naming', 'check readability of'], 'review', 0.08],
  ['test-runner', ['run the failing tests in', 'rerun the flaky suite of', 'measure coverage of'], 'verification', 0.15],
  ['debugger', ['debug the crash in', 'find the null pointer in', 'trace the exception in'], 'implementation', 0.3],
  ['planner', ['plan the migration of', 'break down the roadmap for', 'estimate the tasks of'], 'planning', 0.05],
  ['doc-writer', ['document the api of', 'write the readme for', 'add examples to'], 'review', 0.1],
  ['security-auditor', ['audit the secrets in', 'check injection in', 'review permissions of'], 'verification', 0.2],
] as const;
const PHASES = ['planning', 'implementation', 'verification', 'review'];
const PLACES = ['the parser', 'the billing service', 'the login page', 'the cli', 'the worker'];
/** The integrations that recorded the history, null for records from before sources were kept. */
const SOURCES = ['claude-code', 'ai-sdk', 'langchain', 'claude-code', null];

/** Three days of invocations up to a few minutes ago, deterministic. */
function history(count: number): InvocationRecord[] {
  const rand = seededRandom(8);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const [skillName, words, best, failRate] = pick(SKILLS);
    const phase = rand() < 0.6 ? best : rand() < 0.85 ? pick(PHASES) : null;
    // Out of its best phase, a skill fails twice as often.
    const failed = rand() < (phase === best ? failRate : failRate * 2);
    const invokedAt = new Date(now - (count - i) * ((3 * 86_400_000) / count) - 120_000).toISOString();
    const others = SKILLS.map((s) => s[0]).filter((s) => s !== skillName);
    return {
      id: `seed-${i}`,
      skillName,
      sessionId: `session-${Math.floor(i / 12)}`,
      invokedAt,
      status: failed ? 'failed' : 'completed',
      completed: !failed,
      completedAt: invokedAt,
      durationSeconds: Math.round((0.5 + rand() * rand() * 60) * 1000) / 1000,
      userQuery: `${pick(words)} ${pick(PLACES)}`,
      workflowPhase: phase,
      alternativesConsidered: rand() < 0.5 ? [pick(others), pick(others)].filter((s, k, all) => all.indexOf(s) === k) : [],
      selectionRank: rand() < 0.8 ? 1 + Math.floor(rand() * rand() * 3) : null,
      followUpActions: rand() < 0.3 ? [pick(['open-pr', 'rerun', 'ask-human'])] : [],
      errorType: failed ? pick(['Timeout', 'ToolError', 'ContextOverflow']) : null,
      // By position, not drawn: the other fields keep the values they were tuned with.
      source: SOURCES[i % SOURCES.length]!,
    };
  });
}

/** The `data-value` of every element matching `selector`, by its `data-skill` (and `data-phase`). */
async function values(page: Page, selector: string): Promise<Record<string, string>> {
  return page.$$eval(selector, (cells) =>
    Object.fromEntries(
      cells.map((c) => {
        const row = c.closest('[data-skill]') as HTMLElement;
        const phase = c.getAttribute('data-phase');
        return [phase === null ? row.dataset.skill! : `${c.getAttribute('data-skill')}|${phase}`, c.getAttribute('data-value') ?? ''];
      }),
    ),
  );
}

const num = (n: number | null) => (n === null ? '' : String(n));

/** The `data-skill` of each row of `table`, top to bottom. */
function rowSkills(page: Page, table: string): Promise<string[]> {
  return page.$$eval(`${table} tbody tr[data-skill]`, (rows) => rows.map((r) => (r as HTMLElement).dataset.skill!));
}

/**
 * Every figure the skills table and the heat map show equals the store's own, and both list
 * exactly the skills `names` (every stored skill when left out), in the same order.
 */
async function expectStoreFigures(page: Page, store: SkillsStore, names?: readonly string[]): Promise<void> {
  const listed = (name: string) => names === undefined || names.includes(name);
  // The overview's percentiles are the store's approximate ones (see APPROXIMATE_PERCENTILE_ERROR).
  const stats = (await store.skillStats(undefined, { approximatePercentiles: true })).filter((s) => listed(s.skillName));
  const tableOrder = await rowSkills(page, '#skills-table');
  expect([...tableOrder].sort()).toEqual(stats.map((s) => s.skillName).sort());
  expect(await rowSkills(page, '#heatmap')).toEqual(tableOrder);
  for (const col of ['invocations', 'successRate', 'meanDurationSeconds', 'p95DurationSeconds', 'lastUsed'] as const) {
    const shown = await values(page, `#skills-table td[data-col="${col}"]`);
    expect(shown, col).toEqual(Object.fromEntries(stats.map((s) => [s.skillName, col === 'lastUsed' ? (s.lastUsed ?? '') : num(s[col])])));
  }
  const cells = await page.$$eval('#heatmap td[data-skill][data-phase]', (tds) =>
    tds.filter((td) => td.getAttribute('data-invocations') !== '' && td.getAttribute('data-invocations') !== '0').map((td) => [td.getAttribute('data-skill'), td.getAttribute('data-phase'), td.getAttribute('data-invocations'), td.getAttribute('data-value')]),
  );
  const phaseStats = (await store.phaseStats()).filter((s) => listed(s.skillName));
  expect(cells.sort()).toEqual(phaseStats.map((s) => [s.skillName, s.workflowPhase ?? '', String(s.invocations), num(s.successRate)]).sort());
}

describe.skipIf(SKIP_BROWSER)('the dashboard in Chromium', () => {
  let server: RunningSkillsServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  beforeAll(async () => {
    server = await startSkillsServer({ settings: testSettings(tempDir()), host: '127.0.0.1', port: 0, logger: silentLogger });
    const records = history(900);
    // A query that is also markup: the page must show it as text.
    records.push({
      ...records[0]!,
      id: 'markup',
      invokedAt: new Date(Date.now() - 60_000).toISOString(),
      userQuery: 'explain <img src=x onerror="document.title=1"> in the cli',
      skillName: 'doc-writer',
    });
    await server.app.service.apply({ inserts: records });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the store's own numbers in the tiles, the skills table and the heat map", async () => {
    await page.goto(`${server.url}/`);
    await page.locator('#skills-table tr[data-skill]').first().waitFor();
    const store = server.app.service.store;
    expect(await page.getAttribute('[data-testid="total-invocations"]', 'data-value')).toBe(String(await store.countInvocations()));
    await expectStoreFigures(page, store);
    expect(await page.textContent('#skills-shown')).toBe(`Showing ${SKILLS.length} of ${SKILLS.length} skills`);
    expect(await page.locator('#show-all').isHidden()).toBe(true);
    await screenshot(page, 'overview');
  });

  it('sorts the skills table by a column, and back', async () => {
    const order = () => rowSkills(page, '#skills-table');
    const stats = await server.app.service.store.skillStats();
    await page.click('#skills-table th button:has-text("Success rate")');
    const header = page.locator('#skills-table th:has(button:has-text("Success rate"))');
    const direction = await header.getAttribute('aria-sort');
    expect(direction === 'ascending' || direction === 'descending').toBe(true);
    const byRate = [...stats].sort((a, b) => (a.successRate ?? -1) - (b.successRate ?? -1)).map((s) => s.skillName);
    expect(await order()).toEqual(direction === 'ascending' ? byRate : [...byRate].reverse());
    // The heat map lists the same skills in the same order, and the address keeps the order.
    expect(await rowSkills(page, '#heatmap')).toEqual(await order());
    expect(new URL(page.url()).hash).toBe(`#/?sort=${direction === 'ascending' ? '' : '-'}successRate`);
    await page.click('#skills-table th button:has-text("Success rate")');
    expect(await header.getAttribute('aria-sort')).toBe(direction === 'ascending' ? 'descending' : 'ascending');
    expect(await rowSkills(page, '#heatmap')).toEqual(await order());
  });

  it('answers the query box with the same recommendations as the API, as the user types', async () => {
    await page.fill('#query', 'debug the crash in the parser');
    await page.selectOption('#phase', 'implementation');
    const api = await (await fetch(`${server.url}/api/recommend?query=${encodeURIComponent('debug the crash in the parser')}&phase=implementation&limit=5`)).json();
    const expected = (api as { recommendations: { skillName: string }[] }).recommendations.map((r) => r.skillName);
    expect(expected[0]).toBe('debugger');
    await expect.poll(() => page.$$eval('#recommendations li[data-skill]', (lis) => lis.map((li) => (li as HTMLElement).dataset.skill!))).toEqual(expected);
    await screenshot(page, 'recommend');
  });

  it('shows a new invocation without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const before = Number(await page.getAttribute('[data-testid="total-invocations"]', 'data-value'));
    // Tracked the way a host does: over MCP.
    const client = await SkillsMcpClient.connect({ url: `${server.url}/mcp` });
    try {
      await client.trackInvocation({ skill_name: 'brand-new-skill', session_id: 'live-session', user_query: 'something never seen', workflow_phase: 'planning' });
    } finally {
      await client.close();
    }
    await page.locator('#skills-table tr[data-skill="brand-new-skill"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getAttribute('[data-testid="total-invocations"]', 'data-value')).toBe(String(before + 1));
    // A client that does not name its integration is recorded as a plain MCP client.
    expect((await server.app.service.store.listInvocations({ skillName: 'brand-new-skill' })).map((r) => r.source)).toEqual(['mcp']);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });

  it("shows a skill's page: its figures, errors, alternatives, ranks and queries, as text", async () => {
    await page.click('#skills-table a:text-is("doc-writer")');
    await page.locator('[data-testid="skill-title"]').waitFor();
    expect(await page.textContent('[data-testid="skill-title"]')).toContain('doc-writer');
    const dashboard = await (await fetch(`${server.url}/api/skills/doc-writer`)).json() as { skill: { invocations: number }; profile: { errorTypes: { value: string; count: number }[]; queries: unknown[] } };
    const errorRows = await page.$$eval('#error-types tbody tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll('td, th')).map((c) => c.textContent!.trim())));
    expect(errorRows.map((r) => r[0])).toEqual(dashboard.profile.errorTypes.map((e) => e.value));
    expect(errorRows.map((r) => Number(r[1]!.replace(/[^\d]/g, '')))).toEqual(dashboard.profile.errorTypes.map((e) => e.count));
    await expect.poll(() => page.$$eval('#queries tbody tr', (rows) => rows.length)).toBe(dashboard.profile.queries.length);
    expect(await page.locator('#queries', { hasText: '<img src=x onerror="document.title=1">' }).count()).toBe(1);
    expect(await page.locator('#queries img').count()).toBe(0);
    expect(await page.locator('#alternatives tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#selection-ranks tbody tr').count()).toBeGreaterThan(0);
    // "Recorded by": the store's rows of this skill, counted here per source, most first.
    const rows = await server.app.service.store.listInvocations({ skillName: 'doc-writer' }, { limit: 100_000 });
    const bySource = new Map<string, number>();
    for (const r of rows) bySource.set(r.source ?? '', (bySource.get(r.source ?? '') ?? 0) + 1);
    const shown = await page.$$eval('#sources tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-source'), Number(tr.querySelector('td[data-col="count"]')!.getAttribute('data-value'))] as const),
    );
    expect(new Map(shown)).toEqual(bySource);
    expect(shown.map(([, count]) => count)).toEqual([...shown.map(([, count]) => count)].sort((a, b) => b - a));
    expect(bySource.size).toBe(SOURCES.length - 1);
    expect(await page.locator('#sources', { hasText: '(unknown)' }).count()).toBe(1);
    await screenshot(page, 'skill');
  });

  it('labels every control and table, and works from the keyboard', async () => {
    await page.goto(`${server.url}/`);
    await page.locator('#skills-table tr[data-skill]').first().waitFor();
    const unlabelled = await page.$$eval('input, select, button', (controls) =>
      controls
        .filter((c) => !(c as HTMLInputElement).labels?.length && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby') && !c.textContent?.trim())
        .map((c) => c.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    // Data tables, that is: a chart's legend (uPlot draws it as a table) is inside the chart's role="img".
    expect(await page.$$eval('table', (tables) => tables.filter((t) => !t.closest('[role="img"]') && !t.querySelector('caption')).length)).toBe(0);
    expect(await page.$$eval('thead th', (ths) => ths.filter((th) => th.getAttribute('scope') !== 'col').length)).toBe(0);
    // Into the query box by keyboard alone, and a recommendation comes back.
    await page.focus('#query');
    await page.keyboard.type('plan the migration of the worker');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.$$eval('#recommendations li[data-skill]', (lis) => (lis[0] as HTMLElement | undefined)?.dataset.skill)).toBe('planner');
  });

  it('fits a phone', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${server.url}/`);
    await phone.locator('#skills-table tr[data-skill]').first().waitFor();
    // Wide tables scroll inside their wrappers: the page itself does not scroll sideways.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone, 'overview-phone');
    await phone.close();
  });
});

/** Sixty skills, as many as fit no page: six families of ten (`weather-lookup`, `stock-alert`, ...). */
const FAMILIES = ['weather', 'stock', 'flight', 'recipe', 'news', 'translate'];
const ACTIONS = ['lookup', 'search', 'forecast', 'alert', 'history', 'compare', 'summary', 'convert', 'booking', 'report'];
const MANY = FAMILIES.flatMap((family) => ACTIONS.map((action) => `${family}-${action}`));

/**
 * About 177,000 invocations of {@link MANY}, each skill a different count (so that "the first 20
 * by invocations" is one set), 70% of them yesterday: a day of more than 100,000.
 */
function manyInvocations(): InvocationRecord[] {
  const now = Date.now();
  const yesterday = new Date(now - 86_400_000 - 120_000).toISOString();
  const today = new Date(now - 120_000).toISOString();
  return MANY.flatMap((skillName, i) => {
    const count = 300 + 90 * ((i * 37) % MANY.length);
    return Array.from({ length: count }, (_, j): InvocationRecord => {
      const failed = j % (5 + (i % 7)) === 0;
      const invokedAt = j % 10 < 7 ? yesterday : today;
      return {
        id: `many-${i}-${j}`,
        skillName,
        sessionId: `many-session-${j % 100}`,
        invokedAt,
        status: failed ? 'failed' : 'completed',
        completed: !failed,
        completedAt: invokedAt,
        durationSeconds: 0.5 + ((i * 7 + j) % 50) / 10,
        userQuery: null,
        workflowPhase: j % 9 === 0 ? null : PHASES[(i + j) % PHASES.length]!,
        alternativesConsidered: [],
        selectionRank: null,
        followUpActions: [],
        errorType: failed ? 'Timeout' : null,
      };
    });
  });
}

/** A text the page's canvases drew, with its box in canvas pixels. */
interface DrawnText {
  readonly chart: string | null;
  readonly text: string;
  readonly left: number;
  readonly right: number;
  readonly canvasWidth: number;
}

/**
 * Records every `fillText` of the page's canvases with the box it fills: uPlot draws axis labels
 * on the canvas, out of the DOM's reach. Runs in the page before its scripts.
 */
function recordCanvasText(): void {
  const drawn: DrawnText[] = [];
  (window as unknown as { drawnText: DrawnText[] }).drawnText = drawn;
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, maxWidth?: number) {
    const width = this.measureText(text).width;
    const at = x + this.getTransform().e;
    const left = this.textAlign === 'right' || this.textAlign === 'end' ? at - width : this.textAlign === 'center' ? at - width / 2 : at;
    drawn.push({ chart: this.canvas.closest('[data-chart]')?.getAttribute('data-chart') ?? null, text, left, right: left + width, canvasWidth: this.canvas.width });
    return maxWidth === undefined ? fillText.call(this, text, x, y) : fillText.call(this, text, x, y, maxWidth);
  };
}

describe.skipIf(SKIP_BROWSER)('the dashboard of sixty skills and 177,000 invocations', () => {
  let server: RunningSkillsServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  /** Every skill, most invoked first, by the store. */
  let byInvocations: string[];
  /** The twenty most invoked. */
  let top: string[];

  const shownText = () => page.textContent('#skills-shown');

  beforeAll(async () => {
    server = await startSkillsServer({ settings: testSettings(tempDir()), host: '127.0.0.1', port: 0, logger: silentLogger });
    await server.app.service.apply({ inserts: manyInvocations() });
    byInvocations = (await server.app.service.store.skillStats()).sort((a, b) => b.invocations - a.invocations).map((s) => s.skillName);
    top = byInvocations.slice(0, 20);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the twenty most invoked skills, says how many of all, and each figure equals the store', async () => {
    await page.goto(`${server.url}/`);
    await page.locator('#skills-table tr[data-skill]').first().waitFor();
    expect(await rowSkills(page, '#skills-table')).toEqual(top);
    await expectStoreFigures(page, server.app.service.store, top);
    expect(await shownText()).toBe('Showing 20 of 60 skills');
    expect(await page.getAttribute('#skills-shown', 'aria-live')).toBe('polite');
    expect(await page.textContent('#show-all')).toBe('Show all 60 skills');
    await screenshot(page, 'overview-many');
  });

  it('shows all sixty on request, each row equal to the store, and back to twenty', async () => {
    await page.click('#show-all');
    await expect.poll(() => rowSkills(page, '#skills-table').then((rows) => rows.length)).toBe(60);
    await expectStoreFigures(page, server.app.service.store, MANY);
    expect(await shownText()).toBe('Showing 60 of 60 skills');
    expect(new URL(page.url()).hash).toBe('#/?show=all');
    expect(await page.textContent('#show-all')).toBe('Show the first 20');
    await page.click('#show-all');
    await expect.poll(() => rowSkills(page, '#skills-table')).toEqual(top);
    expect(new URL(page.url()).hash).toBe('#/');
  });

  it('narrows the table and the heat map to a filter, sorts within it, and keeps both in the address across a reload', async () => {
    const weather = MANY.filter((name) => name.startsWith('weather-'));
    // From the keyboard: into the box, then type (any case matches).
    await page.focus('#skill-filter');
    await page.keyboard.type('WEATHER');
    await expect.poll(shownText).toBe('Showing 10 of 10 skills matching “WEATHER” (60 in all)');
    await expectStoreFigures(page, server.app.service.store, weather);
    expect(await page.locator('#show-all').isHidden()).toBe(true);
    // Sorted by name within the filter: the heat map follows.
    await page.click('#skills-table th button:has-text("Skill")');
    await expect.poll(() => rowSkills(page, '#heatmap')).toEqual([...weather].sort());
    expect(await rowSkills(page, '#skills-table')).toEqual([...weather].sort());
    expect(new URL(page.url()).hash).toBe('#/?filter=WEATHER&sort=skill');
    await page.reload();
    await page.locator('#skills-table tr[data-skill]').first().waitFor();
    expect(await page.inputValue('#skill-filter')).toBe('WEATHER');
    expect(await rowSkills(page, '#skills-table')).toEqual([...weather].sort());
    expect(await page.getAttribute('#skills-table th[data-col="skill"]', 'aria-sort')).toBe('ascending');
    await expectStoreFigures(page, server.app.service.store, weather);
    // A shared link opened on a page already showing the overview: no reload needed.
    await page.evaluate(() => (location.hash = '#/?filter=-search&show=all'));
    const search = byInvocations.filter((n) => n.endsWith('-search'));
    await expect.poll(() => rowSkills(page, '#heatmap')).toEqual(search);
    await expectStoreFigures(page, server.app.service.store, search);
    expect(await page.inputValue('#skill-filter')).toBe('-search');
    await page.fill('#skill-filter', 'no-such-skill');
    await expect.poll(shownText).toBe('No skill matches “no-such-skill” (60 in all)');
    expect(await page.locator('#skills-table tr[data-skill], #heatmap tr[data-skill]').count()).toBe(0);
    await screenshot(page, 'overview-filtered-empty');
  });

  it('writes the value axis of a day of 100,000+ invocations compactly, inside the chart', async () => {
    const charts = await browser.context.newPage();
    try {
      await charts.addInitScript(recordCanvasText);
      await charts.goto(`${server.url}/`);
      const drawn = () => charts.evaluate(() => (window as unknown as { drawnText: DrawnText[] }).drawnText);
      await expect.poll(async () => (await drawn()).filter((d) => d.chart === 'invocations').map((d) => d.text)).toContain('100k');
      const labels = (await drawn()).filter((d) => d.chart !== null);
      expect(labels.filter((d) => d.chart === 'invocations' && /,/.test(d.text))).toEqual([]);
      // Every label of both charts, value and time axes alike, lies inside its canvas.
      expect(labels.filter((d) => d.left < 0 || d.right > d.canvasWidth)).toEqual([]);
    } finally {
      await charts.close();
    }
  });

  it('fits a phone, filter and all', async () => {
    const phone = await browser.context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${server.url}/#/?filter=stock`);
      await phone.locator('#skills-table tr[data-skill]').first().waitFor();
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(phone, 'overview-many-phone');
    } finally {
      await phone.close();
    }
  });
});

describe.skipIf(SKIP_BROWSER)('the dashboard of an empty store', () => {
  it('welcomes a first run, then shows the first invocation without a reload', async () => {
    const server = await startSkillsServer({ settings: testSettings(tempDir()), host: '127.0.0.1', port: 0, logger: silentLogger });
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${server.url}/`);
      await page.locator('[data-testid="first-run"]').waitFor();
      await screenshot(page, 'first-run');
      await server.app.service.apply({
        inserts: [{ ...history(1)[0]!, id: 'first', skillName: 'first-skill' }],
      });
      await page.locator('#skills-table tr[data-skill="first-skill"]').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-testid="first-run"]').count()).toBe(0);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe.skipIf(SKIP_BROWSER)('the dashboard of a server with a token', () => {
  it('opens once with ?token=, then forgets the token in the address and keeps working by cookie', async () => {
    const token = 'browser-token-0123456789abcdef';
    const server = await startSkillsServer({ settings: testSettings(tempDir()), host: '127.0.0.1', port: 0, token, logger: silentLogger });
    const browser = await launchBrowser();
    try {
      await server.app.service.apply({ inserts: history(20) });
      const page = await browser.context.newPage();
      const refused = await page.goto(`${server.url}/`);
      expect(refused?.status()).toBe(401);
      expect(await page.textContent('h1')).toContain('needs its token');
      await page.goto(`${server.url}/?token=${token}`);
      expect(page.url()).toBe(`${server.url}/`);
      await page.locator('#skills-table tr[data-skill]').first().waitFor();
      await page.reload();
      await page.locator('#skills-table tr[data-skill]').first().waitFor();
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe.skipIf(SKIP_BROWSER)('the dashboard of several projects', () => {
  it("picks among the token's projects, each with its own figures and live updates; all projects for an admin", async () => {
    const dir = tempDir();
    const team = 'team-token-0123456789abcdef';
    const admin = 'admin-token-0123456789abcdef';
    const tokens = [
      { token: team, grant: ProjectGrant.of(['alpha', 'beta']) },
      { token: admin, grant: ProjectGrant.ALL },
    ];
    const server = await startSkillsServer({ settings: testSettings(dir), host: '127.0.0.1', port: 0, tokens, logger: silentLogger });
    const browser = await launchBrowser();
    try {
      const alpha = server.app.serviceFor('alpha');
      const beta = server.app.serviceFor('beta');
      await alpha.apply({ inserts: history(40).map((r) => ({ ...r, id: `alpha-${r.id}` })) });
      await beta.apply({ inserts: history(12).map((r) => ({ ...r, id: `beta-${r.id}`, skillName: `beta-${r.skillName}` })) });
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => {
        throw error;
      });
      const picker = page.locator('[data-testid="project-picker"]');
      const options = () => picker.locator('option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]));

      // The team's token: its first project, and a picker of its two.
      await page.goto(`${server.url}/?token=${team}`);
      await page.locator('#skills-table tr[data-skill]').first().waitFor();
      await picker.waitFor();
      expect(await options()).toEqual([['alpha', 'alpha'], ['beta', 'beta']]);
      expect(await picker.inputValue()).toBe('alpha');
      expect(await page.getAttribute('[data-testid="total-invocations"]', 'data-value')).toBe('40');
      await expectStoreFigures(page, alpha.store);

      await picker.selectOption('beta');
      await page.waitForURL((url) => url.searchParams.get('project') === 'beta');
      await page.locator('#skills-table tr[data-skill^="beta-"]').first().waitFor();
      expect(await picker.inputValue()).toBe('beta');
      await expectStoreFigures(page, beta.store);
      await screenshot(page, 'project-picker');

      // Live updates of the project shown: tracked in beta over MCP with the team's token.
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
      const client = await SkillsMcpClient.connect({ url: `${server.url}/mcp`, token: team });
      try {
        await client.trackInvocation({ skill_name: 'beta-live-skill', session_id: 'live', user_query: 'new in beta', project: 'beta' });
      } finally {
        await client.close();
      }
      await page.locator('#skills-table tr[data-skill="beta-live-skill"]').waitFor({ timeout: 15_000 });
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

      // A link to a project the token does not reach: the page says so, and the picker offers the others.
      await page.goto(`${server.url}/?project=gamma`);
      await expect.poll(() => page.textContent('[data-testid="error"]')).toBe('project "gamma" is not allowed for this token');
      await picker.waitFor();
      expect(await options()).toEqual([['alpha', 'alpha'], ['beta', 'beta']]);
      await picker.selectOption('alpha');
      await page.waitForURL((url) => url.searchParams.get('project') === 'alpha');
      await page.locator('#skills-table tr[data-skill]').first().waitFor();
      expect(await page.locator('[data-testid="error"]').isHidden()).toBe(true);

      // The admin's token: every project holding data, the server's own, and all of them together.
      await page.goto(`${server.url}/?token=${admin}`);
      await picker.waitFor();
      expect(await options()).toEqual([['alpha', 'alpha'], ['beta', 'beta'], ['default', 'default'], ['*', 'All projects']]);
      await picker.selectOption('*');
      await page.waitForURL((url) => url.searchParams.get('project') === '*');
      const total = (await alpha.store.countInvocations()) + (await beta.store.countInvocations());
      await expect.poll(() => page.getAttribute('[data-testid="total-invocations"]', 'data-value')).toBe(String(total));
      await expectStoreFigures(page, server.app.service.allProjects);
      await screenshot(page, 'all-projects');
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
