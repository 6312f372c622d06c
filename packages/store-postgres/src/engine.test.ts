import { openStore, describeStore, UnknownEngineError } from '@skills/protocol';
import { sqliteEngine } from '@skills/store-sqlite';
import { expect, it } from 'vitest';
import { pendingRecord } from '@skills/store-contract';
import { postgresEngine } from './index.js';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';

const databases = useDatabases();

describePostgres('postgresEngine', () => {
  it('opens postgres:// and postgresql:// URLs beside the SQLite engine, and shows them without the password', async () => {
    const url = await databases.create();
    const password = new URL(url).password;
    expect(password).not.toBe('');
    for (const target of [url, url.replace(/^postgres:/, 'postgresql:')]) {
      const store = await openStore(target, [sqliteEngine, postgresEngine]);
      try {
        await store.applyBatch({ inserts: [pendingRecord(1)] });
        expect(await store.countInvocations()).toBe(1);
        expect(store.location).not.toContain(password);
      } finally {
        await store.close();
      }
      expect(describeStore(target, [sqliteEngine, postgresEngine])).not.toContain(password);
    }
  });

  it('is not chosen for plain paths, and a URL it cannot parse is shown without its text', () => {
    expect(() => describeStore('skills.db', [postgresEngine])).not.toThrow();
    expect(postgresEngine.describe('postgres://skills:topsecret@[bad/db')).toBe('postgres://***');
    return expect(openStore('skills.db', [postgresEngine])).rejects.toBeInstanceOf(UnknownEngineError);
  });
});
