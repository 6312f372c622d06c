import type { Embedder } from '../embedder.js';
import { DenseIndex } from './dense-index.js';
import { SparseIndex, type TermWeighting } from './sparse-index.js';
import type { VectorIndex } from './vector-index.js';

/**
 * The index suited to an embedder's vectors: a flat scan for dense ones, an inverted index for
 * sparse ones (IDF-weighted unless `weighting` says otherwise; dense vectors ignore it).
 * `weightsFrom` makes a sparse index weigh terms by another (sparse) index's corpus.
 *
 * @example
 * const index = createIndex(embedder);
 * for (const [id, bytes] of await store.getEmbeddings(embedder.id)) index.add(id, decodeVector(bytes));
 */
export function createIndex(
  embedder: Pick<Embedder, 'kind' | 'dimensions'>,
  options: { readonly weighting?: TermWeighting; readonly weightsFrom?: VectorIndex } = {},
): VectorIndex {
  if (embedder.kind === 'dense') return new DenseIndex(embedder.dimensions);
  const weightsFrom = options.weightsFrom instanceof SparseIndex ? options.weightsFrom : undefined;
  return new SparseIndex({ weighting: options.weighting ?? 'idf', weightsFrom });
}
