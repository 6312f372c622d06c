#!/usr/bin/env node
// The PostgreSQL store's tests run against a real server, never a mock: a throwaway cluster of
// Debian's postgresql-15, which this installs with apt-get when it is missing, as `pnpm test`
// runs it first. SKILLS_TEST_POSTGRES_URL points the tests at an existing server instead (then
// nothing is installed). Set SKILLS_SKIP_POSTGRES_TESTS=1 to go on without it: the PostgreSQL
// tests are then skipped, each saying why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const INITDB = '/usr/lib/postgresql/15/bin/initdb';
const PACKAGE = 'postgresql-15';

if (process.env.SKILLS_TEST_POSTGRES_URL) {
  console.log('PostgreSQL tests use SKILLS_TEST_POSTGRES_URL: postgresql-15 is not checked');
  process.exit(0);
}
if (process.env.SKILLS_SKIP_POSTGRES_TESTS === '1') {
  console.log('PostgreSQL not checked (SKILLS_SKIP_POSTGRES_TESTS=1): its tests will be skipped');
  process.exit(0);
}
if (existsSync(INITDB)) process.exit(0);

const fail = (why) => {
  console.error(
    `The PostgreSQL store's tests need Debian's ${PACKAGE} package (${INITDB}), and ${why}.\n` +
      `Install it with: sudo apt-get install -y --no-install-recommends ${PACKAGE}\n` +
      'or point the tests at a server: SKILLS_TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST:PORT/postgres pnpm test\n' +
      'or skip them: SKILLS_SKIP_POSTGRES_TESTS=1 pnpm test',
  );
  process.exit(1);
};

const hasAptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!hasAptGet) fail('this machine has no apt-get to install it with');
const asRoot = process.getuid?.() === 0;
const sudo = !asRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (!asRoot && !sudo) fail('installing it needs root (or sudo without a password)');

const command = (args) => (sudo ? ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', ...args] : args);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args, { quiet = false } = {}) => {
  const [program, ...rest] = command(args);
  if (!quiet) console.log(`$ ${args.join(' ')}`);
  return spawnSync(program, rest, { stdio: quiet ? 'ignore' : 'inherit', env }).status === 0;
};
const install = ['apt-get', 'install', '-y', '-q', '--no-install-recommends', PACKAGE];

console.log(`Installing Debian's ${PACKAGE} for the PostgreSQL store's tests (once per machine)...`);
// The package lists may not know it yet on a fresh machine: update them, then try again.
const known = spawnSync('apt-cache', ['show', PACKAGE], { stdio: 'ignore' }).status === 0;
if (!known && !run(['apt-get', 'update', '-q'])) fail('`apt-get update -q` failed');
if (!run(install)) fail(`\`${install.join(' ')}\` failed`);
if (!existsSync(INITDB)) fail(`apt-get installed ${PACKAGE}, but ${INITDB} is still missing`);
