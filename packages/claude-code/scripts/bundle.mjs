#!/usr/bin/env node
// Bundles the `skills-hook` command. A hook starts a process per tool call, and Node resolving
// and loading a few hundred workspace and library files costs more than the work; a bundle loads
// in one read. Two builds:
// - dist/bin/skills-hook.mjs: the entry and the tool events' fast path, one file that imports
//   nothing but Node's own modules (checked below): PreToolUse and PostToolUse load only it.
// - dist/bin/lib/: the full path (settings, validation, store, server client, recommender), which
//   the entry imports when an event needs it; what only some events need sits in chunks
//   imported on first use.
// What stays outside resolves from this package's folder: better-sqlite3, undici, and `yaml`,
// which the settings reader requires on demand, are its dependencies; the transformer embedder
// an optional peer.
import { chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkDynamicImports, EXTERNAL, NODE_BUNDLE, printSizesIfAsked, removeFolders, REQUIRE_BANNER } from '@skills/esbuild-config';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
removeFolders(`${root}dist/bin/lib`, `${root}dist/bin/chunks`);

const common = {
  ...NODE_BUNDLE,
  absWorkingDir: root,
  outExtension: { '.js': '.mjs' },
  minify: true,
  legalComments: 'none',
};

/** The modules of the full path, as the entry imports them, and where they are built. */
const FULL_PATH = { '../command.js': './lib/command.mjs', '../settings-snippet.js': './lib/settings-snippet.mjs' };

const full = await build({
  ...common,
  entryPoints: { command: 'src/command.ts', 'settings-snippet': 'src/settings-snippet.ts' },
  outdir: 'dist/bin/lib',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  external: EXTERNAL,
  banner: REQUIRE_BANNER,
});
checkDynamicImports(full.metafile);

const entry = await build({
  ...common,
  entryPoints: ['src/bin/skills-hook.ts'],
  outdir: 'dist/bin',
  plugins: [
    {
      name: 'full-path-outside',
      setup(b) {
        b.onResolve({ filter: /^\.\.\/(command|settings-snippet)\.js$/ }, (args) => ({ path: FULL_PATH[args.path], external: true }));
      },
    },
  ],
});
chmodSync(`${root}dist/bin/skills-hook.mjs`, 0o755);

const entryOutput = entry.metafile.outputs['dist/bin/skills-hook.mjs'];
const stray = entryOutput.imports.filter((i) => !i.path.startsWith('node:') && !(i.kind === 'dynamic-import' && Object.values(FULL_PATH).includes(i.path)));
if (stray.length > 0) throw new Error(`dist/bin/skills-hook.mjs must load only Node's modules up front; it imports ${stray.map((i) => i.path).join(', ')}`);

// `node scripts/bundle.mjs --sizes` prints what each output file holds.
printSizesIfAsked(entry.metafile, full.metafile);
