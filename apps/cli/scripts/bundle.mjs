#!/usr/bin/env node
// Bundles the `skills` command (as scripts/bundle.mjs bundles `skills-hook` in
// @skills/claude-code). A one-shot command loaded about 500 ES modules (kysely 263, zod 95):
// resolving and linking them cost more CPU than a small store's answer.
// dist/bin.js (built from src/bin.ts, replacing tsc's) holds the dispatcher and every command's
// spec; each command's implementation and what only it needs sit in dist/chunks/, imported on use.
// Kept outside, and so dependencies of this package (the transformer embedder an optional peer):
// @skills/esbuild-config's EXTERNAL, pg (its optional pg-native), yaml (the settings reader
// requires it on demand) and @skills/server (`skills serve` runs it as its own process; its
// dashboard files sit next to it).
// dist/bundle-meta.json (not packed) says which sources each output holds: start-cost.test.ts
// reads it to tell which modules a command loaded.
import { chmodSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkDynamicImports, EXTERNAL, NODE_BUNDLE, printSizesIfAsked, removeFolders, REQUIRE_BANNER } from '@skills/esbuild-config';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
removeFolders(`${root}dist/chunks`);

const { metafile } = await build({
  ...NODE_BUNDLE,
  absWorkingDir: root,
  entryPoints: { bin: 'src/bin.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  external: [...EXTERNAL, 'pg', 'yaml', '@skills/server'],
  banner: REQUIRE_BANNER,
});
checkDynamicImports(metafile);
chmodSync(`${root}dist/bin.js`, 0o755);
writeFileSync(`${root}dist/bundle-meta.json`, JSON.stringify(metafile));

// `node scripts/bundle.mjs --sizes` prints what each output file holds.
printSizesIfAsked(metafile);
