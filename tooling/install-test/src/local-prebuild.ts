import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Offers better-sqlite3's install script (prebuild-install) in `project` the binary the workspace
 * built, as a user's machine gets it: a prebuilt binary for this Node ABI and platform. A user's
 * npm downloads it from GitHub; this machine cannot reach GitHub, so npm would compile the driver
 * from source instead (about a minute of both cores on every test run). The binary is handed over
 * the way prebuild-install documents for local prebuilds: a `.prebuild-installrc` in the project
 * naming a folder that holds `better-sqlite3-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`
 * (an rc file, not an `npm_config_*` variable, which npm 11 warns about). The install script still
 * runs (the project must allow it) and loads the binary before it accepts it. When npm resolves a
 * version other than the workspace's, no tarball has its name, and npm compiles from source as before.
 *
 * @param workspace the repository root (its store-sqlite package holds the built driver)
 * @param project the scratch project npm installs into
 * @param folder where the tarball is written
 * @returns the better-sqlite3 version the binary is for: npm takes it only when it installs that version
 */
export function offerLocalPrebuild(workspace: string, project: string, folder: string): string {
  const fromStore = createRequire(join(workspace, 'packages', 'store-sqlite', 'package.json'));
  const driver = dirname(fromStore.resolve('better-sqlite3/package.json'));
  const { version } = JSON.parse(readFileSync(join(driver, 'package.json'), 'utf8')) as { version: string };
  // prebuild-install's default name (its `urlTemplate`); glibc Linux has no libc part.
  const file = join(folder, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`);
  mkdirSync(folder, { recursive: true });
  execFileSync('tar', ['-czf', file, '-C', driver, 'build/Release/better_sqlite3.node']);
  writeFileSync(join(project, '.prebuild-installrc'), `${JSON.stringify({ 'local-prebuilds': folder })}\n`);
  return version;
}
