#!/usr/bin/env node
// The installed `skills-hook` command. This file is committed, not built: pnpm links a workspace
// package's bin when it installs, before any build, and warns when the target does not exist yet.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bin/skills-hook.mjs', import.meta.url);
if (!existsSync(entry)) {
  // A hook must never fail Claude Code (any exit code but 0 shows a hook error): say it and go.
  process.stderr.write(`skills-hook: ${fileURLToPath(entry)} is missing: build it first (pnpm build)\n`);
  process.exit(0);
}
await import(entry.href);
