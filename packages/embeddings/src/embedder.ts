import type { Vector, VectorKind } from './vector.js';

/**
 * Turns texts into unit-length vectors whose dot product measures closeness of meaning.
 *
 * `id` names the model, its variant and the embedder's version: vectors stored under one id
 * are never compared with vectors of another, so changing any of them means re-embedding.
 *
 * @example
 * const embedder: Embedder = createLexicalEmbedder();
 * const [a, b] = await embedder.embed(['fix the type errors', 'type check fails']);
 * console.log(embedder.id, dot(a!, b!));
 */
export interface Embedder {
  /** Stable identity of the vector space, e.g. `lexical/v1/h20` or `transformer/Xenova/all-MiniLM-L6-v2/q8/v1`. */
  readonly id: string;
  /** Size of the vector space (the hash space for sparse vectors). */
  readonly dimensions: number;
  /** Dense (every dimension) or sparse (non-zeros only) vectors. */
  readonly kind: VectorKind;
  /**
   * Cosine below which a match is noise for this embedder: the recommender's threshold when the
   * settings leave `minSimilarity` unset. Lexical cosines run lower than a transformer's.
   */
  readonly minSimilarity: number;
  /** One L2-normalised vector per text, in order. An empty or stop-word-only text gives a zero vector. */
  embed(texts: readonly string[]): Promise<Vector[]>;
}
