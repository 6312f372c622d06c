import { cpSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { NotAvailableError } from '@skills/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp.js';
import { writeTinyBert, type TinyBert } from '../test-support/tiny-bert.js';
import { norm } from '../vector.js';
import { locateTransformerModel, TransformerEmbedder } from './transformer-embedder.js';

let tiny: TinyBert;
beforeAll(() => {
  tiny = writeTinyBert(join(tempDir(), 'tiny-bert'));
});

describe('TransformerEmbedder on a generated tiny BERT, offline', () => {
  it('embeds texts into unit vectors of the model hidden size', async () => {
    const embedder = await TransformerEmbedder.load({ modelPath: tiny.folder });
    expect(embedder.kind).toBe('dense');
    expect(embedder.dimensions).toBe(tiny.hiddenSize);
    expect(embedder.id).toMatch(/^transformer\/local:tiny-bert:[0-9a-z]+\/q8\/v1$/);
    const vectors = await embedder.embed(['run the failing tests', 'fix type errors', 'deploy']);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v.values).toHaveLength(tiny.hiddenSize);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(Array.from(vectors[0]!.values)).not.toEqual(Array.from(vectors[1]!.values));
  });

  it('gives the same vector for a text whether it is batched with longer texts or alone', async () => {
    const texts = [
      'fix',
      'run the pytest suite and fix the failing unit tests in the python code',
      'check types with mypy',
      'write docs',
      'lint the code and review it',
    ];
    const batched = await (await TransformerEmbedder.load({ modelPath: tiny.folder, batchSize: 8, cacheSize: 0 })).embed(texts);
    const single = await TransformerEmbedder.load({ modelPath: tiny.folder, batchSize: 1, cacheSize: 0 });
    for (const [i, text] of texts.entries()) {
      const [alone] = await single.embed([text]);
      const a = Array.from(alone!.values);
      Array.from(batched[i]!.values).forEach((x, j) => expect(x).toBeCloseTo(a[j]!, 5));
    }
  });

  it('runs the fp32 weights when quantized is false, close to the 8-bit ones', async () => {
    const q8 = await TransformerEmbedder.load({ modelPath: tiny.folder });
    const fp32 = await TransformerEmbedder.load({ modelPath: tiny.folder, quantized: false });
    expect(fp32.id).toMatch(/\/fp32\/v1$/);
    const [a] = await q8.embed(['review the code']);
    const [b] = await fp32.embed(['review the code']);
    let cosine = 0;
    a!.values.forEach((x, i) => (cosine += x * b!.values[i]!));
    expect(cosine).toBeGreaterThan(0.95);
    expect(cosine).toBeLessThan(1);
  });

  it('loads a model once per process: a second load reads no file', async () => {
    const folder = join(tempDir(), 'moving-bert');
    writeTinyBert(folder);
    const first = await TransformerEmbedder.load({ modelPath: folder });
    const [before] = await first.embed(['build the code']);
    renameSync(folder, `${folder}-gone`);
    const second = await TransformerEmbedder.load({ modelPath: folder });
    expect(second.id).toBe(first.id);
    const [after] = await second.embed(['build the code']);
    expect(Array.from(after!.values)).toEqual(Array.from(before!.values));
  });

  it('answers repeated texts from its cache of recent vectors', async () => {
    const embedder = await TransformerEmbedder.load({ modelPath: tiny.folder });
    const first = await embedder.embed(['lint the code', 'write docs', 'lint the code']);
    expect(embedder.stats).toEqual({ computed: 2, cached: 0 });
    const again = await embedder.embed(['write docs', 'lint the code']);
    expect(embedder.stats).toEqual({ computed: 2, cached: 2 });
    expect(again[0]).toBe(first[1]);
    expect(again[1]).toBe(first[0]);
  });

  it("finds a model by id in the library's file cache, offline", async () => {
    const cacheDir = tempDir();
    cpSync(tiny.folder, join(cacheDir, 'test-org', 'tiny-bert'), { recursive: true });
    const where = await locateTransformerModel({ model: 'test-org/tiny-bert', cacheDir });
    expect(where).toMatchObject({ ref: 'test-org/tiny-bert', source: 'cache' });
    const embedder = await TransformerEmbedder.load({ model: 'test-org/tiny-bert', cacheDir });
    expect(embedder.id).toBe('transformer/test-org/tiny-bert/q8/v1');
    const [v] = await embedder.embed(['type check']);
    expect(norm(v!)).toBeCloseTo(1, 5);
  });

  it('refuses clearly, without downloading, when the model is not on this machine', async () => {
    const cacheDir = tempDir();
    const attempt = TransformerEmbedder.load({ model: 'nobody/absent-model', cacheDir });
    await expect(attempt).rejects.toBeInstanceOf(NotAvailableError);
    await expect(attempt).rejects.toThrow(/not on this machine and downloads are off/);
    await expect(TransformerEmbedder.load({ modelPath: join(cacheDir, 'empty') })).rejects.toThrow(/No transformer model in/);
  });
});
