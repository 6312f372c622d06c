#!/usr/bin/env node
// The dashboard's end-to-end tests drive Debian's Chromium (never a downloaded browser): this
// installs it with apt-get when it is missing, as `pnpm test` runs it first. Set
// SKILLS_SKIP_BROWSER_TESTS=1 to run the other tests on a machine where it cannot be installed.
import { ensureDebianPackage } from './apt-package.mjs';

if (process.env.SKILLS_SKIP_BROWSER_TESTS === '1') {
  console.log('browser tests skipped (SKILLS_SKIP_BROWSER_TESTS=1): Chromium is not checked');
} else {
  ensureDebianPackage({
    name: 'chromium',
    file: '/usr/bin/chromium',
    neededBy: "The dashboard's browser tests",
    otherwise: 'or run the other tests only with: SKILLS_SKIP_BROWSER_TESTS=1 pnpm test',
  });
}
