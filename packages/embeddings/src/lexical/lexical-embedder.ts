import type { Embedder } from '../embedder.js';
import { normalize, type SparseVector } from '../vector.js';
import { finalizeHash, fnvStep, fnvString, FNV_OFFSET, hash32 } from './hash.js';
import { porterStem } from './porter-stemmer.js';
import { ENGLISH_STOP_WORDS } from './stop-words.js';
import { tokenize } from './tokenize.js';

/**
 * How the lexical embedder weighs its three kinds of features. Every option is part of the id.
 *
 * @example
 * const wordsOnly = new LexicalEmbedder({ pairWeight: 0, charWeight: 0 });
 */
export interface LexicalEmbedderOptions {
  /** The hash space is 2^hashBits features. Default 22 (collisions are rare at that size). */
  readonly hashBits?: number;
  /** Weight of a word (its stem). Default 1. */
  readonly wordWeight?: number;
  /** Weight of a pair of consecutive content words. Default 0.5. */
  readonly pairWeight?: number;
  /** Weight of one word's character n-grams taken together (their L2 norm). Default 1. */
  readonly charWeight?: number;
  /** Shortest and longest character n-gram. Default [3, 5]. */
  readonly charNgrams?: readonly [number, number];
  /** Words that make no features of their own. Default {@link ENGLISH_STOP_WORDS}. */
  readonly stopWords?: ReadonlySet<string>;
}

const DEFAULTS: {
  hashBits: number;
  wordWeight: number;
  pairWeight: number;
  charWeight: number;
  charNgrams: readonly [number, number];
} = {
  hashBits: 22,
  wordWeight: 1,
  pairWeight: 0.5,
  charWeight: 1,
  charNgrams: [3, 5],
};

const WORD_PREFIX = fnvString(FNV_OFFSET, 'w:');
const PAIR_PREFIX = fnvString(FNV_OFFSET, 'p:');
const GRAM_PREFIX = fnvString(FNV_OFFSET, 'c:');

/** Bumped whenever the features of a text change for the same options. */
const FEATURE_VERSION = 1;

/** Receives the features of a text as they are found. */
interface FeatureSink {
  word(stem: string, weight: number): void;
  pair(first: string, second: string): void;
  /** The n-grams of `padded` (`<word>`), each weighing `share`. */
  grams(padded: string, share: number): void;
}

/** Walks the features of `text`: the one definition both the named and the hashed forms follow. */
function walkFeatures(text: string, stopWords: ReadonlySet<string>, o: typeof DEFAULTS, sink: FeatureSink): void {
  const [minN, maxN] = o.charNgrams;
  const tokens = tokenize(text);
  let content = tokens.filter((t) => !stopWords.has(t.text));
  // A text made only of function words still deserves a vector of its own.
  if (content.length === 0) content = tokens;
  let previous: string | undefined;
  for (const token of content) {
    const stem = porterStem(token.text);
    sink.word(stem, 1);
    for (const part of token.parts) if (!stopWords.has(part)) sink.word(porterStem(part), 1 / token.parts.length);
    if (previous !== undefined) sink.pair(previous, stem);
    previous = stem;
    const padded = `<${token.text}>`;
    let count = 0;
    for (let n = minN; n <= maxN; n++) count += Math.max(0, padded.length - n + 1);
    // Each word's n-grams together have unit length (times charWeight), like one word feature.
    if (count > 0) sink.grams(padded, 1 / Math.sqrt(count));
  }
}

/** Sublinear term frequency for words and pairs (a word said three times is not three times the topic). */
function tf(count: number): number {
  return count >= 1 ? 1 + Math.log(count) : count;
}

function addTo<K>(map: Map<K, number>, key: K, weight: number): void {
  map.set(key, (map.get(key) ?? 0) + weight);
}

/**
 * The named features of one text and their weights, before hashing: `w:` word stems, `p:` pairs
 * of consecutive content-word stems, `c:` character n-grams of whole words (`<` and `>` mark
 * the word's edges). Useful to see why two texts match.
 *
 * @example
 * lexicalFeatures('running pytest'); // Map { 'w:run' => 1, 'w:pytest' => 1, 'p:run pytest' => 0.5, 'c:<ru' => 0.267, ... }
 */
export function lexicalFeatures(text: string, options: LexicalEmbedderOptions = {}): Map<string, number> {
  const o = { ...DEFAULTS, ...options };
  const words = new Map<string, number>();
  const grams = new Map<string, number>();
  walkFeatures(text, options.stopWords ?? ENGLISH_STOP_WORDS, o, {
    word: (stem, weight) => addTo(words, `w:${stem}`, weight),
    pair: (a, b) => addTo(words, `p:${a} ${b}`, 1),
    grams: (padded, share) => {
      for (let n = o.charNgrams[0]; n <= o.charNgrams[1]; n++) {
        for (let i = 0; i + n <= padded.length; i++) addTo(grams, `c:${padded.slice(i, i + n)}`, share);
      }
    },
  });
  const features = new Map<string, number>();
  for (const [f, count] of words) {
    const weight = f.startsWith('w:') ? o.wordWeight : o.pairWeight;
    if (weight > 0) features.set(f, weight * tf(count));
  }
  if (o.charWeight > 0) for (const [f, sum] of grams) features.set(f, o.charWeight * sum);
  return features;
}

