import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, inject } from 'vitest';

const url = inject('postgresUrl');
const skipReason = inject('postgresSkipReason');

/**
 * `describe`, or `describe.skip` with the reason in the suite's name when no PostgreSQL server
 * can be had (see global-setup.ts): skipped tests say why, never silently.
 */
export function describePostgres(name: string, fn: () => void): void {
  if (url === null) describe.skip(`${name} (skipped: ${skipReason ?? 'no PostgreSQL server'})`, fn);
  else describe(name, fn);
}

/**
 * Fresh databases for this test file's stores, dropped when the file's tests end. `create()`
 * makes one and gives its URL (with the server's password: for tests only).
 */
export function useDatabases(): { create(): Promise<string>; serverUrl: string } {
  let admin: pg.Pool | undefined;
  const created: string[] = [];
  afterAll(async () => {
    if (!admin) return;
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return {
    serverUrl: url ?? '',
    async create() {
      if (url === null) throw new Error(`no PostgreSQL server: ${skipReason}`);
      admin ??= new pg.Pool({ connectionString: url, max: 1 });
      const name = `skills_test_${randomBytes(6).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${name}`);
      created.push(name);
      const target = new URL(url);
      target.pathname = `/${name}`;
      return target.href;
    },
  };
}
