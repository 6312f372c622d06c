#!/usr/bin/env node
// Bundles the `skills-hook` command. A hook starts a process per tool call, and Node resolving
// and loading a few hundred workspace and library files costs more than the work; a bundle loads
// in one read. Two builds:
// - dist/bin/skills-hook.mjs: the entry and the tool events' fast path, one file that imports
//   nothing but Node's own modules (checked below): PreToolUse and PostToolUse load only it.
// - dist/bin/lib/: the full path (settings, validation, store, server client, recommender), which
//   the entry imports when an event needs it; what only some events need sits in chunks
//   imported on first use.
// Native and optional modules stay outside: better-sqlite3 (a compiled addon) and the
// transformer embedder.
import { chmodSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// Chunk names carry content hashes: drop the previous build's.
rmSync(`${root}dist/bin/lib`, { recursive: true, force: true });
rmSync(`${root}dist/bin/chunks`, { recursive: true, force: true });

const common = {
  // Always on: the entry's imports are checked from it.
  metafile: true,
  absWorkingDir: root,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

/** The modules of the full path, as the entry imports them, and where they are built. */
const FULL_PATH = { '../command.js': './lib/command.mjs', '../settings-snippet.js': './lib/settings-snippet.mjs' };

const full = await build({
  ...common,
  entryPoints: { command: 'src/command.ts', 'settings-snippet': 'src/settings-snippet.ts' },
  outdir: 'dist/bin/lib',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  external: ['better-sqlite3', '@huggingface/transformers', 'onnxruntime-node', 'sharp'],
  // Bundled CommonJS modules call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __skillsRequire } from 'node:module'; const require = __skillsRequire(import.meta.url);" },
});

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

// `node scripts/bundle.mjs --sizes` prints what each output file holds, largest inputs first.
if (process.argv.includes('--sizes')) {
  for (const [file, out] of [...Object.entries(entry.metafile.outputs), ...Object.entries(full.metafile.outputs)]) {
    const top = Object.entries(out.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 8);
    console.log(file, out.bytes, top.map(([k, v]) => k.replace(/.*node_modules\//, '') + ' ' + v.bytesInOutput).join(', '));
  }
}