/**
 * The embedder every installation has: hashed sparse features of word stems, word pairs and
 * character n-grams, so that programming terms (`mypy`, `eslint`, `pytest`) and word forms
 * (`test`, `tests`, `testing`) match without any model. Pure TypeScript, deterministic.
 *
 * Vectors carry term frequencies only; weigh terms by rarity (IDF) in the index, where the
 * corpus is known (see {@link SparseIndex}).
 *
 * @example
 * const embedder = new LexicalEmbedder();
 * const [v] = await embedder.embed(['run the pytest suite']);
 * console.log(embedder.id, v!.kind); // 'lexical/v1/...' 'sparse'
 */
export class LexicalEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly kind = 'sparse' as const;
  /** Measured on MetaTool: below 0.15 almost no lexical match is the right skill; at 0.3 many right ones are lost. */
  readonly minSimilarity = 0.15;
  readonly #resolved: typeof DEFAULTS;
  readonly #stopWords: ReadonlySet<string>;
  readonly #mask: number;

  constructor(options: LexicalEmbedderOptions = {}) {
    const o = { ...DEFAULTS, ...options };
    if (!Number.isInteger(o.hashBits) || o.hashBits < 8 || o.hashBits > 31) throw new RangeError('hashBits must be 8..31');
    const [minN, maxN] = o.charNgrams;
    if (!Number.isInteger(minN) || !Number.isInteger(maxN) || minN < 1 || maxN < minN) {
      throw new RangeError('charNgrams must be [min, max] with 1 <= min <= max');
    }
    this.#resolved = Object.freeze({ ...DEFAULTS, ...options, charNgrams: o.charNgrams });
    this.#stopWords = options.stopWords ?? ENGLISH_STOP_WORDS;
    this.dimensions = 2 ** o.hashBits;
    this.#mask = this.dimensions - 1;
    const custom = options.stopWords ? `/sw${hash32([...options.stopWords].sort().join(' ')).toString(36)}` : '';
    this.id =
      `lexical/v${FEATURE_VERSION}/h${o.hashBits}/w${o.wordWeight}-p${o.pairWeight}-c${o.charWeight}` +
      `/n${o.charNgrams[0]}-${o.charNgrams[1]}${custom}`;
  }

  /** Synchronous {@link embed} of one text. */
  embedOne(text: string): SparseVector {
    const o = this.#resolved;
    const [minN, maxN] = o.charNgrams;
    // Hashes of the named features (see lexicalFeatures), without building their strings.
    const words = new Map<number, number>();
    const pairs = new Map<number, number>();
    const grams = new Map<number, number>();
    walkFeatures(text, this.#stopWords, o, {
      word: (stem, weight) => addTo(words, finalizeHash(fnvString(WORD_PREFIX, stem)), weight),
      pair: (a, b) => addTo(pairs, finalizeHash(fnvString(fnvStep(fnvString(PAIR_PREFIX, a), 32), b)), 1),
      grams: (padded, share) => {
        for (let i = 0; i + minN <= padded.length; i++) {
          let h = GRAM_PREFIX;
          for (let j = i; j < padded.length && j - i < maxN; j++) {
            h = fnvStep(h, padded.charCodeAt(j));
            if (j - i + 1 >= minN) addTo(grams, finalizeHash(h), share);
          }
        }
      },
    });
    const sums = new Map<number, number>();
    const put = (hash: number, value: number) => addTo(sums, hash & this.#mask, value);
    if (o.wordWeight > 0) for (const [h, count] of words) put(h, o.wordWeight * tf(count));
    if (o.pairWeight > 0) for (const [h, count] of pairs) put(h, o.pairWeight * tf(count));
    if (o.charWeight > 0) for (const [h, sum] of grams) put(h, o.charWeight * sum);
    const indices = new Uint32Array(sums.size);
    let k = 0;
    for (const i of sums.keys()) indices[k++] = i;
    indices.sort();
    const values = new Float32Array(indices.length);
    indices.forEach((i, j) => (values[j] = sums.get(i)!));
    return normalize({ kind: 'sparse', indices, values });
  }

  embed(texts: readonly string[]): Promise<SparseVector[]> {
    return Promise.resolve(texts.map((t) => this.embedOne(t)));
  }
}
