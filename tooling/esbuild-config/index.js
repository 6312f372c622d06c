// What the bundle scripts of the `skills` and `skills-hook` commands share. A one-shot command
// spends more of its time having Node resolve and load a few hundred workspace and library files
// than doing its work; a bundle loads in a few reads. Each script calls esbuild itself (it is
// their dev dependency): this module holds options and helpers only.
import { rmSync } from 'node:fs';

/**
 * Modules no bundle takes in: better-sqlite3 (a compiled addon), the optional transformer
 * embedder with its native parts, and undici (CommonJS that @skills/mcp-client imports on demand:
 * see {@link checkDynamicImports}). A module kept outside resolves from the bundle's folder: the
 * package must depend on those it needs.
 */
export const EXTERNAL = ['better-sqlite3', '@huggingface/transformers', 'onnxruntime-node', 'sharp', 'undici'];

/** Bundled CommonJS modules call require(); an ES module has none of its own. */
export const REQUIRE_BANNER = {
  js: "import { createRequire as __skillsRequire } from 'node:module'; const require = __skillsRequire(import.meta.url);",
};

/** esbuild options of an ES module bundle for Node; the metafile is always on, for the checks. */
export const NODE_BUNDLE = {
  metafile: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
};

/** Removes the previous build's folders: chunk names carry content hashes. */
export function removeFolders(...paths) {
  for (const path of paths) rmSync(path, { recursive: true, force: true });
}

/**
 * With `--sizes` among the script's arguments, prints what each output file of the builds holds,
 * largest inputs first.
 */
export function printSizesIfAsked(...metafiles) {
  if (!process.argv.includes('--sizes')) return;
  for (const metafile of metafiles) {
    for (const [file, out] of Object.entries(metafile.outputs)) {
      const top = Object.entries(out.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 8);
      console.log(file, out.bytes, top.map(([k, v]) => `${k.replace(/.*node_modules\//, '')} ${v.bytesInOutput}`).join(', '));
    }
  }
}

/**
 * Throws when an output that a dynamic `import()` loads is a bundled CommonJS module: split into
 * a chunk, it exports only `default`, so `const { request } = await import('undici')` gets
 * undefined where Node would have given the named export. Such a module must stay outside.
 */
export function checkDynamicImports(metafile) {
  const commonJs = Object.entries(metafile.outputs).filter(
    ([, out]) => out.entryPoint !== undefined && metafile.inputs[out.entryPoint]?.format === 'cjs',
  );
  if (commonJs.length > 0) {
    const names = commonJs.map(([file, out]) => `${out.entryPoint} (${file})`).join(', ');
    throw new Error(`dynamically imported CommonJS modules lose their named exports in a chunk; keep them external: ${names}`);
  }
}
