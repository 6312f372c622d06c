import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openStore } from '@skills/protocol';
import { at, pendingRecord } from '@skills/store-contract';
import { expect, it } from 'vitest';
import { ENGINES } from '../cli/engines.js';
import { pages } from './pages.js';

it('reads every invocation once, in the listing order, when many share one instant across pages', async () => {
  const store = await openStore(join(mkdtempSync(join(tmpdir(), 'skills-pages-')), 'pages.db'), ENGINES);
  try {
    // 23 at one instant, 5 a millisecond later (a window of its own), 7 spread out before.
    const same = Array.from({ length: 23 }, (_, i) => pendingRecord(100 + i, { invokedAt: at(50) }));
    const later = Array.from({ length: 5 }, (_, i) => pendingRecord(200 + i, { invokedAt: new Date(Date.parse(at(50)) + 1).toISOString() }));
    const spread = Array.from({ length: 7 }, (_, i) => pendingRecord(i));
    await store.applyBatch({ inserts: [...same, ...later, ...spread] });
    const expected = (await store.listInvocations({}, { limit: 100 })).map((r) => r.id);
    for (const size of [1, 4, 10, 23, 24, 35, 100]) {
      const read: string[] = [];
      for await (const page of pages(store, size)) {
        expect(page.length).toBeLessThanOrEqual(size);
        read.push(...page.map((r) => r.id));
      }
      expect(read, `page size ${size}`).toEqual(expected);
    }
  } finally {
    await store.close();
  }
});
