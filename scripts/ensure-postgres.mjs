#!/usr/bin/env node
// The PostgreSQL store's tests run against a real server, never a mock: a throwaway cluster of
// Debian's postgresql-15, which this installs with apt-get when it is missing, as `pnpm test`
// runs it first. SKILLS_TEST_POSTGRES_URL points the tests at an existing server instead (then
// nothing is installed). Set SKILLS_SKIP_POSTGRES_TESTS=1 to go on without it: the PostgreSQL
// tests are then skipped, each saying why.
import { ensureDebianPackage } from './apt-package.mjs';

if (process.env.SKILLS_TEST_POSTGRES_URL) {
  console.log('PostgreSQL tests use SKILLS_TEST_POSTGRES_URL: postgresql-15 is not checked');
} else if (process.env.SKILLS_SKIP_POSTGRES_TESTS === '1') {
  console.log('PostgreSQL not checked (SKILLS_SKIP_POSTGRES_TESTS=1): its tests will be skipped');
} else {
  ensureDebianPackage({
    name: 'postgresql-15',
    file: '/usr/lib/postgresql/15/bin/initdb',
    neededBy: "The PostgreSQL store's tests",
    otherwise:
      'or point the tests at a server: SKILLS_TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST:PORT/postgres pnpm test\n' +
      'or skip them: SKILLS_SKIP_POSTGRES_TESTS=1 pnpm test',
  });
}
