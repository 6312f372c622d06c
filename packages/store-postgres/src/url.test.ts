import { StoreError } from '@skills/protocol';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from './index.js';
import { describePostgres, useDatabases } from '@skills/store-contract/postgres';
import { asStoreError } from './errors.js';
import { parseUrl } from './url.js';

const databases = useDatabases();

describe('parseUrl', () => {
  it('shows a URL without its password, in the user part or as a parameter', () => {
    expect(parseUrl('postgres://skills:s3cr%40t@db.example:5432/skills').display).toBe('postgres://skills@db.example:5432/skills');
    const parsed = parseUrl('postgresql://db.example/skills?password=hunter2&sslmode=require');
    expect(parsed.display).toBe('postgresql://db.example/skills?sslmode=require');
    expect(parsed.secrets).toContain('hunter2');
  });

  it('refuses other schemes and URLs that do not parse, without repeating them', () => {
    expect(() => parseUrl('mysql://root:topsecret@host/db')).toThrow(/must start with postgres:\/\/ or postgresql:\/\/, not mysql:/);
    const error = (() => {
      try {
        parseUrl('postgres://skills:topsecret@[not-a-host/db');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(StoreError);
    expect(error?.message).not.toContain('topsecret');
  });
});

describe('asStoreError', () => {
  it('removes every form of the password from a driver message and keeps no cause', () => {
    const { secrets } = parseUrl('postgres://skills:p%40ss%20word@db.example/skills');
    const driver = Object.assign(new Error('cannot use p@ss word (p%40ss%20word) for db.example'), { code: '28P01' });
    const error = asStoreError('applyBatch', driver, secrets);
    expect(error.message).toBe('applyBatch failed: cannot use *** (***) for db.example (SQLSTATE 28P01)');
    expect(error.cause).toBeUndefined();
  });
});

describePostgres('secrets in messages', () => {
  it('a wrong password fails with a StoreError that names the server, never the password', async () => {
    const url = new URL(await databases.create());
    url.password = 'Wr0ng-Secret-4711';
    const error = await openPostgresStore({ url: url.href }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    const message = (error as Error).message;
    expect(message).toMatch(/password authentication failed/);
    expect(message).toContain(`postgres://skills@127.0.0.1:${url.port}`);
    expect(message).not.toContain('Wr0ng-Secret-4711');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('Wr0ng-Secret-4711');
    expect((error as Error).cause).toBeUndefined();
  });

  it('a server error during a call is a StoreError without the password, and the location has none', async () => {
    const url = await databases.create();
    const password = decodeURIComponent(new URL(url).password);
    const store = await openPostgresStore({ url });
    expect(store.location).not.toContain(password);
    // A fault the store cannot cause itself: its table taken away by another connection.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('DROP TABLE catalog');
    await admin.end();
    const error = await store.listCatalog().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/^listCatalog failed: relation "catalog" does not exist \(SQLSTATE 42P01\)$/);
    await store.close();
  });
});
