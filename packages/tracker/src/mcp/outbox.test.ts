import { describe, expect, it } from 'vitest';
import {
  completionOf,
  finishedRecord,
  pendingRecord,
  TrackInvocationsArgsSchema,
  type Completion,
  type InvocationRecord,
} from '@skills/protocol';
import { batchArgs, Outbox, type OutboxSpool } from './outbox.js';

/** What the outbox wrote to its spool, in order. */
class ListSpool implements OutboxSpool {
  readonly writes: { kind: 'insert' | 'complete'; id: string; status: string }[] = [];
  insert(record: InvocationRecord): void {
    this.writes.push({ kind: 'insert', id: record.id, status: record.status });
  }
  complete(finished: InvocationRecord): void {
    this.writes.push({ kind: 'complete', id: finished.id, status: finished.status });
  }
}

let next = 0;
function record(): InvocationRecord {
  return pendingRecord({ skillName: 'linter' }, { id: `id-${++next}`, sessionId: 's', invokedAt: '2026-01-01T00:00:00.000Z' });
}

function finish(r: InvocationRecord, completed = true): [InvocationRecord, Completion] {
  const completion = completionOf(r.id, { completed }, '2026-01-01T00:00:01.000Z', 1);
  return [finishedRecord(r, completion), completion];
}

function setup(maxQueued = 100) {
  const spool = new ListSpool();
  const state = { spooling: false };
  const outbox = new Outbox({ spool, maxQueued, spooling: () => state.spooling });
  return { spool, state, outbox };
}

/** True once `promise` has settled (checked after pending microtasks run). */
async function isSettled(promise: Promise<void> | undefined): Promise<boolean> {
  if (!promise) return true;
  let settled = false;
  void promise.then(() => (settled = true));
  await Promise.resolve();
  await Promise.resolve();
  return settled;
}

describe('Outbox', () => {
  it('merges a completion into its record while the record is queued: one record on the wire', () => {
    const { outbox } = setup();
    const r = record();
    expect(outbox.track(r)).toBe('queued');
    expect(outbox.finish(...finish(r, false))).toBe('queued');
    const args = batchArgs(outbox.takeBatch(10));
    expect(args.invocations).toHaveLength(1);
    expect(args.invocations[0]).toMatchObject({ invocation_id: r.id, status: 'failed', completed: false });
    expect(args.completions).toBeUndefined();
    expect(TrackInvocationsArgsSchema.safeParse(args).success).toBe(true);
  });

  it("names the tracker's project in the call, and none for default so the server decides (issue 15)", () => {
    const { outbox } = setup();
    outbox.track(record());
    const batch = outbox.takeBatch(10);
    expect(batchArgs(batch, 'alpha').project).toBe('alpha');
    expect(TrackInvocationsArgsSchema.safeParse(batchArgs(batch, 'alpha')).success).toBe(true);
    expect('project' in batchArgs(batch, 'default')).toBe(false);
    expect('project' in batchArgs(batch)).toBe(false);
  });

  it('sends a completion on its own once the record is at the server, and with its record while the record is in flight', () => {
    const { outbox } = setup();
    const atServer = record();
    outbox.track(atServer);
    outbox.takeBatch(10);
    outbox.acknowledge();
    const inFlight = record();
    outbox.track(inFlight);
    outbox.takeBatch(10);
    outbox.finish(...finish(atServer));
    outbox.finish(...finish(inFlight));
    const args = batchArgs(outbox.takeBatch(10));
    // The in-flight insert may still fail and be spooled: its finished record goes along.
    expect(args.invocations.map((i) => i.invocation_id)).toEqual([inFlight.id]);
    expect(args.completions?.map((c) => c.invocation_id)).toEqual([atServer.id, inFlight.id]);
  });

  it('batches first in, first out, at most `size` entries a batch', () => {
    const { outbox } = setup();
    const records = Array.from({ length: 5 }, record);
    records.forEach((r) => outbox.track(r));
    expect(outbox.takeBatch(2).map((e) => (e.kind === 'insert' ? e.record.id : ''))).toEqual([records[0]!.id, records[1]!.id]);
    expect(outbox.queued).toBe(3);
  });

  it('settles a flush once every change made before it is acknowledged or spooled, not before', async () => {
    const { outbox } = setup();
    outbox.track(record());
    outbox.track(record());
    const first = outbox.settled();
    outbox.track(record()); // made after the flush began: not waited for
    expect(outbox.awaited).toBe(true);
    outbox.takeBatch(1);
    outbox.acknowledge();
    expect(await isSettled(first)).toBe(false);
    outbox.takeBatch(1);
    outbox.spoolSending(); // spooled counts as settled
    expect(await isSettled(first)).toBe(true);
    expect(outbox.awaited).toBe(false);
    const second = outbox.settled();
    outbox.spoolQueued();
    expect(await isSettled(second)).toBe(true);
    expect(outbox.settled()).toBeUndefined(); // nothing outstanding
  });

  it('spools what exceeds the bound, and everything while spooling, and says which', () => {
    const { outbox, spool, state } = setup(2);
    expect([record(), record(), record()].map((r) => outbox.track(r))).toEqual(['queued', 'queued', 'overflow']);
    state.spooling = true;
    const r = record();
    expect(outbox.track(r)).toBe('spooled');
    // Its record is in the spool: the completion goes there too, with the finished record.
    expect(outbox.finish(...finish(r))).toBe('spooled');
    expect(spool.writes.map((w) => w.kind)).toEqual(['insert', 'insert', 'complete']);
  });

  it('a failed batch goes to the spool, and later completions of its records go with their finished record', () => {
    const { outbox, spool } = setup();
    const r = record();
    outbox.track(r);
    outbox.takeBatch(10);
    outbox.spoolSending();
    outbox.finish(...finish(r));
    const args = batchArgs(outbox.takeBatch(10));
    expect(spool.writes).toEqual([{ kind: 'insert', id: r.id, status: 'pending' }]);
    expect(args.invocations).toMatchObject([{ invocation_id: r.id, status: 'completed' }]);
  });

  it('abandons open invocations where they are, and names those whose pending record is in the spool', () => {
    const { outbox, state } = setup();
    const queued = record();
    const atServer = record();
    const inSpool = record();
    const done = record();
    outbox.track(atServer);
    outbox.takeBatch(10);
    outbox.acknowledge();
    outbox.track(queued);
    outbox.track(done);
    outbox.finish(...finish(done));
    state.spooling = true;
    outbox.track(inSpool);
    state.spooling = false;
    expect(outbox.abandonAll()).toEqual([inSpool.id]);
    const args = batchArgs(outbox.takeBatch(10));
    expect(args.invocations).toMatchObject([
      { invocation_id: queued.id, status: 'abandoned' },
      { invocation_id: done.id, status: 'completed' },
      { invocation_id: inSpool.id, status: 'abandoned' },
    ]);
    expect(args.abandon).toEqual([atServer.id, inSpool.id]);
    // After abandonAll, a completer's finish is refused.
    expect(outbox.finish(...finish(queued))).toBeNull();
  });

  it('spools what is queued and in flight at process exit', () => {
    const { outbox, spool } = setup();
    const inFlight = record();
    const queued = record();
    outbox.track(inFlight);
    outbox.takeBatch(1);
    outbox.track(queued);
    outbox.spoolEverything();
    expect(spool.writes.map((w) => w.id)).toEqual([inFlight.id, queued.id]);
    expect(outbox.queued).toBe(0);
  });
});
