#!/usr/bin/env node
// The dashboard's end-to-end tests drive Debian's Chromium (never a downloaded browser): this
// installs it with apt-get when it is missing, as `pnpm test` runs it first. Set
// SKILLS_SKIP_BROWSER_TESTS=1 to run the other tests on a machine where it cannot be installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

if (process.env.SKILLS_SKIP_BROWSER_TESTS === '1') {
  console.log('browser tests skipped (SKILLS_SKIP_BROWSER_TESTS=1): Chromium is not checked');
  process.exit(0);
}
if (existsSync(CHROMIUM)) process.exit(0);

const fail = (why) => {
  console.error(
    `The dashboard's browser tests need Debian's chromium package at ${CHROMIUM}, and ${why}.\n` +
      'Install it with: sudo apt-get install -y --no-install-recommends chromium\n' +
      'or run the other tests only with: SKILLS_SKIP_BROWSER_TESTS=1 pnpm test',
  );
  process.exit(1);
};

const hasAptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!hasAptGet) fail('this machine has no apt-get to install it with');
const asRoot = process.getuid?.() === 0;
const sudo = !asRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (!asRoot && !sudo) fail('installing it needs root (or sudo without a password)');

const run = (args) => {
  const command = sudo ? ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', ...args] : args;
  console.log(`$ ${args.join(' ')}`);
  const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) fail(`\`${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`);
};
console.log("Installing Debian's chromium for the dashboard's browser tests (once per machine)...");
run(['apt-get', 'update', '-q']);
run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'chromium']);
if (!existsSync(CHROMIUM)) fail(`apt-get installed chromium, but ${CHROMIUM} is still missing`);
