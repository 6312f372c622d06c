import { describe, expect, it } from 'vitest';
import { describeStore, engineFor, isStoreUrl, openStore, redactUrl, storeScheme, UnknownEngineError, type EngineStore, type StoreEngine } from './engine.js';
import { StoreError } from './errors.js';

/*
 * Engines here only record what they were asked: this package has no store of its own (the
 * real engines are tested in their packages and through the tracker, the server and the command).
 */
function engine(name: string, schemes: string[], opensPaths = false): StoreEngine & { opened: string[] } {
  const opened: string[] = [];
  return {
    name,
    schemes,
    opensPaths,
    opened,
    open: async (target) => {
      opened.push(target);
      return { location: target } as unknown as EngineStore;
    },
    describe: (target) => `${name}:${redactUrl(target)}`,
  };
}

describe('what is a URL and what is a path', () => {
  it.each([
    ['postgres://skills:pw@127.0.0.1:5432/skills', 'postgres:'],
    ['POSTGRESQL://db/skills', 'postgresql:'],
    ['sqlite:data/skills.db', 'sqlite:'],
    ['sqlite:///var/lib/skills.db', 'sqlite:'],
    ['SQLite:skills.db', 'sqlite:'],
    ['my+engine.v2://x', 'my+engine.v2:'],
  ])('%s is a URL with scheme %s', (target, scheme) => {
    expect(isStoreUrl(target)).toBe(true);
    expect(storeScheme(target)).toBe(scheme);
  });

  it.each([
    'C:\\data\\skills.db', // a Windows drive
    'c:/data/skills.db',
    'C://data/skills.db', // one letter: still a drive
    'backups/at:12:00.db', // a colon inside a name
    'data:2024.db', // a colon but no //: a relative file
    './postgres://x', // explicitly relative
    '/abs/path/skills.db',
    'skills.db',
    '1db://x', // a scheme starts with a letter
  ])('%s is a path', (target) => {
    expect(isStoreUrl(target)).toBe(false);
    expect(storeScheme(target)).toBeNull();
  });
});

describe('openStore', () => {
  it('opens a path with the path engine and a URL with the engine of its scheme', async () => {
    const sqlite = engine('sqlite', ['sqlite:'], true);
    const pg = engine('postgres', ['postgres:', 'postgresql:']);
    await openStore('C:\\data\\skills.db', [pg, sqlite]);
    await openStore('sqlite:x.db', [pg, sqlite]);
    await openStore('postgresql://db/skills', [pg, sqlite]);
    expect(sqlite.opened).toEqual(['C:\\data\\skills.db', 'sqlite:x.db']);
    expect(pg.opened).toEqual(['postgresql://db/skills']);
    expect(engineFor('postgres://db/x', [sqlite, pg])).toBe(pg);
  });

  it('refuses a scheme no engine opens, naming the engines, without the password, opening nothing', async () => {
    const sqlite = engine('sqlite', ['sqlite:'], true);
    const error = await openStore('postgres://skills:PASSWORD@127.0.0.1:5432/skills', [sqlite]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnknownEngineError);
    const refused = error as UnknownEngineError;
    expect(refused.code).toBe('UNKNOWN_ENGINE');
    expect(refused.scheme).toBe('postgres:');
    expect(refused.available).toEqual(['sqlite']);
    expect(refused.message).toBe(
      'no store engine opens postgres: URLs (postgres://skills:***@127.0.0.1:5432/skills); engines available: sqlite (plain paths, sqlite:)',
    );
    expect(`${refused.message}${refused.stack}`).not.toContain('PASSWORD');
    expect(sqlite.opened).toEqual([]);
  });

  it('refuses a plain path when no engine opens paths', () => {
    expect(() => engineFor('skills.db', [engine('postgres', ['postgres:'])])).toThrow(
      'no store engine opens plain paths (skills.db); engines available: postgres (postgres:)',
    );
    expect(() => engineFor('x.db', [])).toThrow('engines available: none');
  });

  it("scrubs the password from an engine's own error, raw and decoded", async () => {
    const leaky: StoreEngine = {
      ...engine('postgres', ['postgres:']),
      open: (target) => Promise.reject(new StoreError(`cannot connect with ${target} (password p@ss/word)`)),
    };
    const error = (await openStore('postgres://u:p%40ss%2Fword@db/x', [leaky]).catch((e: unknown) => e)) as StoreError;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe('cannot connect with postgres://u:***@db/x (password ***)');
    expect(error.stack).not.toContain('p@ss');
  });
});

describe('showing a target', () => {
  it('replaces a password in the user part or a password parameter', () => {
    expect(redactUrl('postgres://skills:s3cret@db:5432/skills')).toBe('postgres://skills:***@db:5432/skills');
    expect(redactUrl('postgres://db/skills?user=a&password=s3cret')).toBe('postgres://db/skills?user=a&password=***');
    expect(redactUrl('postgres://skills@db/skills')).toBe('postgres://skills@db/skills');
  });

  it('keeps only the scheme of a URL that does not parse', () => {
    expect(redactUrl('postgres://us er:pw@[bad')).toBe('postgres://***');
  });

  it("uses the engine's describe, or redacts when no engine opens the target", () => {
    const sqlite = engine('sqlite', ['sqlite:'], true);
    expect(describeStore('x.db', [sqlite])).toBe('sqlite:***');
    expect(describeStore('postgres://a:pw@h/d', [sqlite])).toBe('postgres://a:***@h/d');
    expect(describeStore('x.db', [])).toBe('x.db');
  });
});
