import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { NotAvailableError } from '@skills/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder, type EmbedderSettings } from './create-embedder.js';
import { LexicalEmbedder } from './lexical/lexical-embedder.js';
import { memoryLogger, tempDir } from './test-support/temp.js';
import { writeTinyBert } from './test-support/tiny-bert.js';
import { loadTransformers, TransformerEmbedder } from './transformer/transformer-embedder.js';

const packageDir = join(import.meta.dirname, '..');

/** Runs an ES module in a fresh Node process (from this package's folder, the built entry as `ENTRY`); its stdout parsed as JSON. */
function runFresh(source: string): unknown {
  const child = spawnSync(process.execPath, ['--input-type=module', '-'], {
    cwd: packageDir,
    input: source.replaceAll('ENTRY', JSON.stringify(join(packageDir, 'dist/index.js'))),
    encoding: 'utf8',
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout);
}

const base: EmbedderSettings = {
  embedder: 'auto',
  embeddingModel: 'Xenova/all-MiniLM-L6-v2',
  modelPath: null,
  allowModelDownload: false,
};
let modelPath: string;

beforeAll(async () => {
  // An empty library cache: the default model is certainly not "on this machine". (Loaded
  // through the embedder's module, whose model search then reads the library's env.)
  await loadTransformers();
  env.cacheDir = tempDir();
  modelPath = writeTinyBert(join(tempDir(), 'tiny-bert')).folder;
});

describe('createEmbedder', () => {
  it('lexical always works', async () => {
    expect(await createEmbedder({ ...base, embedder: 'lexical' })).toBeInstanceOf(LexicalEmbedder);
  });

  it('transformer loads the model from modelPath', async () => {
    const embedder = await createEmbedder({ ...base, embedder: 'transformer', modelPath });
    expect(embedder).toBeInstanceOf(TransformerEmbedder);
    expect(embedder.kind).toBe('dense');
  });

  it('transformer fails clearly when the model is absent and downloads are off', async () => {
    const attempt = createEmbedder({ ...base, embedder: 'transformer' });
    await expect(attempt).rejects.toBeInstanceOf(NotAvailableError);
    await expect(attempt).rejects.toThrow(/allowModelDownload/);
  });

  it('auto takes the transformer when its model is local, and says so once', async () => {
    const logger = memoryLogger();
    const first = await createEmbedder({ ...base, modelPath }, logger);
    const second = await createEmbedder({ ...base, modelPath }, logger);
    expect(first).toBeInstanceOf(TransformerEmbedder);
    expect(second.id).toBe(first.id);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^info: embedder: transformer\/local:tiny-bert.*model found in/);
  });

  it('auto falls back to lexical when the model is not local, and says why', async () => {
    const logger = memoryLogger();
    const embedder = await createEmbedder(base, logger);
    expect(embedder).toBeInstanceOf(LexicalEmbedder);
    expect(logger.lines.join('\n')).toMatch(/embedder: lexical\/.*Xenova\/all-MiniLM-L6-v2 is not on this machine/);
  });

  // A fresh process each: this one has loaded the library and changed its env.
  it('auto looks for an absent model without loading the library or its runtime', () => {
    const result = runFresh(`
      import { createRequire } from 'node:module';
      import { createEmbedder } from ENTRY;
      const quiet = { debug() {}, info() {}, warn() {}, error() {} };
      const embedder = await createEmbedder({ embedder: 'auto', embeddingModel: 'no-such/model', modelPath: null, allowModelDownload: false }, quiet);
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => /onnxruntime|@huggingface/.test(file));
      console.log(JSON.stringify({ id: embedder.id, loaded }));
    `);
    expect(result).toEqual({ id: new LexicalEmbedder().id, loaded: [] });
  });

  it("reads the library's model folders before loading it exactly as the library sets them", () => {
    const result = runFresh(`
      import { libraryFolders } from ENTRY;
      const before = await libraryFolders();
      const { env } = await import('@huggingface/transformers');
      console.log(JSON.stringify({ before, env: { cacheDir: env.cacheDir, localModelPath: env.localModelPath } }));
    `) as { before: unknown; env: unknown };
    expect(result.before).toEqual(result.env);
  });
});
