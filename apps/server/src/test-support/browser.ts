import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium: `pnpm test` installs it first (scripts/ensure-chromium.mjs); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots go: `artifacts/dashboard/` at the repository's top, kept by CI as artifacts. */
export const SCREENSHOTS = fileURLToPath(new URL('../../../../artifacts/dashboard/', import.meta.url));

/** Set to run every test but the browser ones, where Chromium cannot be installed. */
export const SKIP_BROWSER = process.env.SKILLS_SKIP_BROWSER_TESTS === '1';

/**
 * Headless Chromium with a fresh profile, and without the background traffic (updates, sync,
 * safe browsing) that this machine's closed network would refuse.
 */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'skills-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as `artifacts/dashboard/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
