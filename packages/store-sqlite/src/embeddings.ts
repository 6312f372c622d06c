import { VISIT_FUNCTION, type Connection } from './connection.js';
import type { Prepared } from './prepared.js';
import { named } from './named.js';

/** Reads and writes of stored query vectors. */
export class EmbeddingStatements {
  readonly #conn: Connection;
  #put: Prepared | undefined;

  constructor(conn: Connection) {
    this.#conn = conn;
  }

  /**
   * The vectors of one embedder for query ids above `afterId`, by query id: of one project's
   * queries (`projectId`), or of every query when it is null. Kept by query id, and a query is one
   * project's: a text two projects use has a vector for each.
   */
  get(embedderId: string, afterId: number, projectId: number | null): Map<number, Uint8Array> {
    const b = this.#conn.builder;
    const vectors = new Map<number, Uint8Array>();
    const query = b
      .selectFrom('embeddings')
      .where('embedder_id', '=', embedderId)
      .where('query_id', '>', afterId)
      // Each vector in the id range looks its query up by id: a list of the project's query ids
      // would cost all of them at every incremental read.
      .$if(projectId !== null, (qb) =>
        qb.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('queries')
              .select('queries.id')
              .whereRef('queries.id', '=', 'embeddings.query_id')
              .where('queries.project_id', '=', projectId!),
          ),
        ),
      )
      .select((eb) => eb.fn.count(eb.fn(VISIT_FUNCTION, ['query_id', 'vector'])).as('n'));
    // Visited rather than listed: no row objects for hundreds of thousands of vectors. Each
    // vector must start its own buffer, so that it can be viewed as a Float32Array whatever its
    // length: better-sqlite3's buffers do (viewed, not copied); any other is copied.
    this.#conn.visit(query, (queryId, vector) => {
      const bytes = vector as Buffer;
      vectors.set(
        queryId as number,
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? new Uint8Array(bytes.buffer) : new Uint8Array(bytes),
      );
    });
    // A Map keeps insertion order: sort by query id when the scan did not give that order.
    let last = -Infinity;
    for (const id of vectors.keys()) {
      if (id < last) return new Map([...vectors].sort((x, y) => x[0] - y[0]));
      last = id;
    }
    return vectors;
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
