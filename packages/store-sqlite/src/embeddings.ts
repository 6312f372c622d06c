import type { Connection } from './connection.js';
import type { Prepared } from './prepared.js';
import { named } from './named.js';

/** Reads and writes of stored query vectors. */
export class EmbeddingStatements {
  readonly #conn: Connection;
  #put: Prepared | undefined;

  constructor(conn: Connection) {
    this.#conn = conn;
  }

  /** The vectors of one embedder for query ids above `afterId`. */
  get(embedderId: string, afterId: number): Map<number, Uint8Array> {
    const b = this.#conn.builder;
    const rows = this.#conn.all<{ query_id: number; vector: Buffer }>(
      b
        .selectFrom('embeddings')
        .select(['query_id', 'vector'])
        .where('embedder_id', '=', embedderId)
        .where('query_id', '>', afterId)
        .orderBy('query_id'),
    );
    // Copies: a vector that starts its own buffer can be viewed as a Float32Array whatever its offset.
    return new Map(rows.map((r) => [r.query_id, new Uint8Array(r.vector)]));
  }

  /** Stores vectors (replacing older ones of the same embedder); run inside a write transaction. */
  put(embedderId: string, vectors: ReadonlyMap<number, Uint8Array>): void {
    // Prepared on first use: a read-only connection never writes.
    this.#put ??= this.#prepareUpsert();
    for (const [queryId, vector] of vectors) {
      this.#put.run({
        query_id: queryId,
        embedder_id: embedderId,
        vector: Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
      });
    }
  }

  /** Drops the vectors of one embedder, or all; returns how many. */
  delete(embedderId: string | undefined): number {
    const b = this.#conn.builder;
    const query = b.deleteFrom('embeddings');
    return this.#conn.run(embedderId === undefined ? query : query.where('embedder_id', '=', embedderId)).changes;
  }

  #prepareUpsert(): Prepared {
    const b = this.#conn.builder;
    // Selecting from queries drops the vector of a query pruned since the caller listed it.
    return this.#conn.prepare(
      b
        .insertInto('embeddings')
        .columns(['query_id', 'embedder_id', 'vector'])
        .expression(
          b
            .selectFrom('queries')
            .select([
              'id as query_id',
              named<string>('embedder_id').as('embedder_id'),
              named<Uint8Array>('vector').as('vector'),
            ])
            .where('id', '=', named<number>('query_id')),
        )
        .onConflict((oc) =>
          oc.columns(['query_id', 'embedder_id']).doUpdateSet((eb) => ({ vector: eb.ref('excluded.vector') })),
        ),
    );
  }
}
