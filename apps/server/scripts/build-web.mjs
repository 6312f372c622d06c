#!/usr/bin/env node
// Bundles the dashboard page: web/src/main.ts → dist/web/app.js, web/style.css + uPlot's CSS →
// dist/web/app.css, web/index.html → dist/web/index.html. Everything the page loads is served by
// the server itself (no CDN, no web fonts).
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const webDir = fileURLToPath(new URL('../web/', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/web/', import.meta.url));

await mkdir(outDir, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  sourcemap: false,
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
};

await build({
  ...common,
  entryPoints: [`${webDir}src/main.ts`],
  outfile: `${outDir}app.js`,
  format: 'esm',
  platform: 'browser',
  tsconfig: `${webDir}tsconfig.json`,
});

await build({
  ...common,
  stdin: {
    // uPlot's stylesheet first, so the page's own rules win.
    contents: '@import "uplot/dist/uPlot.min.css";\n@import "./style.css";\n',
    resolveDir: webDir,
    sourcefile: 'app.css',
    loader: 'css',
  },
  outfile: `${outDir}app.css`,
  external: [],
});

await copyFile(`${webDir}index.html`, `${outDir}index.html`);

const size = async (name) => `${name} ${((await stat(`${outDir}${name}`)).size / 1024).toFixed(1)} KiB`;
console.log(`build-web: dist/web/ ${(await Promise.all(['app.js', 'app.css', 'index.html'].map(size))).join(', ')}`);
