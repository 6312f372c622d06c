import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrationChecksum } from './migration.js';
import { statusOf, STATUS_CODE } from './stored-status.js';

describe('migrationChecksum', () => {
  it('is the hex SHA-256 of the SQL, the checksum stores already recorded', () => {
    const sql = 'CREATE TABLE t (a INTEGER);\nCREATE INDEX t_a ON t (a);';
    expect(migrationChecksum({ version: 1, name: 'x', sql })).toBe(createHash('sha256').update(sql).digest('hex'));
  });
});

describe('statusOf', () => {
  it('reads back every stored code and refuses an unknown one', () => {
    for (const [status, code] of Object.entries(STATUS_CODE)) expect(statusOf(code)).toBe(status);
    expect(() => statusOf(4)).toThrow('unknown status code 4');
  });
});
