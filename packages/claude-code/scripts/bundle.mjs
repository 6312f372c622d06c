#!/usr/bin/env node
// Bundles the `skills-hook` command into dist/bin/skills-hook.mjs. A hook starts a process per
// tool call, and Node resolving and loading a few hundred workspace and library files costs
// more than the work; a bundle loads in one read. What only some events need (the SQLite store,
// the server client, the recommender) sits in chunks imported on first use. Native and optional
// modules stay outside: better-sqlite3 (a compiled addon) and the transformer embedder.
import { chmodSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// Chunk names carry content hashes: drop the previous build's.
rmSync(`${root}dist/bin/chunks`, { recursive: true, force: true });

const result = await build({
  // `node scripts/bundle.mjs --sizes` prints what each output file holds, largest inputs first.
  metafile: process.argv.includes('--sizes'),
  absWorkingDir: root,
  entryPoints: ['src/bin/skills-hook.ts'],
  outdir: 'dist/bin',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  external: ['better-sqlite3', '@huggingface/transformers', 'onnxruntime-node', 'sharp'],
  // Bundled CommonJS modules call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __skillsRequire } from 'node:module'; const require = __skillsRequire(import.meta.url);" },
});
chmodSync(`${root}dist/bin/skills-hook.mjs`, 0o755);
if (result.metafile) {
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    const top = Object.entries(out.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 8);
    console.log(file, out.bytes, top.map(([k, v]) => k.replace(/.*node_modules\//, '') + ' ' + v.bytesInOutput).join(', '));
  }
}
