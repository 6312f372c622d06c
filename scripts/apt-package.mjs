// Installs a Debian package that tests need, with apt-get, when the file it provides is missing
// (as root, or with sudo that asks no password); otherwise exits 1 saying why and what to do.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * @param {{ name: string, file: string, neededBy: string, otherwise: string }} wanted
 *   `name` the package, `file` what it installs (its presence means installed), `neededBy` who
 *   needs it ("the dashboard's browser tests"), `otherwise` the lines that say how to do without.
 */
export function ensureDebianPackage({ name, file, neededBy, otherwise }) {
  if (existsSync(file)) return;
  const fail = (why) => {
    console.error(
      `${neededBy} need Debian's ${name} package (${file}), and ${why}.\n` +
        `Install it with: sudo apt-get install -y --no-install-recommends ${name}\n${otherwise}`,
    );
    process.exit(1);
  };
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) fail('this machine has no apt-get to install it with');
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!asRoot && !sudo) fail('installing it needs root (or sudo without a password)');

  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => {
    const [program, ...rest] = sudo ? ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', ...args] : args;
    console.log(`$ ${args.join(' ')}`);
    return spawnSync(program, rest, { stdio: 'inherit', env }).status === 0;
  };
  const install = ['apt-get', 'install', '-y', '-q', '--no-install-recommends', name];
  console.log(`Installing Debian's ${name} for ${neededBy} (once per machine)...`);
  // A fresh machine's package lists may not know it, or know a version no longer served: update
  // them and try again.
  if (!run(install) && !(run(['apt-get', 'update', '-q']) && run(install))) fail(`\`${install.join(' ')}\` failed`);
  if (!existsSync(file)) fail(`apt-get installed ${name}, but ${file} is still missing`);
}
