import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { delimiter, relative } from 'node:path';

/**
 * The environment of a user's shell on this machine: without the variables pnpm and turbo set
 * for the scripts they run (`npm_config_*`, `npm_package_*`, ...: they would steer the scratch
 * project's npm like the workspace's; `NODE_PATH`, set by pnpm's bin shims to the workspace's
 * hoisted modules, would let an installed package load one it does not depend on), without the
 * `PATH` entries inside `workspace` (its `node_modules/.bin` folders hold a linked `skills`) and
 * without the developer's `SKILLS_*` settings.
 * npm's `nodedir` is kept as the machine's npm configuration sets it: node-gyp compiles
 * better-sqlite3 against those headers, since its download of them cannot be reached here.
 */
export function userEnv(workspace: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|turbo_|skills_|crackerjack_skills_|vitest|node_options$|node_path$|init_cwd$)/i.test(key)) env[key] = value;
  }
  env['PATH'] = (env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && relative(workspace, dir).startsWith('..'))
    .join(delimiter);
  // Asked from outside the workspace, so that only the user and global npm configuration answer.
  const nodedir = execFileSync('npm', ['config', 'get', 'nodedir'], { cwd: tmpdir(), env, encoding: 'utf8' }).trim();
  if (nodedir !== '' && nodedir !== 'undefined' && nodedir !== 'null') env['npm_config_nodedir'] = nodedir;
  return env;
}
