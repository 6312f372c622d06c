import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { NotAvailableError } from '@skills/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder, type EmbedderSettings } from './create-embedder.js';
import { LexicalEmbedder } from './lexical/lexical-embedder.js';
import { memoryLogger, tempDir } from './test-support/temp.js';
import { writeTinyBert } from './test-support/tiny-bert.js';
import { TransformerEmbedder } from './transformer/transformer-embedder.js';

const base: EmbedderSettings = {
  embedder: 'auto',
  embeddingModel: 'Xenova/all-MiniLM-L6-v2',
  modelPath: null,
  allowModelDownload: false,
};
let modelPath: string;

beforeAll(() => {
  // An empty library cache: the default model is certainly not "on this machine".
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
});
