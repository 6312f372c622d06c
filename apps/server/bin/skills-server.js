#!/usr/bin/env node
// The installed `skills-server` command. This file is committed, not built: pnpm links a workspace
// package's bin when it installs, before any build, and warns when the target does not exist yet.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(`skills-server: ${fileURLToPath(entry)} is missing: build it first (pnpm build)\n`);
  process.exit(1);
}
await import(entry.href);
