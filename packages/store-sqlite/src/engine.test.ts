import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMaintainable, isSyncWritable, openStore, StoreError, UnknownEngineError } from '@skills/protocol';
import { sqliteEngine, sqliteFile } from './index.js';
import { useTempDir } from './test-support/temp-dir.js';

const temp = useTempDir();

describe('sqliteEngine', () => {
  it('opens plain paths and sqlite: URLs, relative to cwd, with the file upkeep', async () => {
    const cwd = temp.path('cwd');
    mkdirSync(cwd);
    for (const target of ['plain.db', 'sqlite:url.db', `sqlite://${join(cwd, 'slashes.db')}`, 'at:12:00.db']) {
      const store = await openStore(target, [sqliteEngine], { cwd });
      expect(isMaintainable(store) && isSyncWritable(store)).toBe(true);
      await store.close();
    }
    expect(readdirSync(cwd).filter((f) => f.endsWith('.db')).sort()).toEqual(['at:12:00.db', 'plain.db', 'slashes.db', 'url.db']);
  });

  it('names the real file, links resolved, in describe and file', () => {
    const cwd = temp.path('links');
    mkdirSync(join(cwd, 'data'), { recursive: true });
    symlinkSync(join(cwd, 'data', 'real.db'), join(cwd, 'link.db'));
    expect(sqliteEngine.describe('sqlite:link.db', { cwd })).toBe(join(cwd, 'data', 'real.db'));
    expect(sqliteEngine.file?.('link.db', { cwd })).toBe(join(cwd, 'data', 'real.db'));
    expect(sqliteFile('sqlite:///abs/x.db')).toBe('/abs/x.db');
  });

  it('refuses a sqlite: URL without a file, and opens a missing file read-only never', async () => {
    expect(() => sqliteFile('sqlite:')).toThrow(StoreError);
    expect(() => sqliteFile('sqlite://')).toThrow('"sqlite://" names no file: expected sqlite:PATH or a plain path');
    const cwd = temp.path('ro');
    mkdirSync(cwd);
    await expect(sqliteEngine.open('missing.db', { cwd, readonly: true })).rejects.toThrow(StoreError);
    expect(existsSync(join(cwd, 'missing.db'))).toBe(false);
  });

  it('leaves a postgres URL to another engine: refused, and no file named after it appears', async () => {
    const cwd = temp.path('pg');
    mkdirSync(cwd);
    const url = 'postgres://skills:PASSWORD@127.0.0.1:5432/skills';
    const error = await openStore(url, [sqliteEngine], { cwd }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownEngineError);
    expect((error as Error).message).not.toContain('PASSWORD');
    expect(readdirSync(cwd)).toEqual([]);
    expect(existsSync('postgres:')).toBe(false);
  });
});
