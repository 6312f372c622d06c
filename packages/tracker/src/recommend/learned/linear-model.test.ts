import { LexicalEmbedder, sparseVector } from '@skills/embeddings';
import { seededRandom } from '@skills/protocol';
import { describe, expect, it } from 'vitest';
import { LinearModel, type Example } from './linear-model.js';

const embedder = new LexicalEmbedder();
const TOPICS = [
  ['run the unit tests', 'the pytest suite fails', 'rerun the flaky test', 'tests are red on ci'],
  ['deploy the service', 'roll back the release', 'ship it to production', 'deployment is stuck'],
  ['fix the mypy errors', 'type check the package', 'typescript type errors', 'the typecheck fails'],
];

function examples(): Example[] {
  return TOPICS.flatMap((queries, skill) => queries.map((q) => ({ vector: embedder.embedOne(q), skill, positive: true, weight: 1 })));
}

function argmax(scores: Float64Array): number {
  let best = 0;
  for (let s = 1; s < scores.length; s++) if (scores[s]! > scores[best]!) best = s;
  return best;
}

describe('LinearModel', () => {
  it('learns which skill serves which kind of query, deterministically for a seed', () => {
    const model = new LinearModel();
    model.fit(examples(), seededRandom(1));
    expect(model.skills).toBe(3);
    const out = new Float64Array(3);
    for (const [query, skill] of [['pytest tests fail', 0], ['deploy to production', 1], ['mypy type errors', 2]] as const) {
      model.scores(embedder.embedOne(query), out);
      expect(argmax(out), query).toBe(skill);
    }
    const again = new LinearModel();
    again.fit(examples(), seededRandom(1));
    const a = new Float64Array(3);
    again.scores(embedder.embedOne('ship the tests'), a);
    model.scores(embedder.embedOne('ship the tests'), out);
    expect(a).toEqual(out);
  });

  it('a failed example lowers its skill for that query; an online positive raises it', () => {
    const model = new LinearModel();
    model.fit(examples(), seededRandom(1));
    const query = embedder.embedOne('rerun the flaky test');
    const out = new Float64Array(3);
    model.scores(query, out);
    const before = out[0]!;
    model.update({ vector: query, skill: 0, positive: false, weight: 0.5 });
    model.scores(query, out);
    expect(out[0]).toBeLessThan(before);
    const novel = embedder.embedOne('rotate the kafka credentials');
    model.scores(novel, out);
    const cold = out[1]!;
    model.update({ vector: novel, skill: 1, positive: true, weight: 1 });
    model.scores(novel, out);
    expect(out[1]).toBeGreaterThan(cold);
    expect(argmax(out)).toBe(1);
  });

  it('reads dense vectors too, and scores a skill it never saw 0', () => {
    const model = new LinearModel();
    const dense = (xs: number[]) => ({ kind: 'dense' as const, values: Float32Array.from(xs) });
    model.fit(
      [
        { vector: dense([1, 0]), skill: 0, positive: true, weight: 1 },
        { vector: dense([0, 1]), skill: 1, positive: true, weight: 1 },
      ],
      seededRandom(1),
    );
    const out = new Float64Array(4);
    model.scores(dense([1, 0]), out);
    expect(out[0]).toBeGreaterThan(out[1]!);
    expect(out[3]).toBe(0);
    model.scores(sparseVector([[7, 1]]), out); // a feature no example had
    expect([...out]).toEqual([0, 0, 0, 0]);
  });

  it('comes back from its parts with the same scores, under other skill numbers too', () => {
    const model = new LinearModel();
    model.fit(examples(), seededRandom(1));
    const parts = model.toParts();
    expect(parts.postingWeights).toHaveLength(model.weights);
    const same = LinearModel.fromParts(parts);
    // Skills renumbered 0 -> 2, 1 -> 0, 2 -> 1: every posting is sorted again.
    const renumbered = LinearModel.fromParts(parts, (s) => [2, 0, 1][s]!);
    const a = new Float64Array(3);
    const b = new Float64Array(3);
    const c = new Float64Array(3);
    for (const query of ['pytest tests fail', 'deploy to production', 'mypy type errors', 'something unseen entirely']) {
      const v = embedder.embedOne(query);
      model.scores(v, a);
      same.scores(v, b);
      renumbered.scores(v, c);
      expect(b).toEqual(a);
      expect([c[2], c[0], c[1]]).toEqual([...a]);
    }
    // Online steps on the renumbered model touch the renumbered skill.
    const v = embedder.embedOne('deploy to production');
    renumbered.scores(v, b);
    renumbered.update({ vector: v, skill: 0, positive: false, weight: 1 });
    renumbered.scores(v, c);
    expect(c[0]).toBeLessThan(b[0]!);
    expect([c[1], c[2]]).toEqual([b[1], b[2]]);
  });
});
