import type { Completion, InvocationRecord, SkillsStore } from '@skills/protocol';
import { pages } from './pages.js';

/** What a transfer wrote. */
export interface TransferResult {
  /** Invocations read from the source. */
  readonly read: number;
  /** Written into the target. */
  readonly inserted: number;
  /** Already in the target (an earlier, interrupted copy): skipped. */
  readonly alreadyPresent: number;
  /** Stored in the target as pending, finished in the source since: finished in the target too. */
  readonly finished: number;
  /** Catalog entries written (added, or their description replaced). */
  readonly catalog: number;
}

/** How a transfer runs. */
export interface TransferOptions {
  /** Invocations read and written per batch (one target transaction each). */
  readonly batchSize: number;
  /** Called after each batch with the invocations read so far and the source's count. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Copies the catalog, then every invocation of `source` into `target`, one batch (one target
 * transaction) per page. Ids the target holds already are skipped, so a transfer interrupted
 * anywhere and run again writes each invocation once; one stored pending there and finished in
 * the source since is finished with the source's outcome.
 */
export async function transfer(source: SkillsStore, target: SkillsStore, options: TransferOptions): Promise<TransferResult> {
  const catalog = await source.listCatalog();
  if (catalog.length > 0) await target.upsertCatalog(catalog);
  const total = await source.countInvocations();
  let read = 0;
  let inserted = 0;
  let finished = 0;
  options.onProgress?.(0, total);
  for await (const page of pages(source, options.batchSize)) {
    const result = await target.applyBatch({ inserts: page, completions: page.flatMap(completionOf) });
    inserted += result.inserted;
    finished += result.completed;
    const abandoned = page.filter((r) => r.status === 'abandoned').map((r) => r.id);
    if (abandoned.length > 0) finished += await target.markAbandoned({ ids: abandoned });
    read += page.length;
    options.onProgress?.(read, Math.max(total, read));
  }
  return { read, inserted, alreadyPresent: read - inserted, finished, catalog: catalog.length };
}

/**
 * The completion that brings a copy stored pending up to the source's outcome. It is ignored
 * (already finished) for a record the same batch inserts.
 */
function completionOf(r: InvocationRecord): Completion[] {
  if ((r.status !== 'completed' && r.status !== 'failed') || r.completedAt === null) return [];
  return [
    {
      id: r.id,
      completed: r.status === 'completed',
      completedAt: r.completedAt,
      durationSeconds: r.durationSeconds,
      followUpActions: r.followUpActions,
      errorType: r.errorType,
    },
  ];
}
