import { describe, expect, it } from 'vitest';
import { SparseIndex } from '../index/sparse-index.js';
import { dot, norm, sparseVector } from '../vector.js';
import { hash32 } from './hash.js';
import { LexicalEmbedder, lexicalFeatures } from './lexical-embedder.js';

const embedder = new LexicalEmbedder();
const sim = (a: string, b: string) => dot(embedder.embedOne(a), embedder.embedOne(b));

describe('LexicalEmbedder', () => {
  it('makes unit-length sparse vectors with ascending indices inside its space', async () => {
    const [v] = await embedder.embed(['Run the PyTest suite for the async handlers']);
    expect(v!.kind).toBe('sparse');
    expect(norm(v!)).toBeCloseTo(1, 6);
    for (let i = 1; i < v!.indices.length; i++) expect(v!.indices[i]!).toBeGreaterThan(v!.indices[i - 1]!);
    expect(Math.max(...v!.indices)).toBeLessThan(embedder.dimensions);
  });

  it('is deterministic, and its id names its options', async () => {
    const [a] = await embedder.embed(['fix the eslint errors']);
    const [b] = await new LexicalEmbedder().embed(['fix the eslint errors']);
    expect(a).toEqual(b);
    expect(embedder.id).toBe('lexical/v1/h22/w1-p0.5-c1/n3-5');
    expect(new LexicalEmbedder({ charWeight: 0 }).id).not.toBe(embedder.id);
    expect(new LexicalEmbedder({ stopWords: new Set(['x']) }).id).toMatch(/\/sw[0-9a-z]+$/);
  });

  it('gives an empty text a zero vector and a stop-word-only text a vector of its own', () => {
    expect(embedder.embedOne('').indices).toHaveLength(0);
    expect(embedder.embedOne('what is this').indices.length).toBeGreaterThan(0);
  });

  it('matches word forms and ignores function words', () => {
    expect(sim('testing the deployment', 'tests for deployments')).toBeGreaterThan(0.6);
    expect(sim('the of and to', 'a an the')).toBeLessThan(sim('testing the deployment', 'tests for deployments'));
  });

  it('matches programming terms and their spellings', () => {
    expect(sim('run mypy on the package', 'mypy errors')).toBeGreaterThan(sim('run mypy on the package', 'eslint errors'));
    expect(sim('fix the type-check', 'typecheck fails')).toBeGreaterThan(0.3);
    // Character n-grams carry shared word parts: async ~ asynchronous.
    expect(sim('await an async function', 'asynchronous code')).toBeGreaterThan(0.05);
    expect(sim('await an async function', 'asynchronous code')).toBeGreaterThan(10 * sim('await an async function', 'deploy the website'));
    expect(sim('pytest fixtures', 'py.test fixture')).toBeGreaterThan(0.4);
  });

  it('hashes exactly the named features it explains', () => {
    for (const options of [{}, { charNgrams: [2, 4] as const, pairWeight: 0.25 }]) {
      const e = new LexicalEmbedder(options);
      for (const text of ['Run the PyTest suite', "don't break node.js", 'what is this', 'C++ café test tests testing']) {
        const expected = sparseVector(
          [...lexicalFeatures(text, options)].map(([name, w]) => [hash32(name) & (e.dimensions - 1), w] as const),
        );
        const actual = e.embedOne(text);
        expect(Array.from(actual.indices)).toEqual(Array.from(expected.indices));
        const n = norm(expected);
        actual.values.forEach((v, i) => expect(v).toBeCloseTo(expected.values[i]! / n, 6));
      }
    }
  });

  it('explains itself through named features', () => {
    const features = lexicalFeatures('running pytest');
    expect(features.get('w:run')).toBe(1);
    expect(features.get('w:pytest')).toBe(1);
    expect(features.get('p:run pytest')).toBe(0.5);
    expect([...features.keys()].some((f) => f.startsWith('c:<py'))).toBe(true);
  });

  it('ranks the right past query first once rare terms weigh more (IDF in the index)', () => {
    const index = new SparseIndex({ weighting: 'idf' });
    const past = [
      'please help me run the unit tests',
      'please help me write the release notes',
      'please help me fix the eslint warnings',
      'please help me deploy the service',
    ];
    past.forEach((text, id) => index.add(id, embedder.embedOne(text)));
    expect(index.search(embedder.embedOne('help me with eslint'), 1)[0]!.id).toBe(2);
    expect(index.search(embedder.embedOne('please help me deploying'), 1)[0]!.id).toBe(3);
  });
});
