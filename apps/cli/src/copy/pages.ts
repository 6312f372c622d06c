import type { InvocationRecord, SkillsStore } from '@skills/protocol';

/**
 * Every invocation of `store`, page by page, newest first (the order of `listInvocations`: time,
 * then id, both descending). Each page after the first asks only for what is older than the ms
 * of the last row read (`until`, exclusive, one ms past it), skipping the rows of that ms already
 * read: no page costs more than its own rows plus those ties, however deep the copy is, and
 * invocations added to a live store meanwhile (newer ones) never shift the pages.
 */
export async function* pages(store: SkillsStore, size: number): AsyncGenerator<InvocationRecord[]> {
  let until: string | undefined;
  let seenInWindow = 0;
  for (;;) {
    const page = await store.listInvocations(until === undefined ? {} : { until }, { limit: size, offset: seenInWindow });
    if (page.length === 0) return;
    yield page;
    if (page.length < size) return;
    const windowStart = Math.floor(Date.parse(page.at(-1)!.invokedAt));
    const next = new Date(windowStart + 1).toISOString();
    // The rows of this ms read so far: on this page, and on earlier pages of the same window.
    const onPage = page.filter((r) => Math.floor(Date.parse(r.invokedAt)) === windowStart).length;
    seenInWindow = next === until ? seenInWindow + onPage : onPage;
    until = next;
  }
}
