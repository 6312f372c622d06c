import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { named } from './named.js';
import { Prepared } from './prepared.js';

describe('Prepared', () => {
  const db = new Database(':memory:');

  it('binds named parameters by position, repeated names included', () => {
    const statement = new Prepared(db, 'SELECT @a AS a, @b AS b, @a + 1 AS c');
    expect(statement.get({ b: 'x', a: 1, extra: true })).toEqual({ a: 1, b: 'x', c: 2 });
  });

  it('leaves "@" inside string literals and quoted identifiers alone', () => {
    const statement = new Prepared(db, `SELECT '@not' || @yes AS "@col"`);
    expect(statement.get({ yes: '!' })).toEqual({ '@col': '@not!' });
  });

  it('refuses a missing parameter', () => {
    expect(() => new Prepared(db, 'SELECT @a').get({})).toThrow(/missing parameter @a/);
  });
});

describe('named', () => {
  it('refuses anything but an identifier', () => {
    expect(() => named('a; DROP TABLE x')).toThrow(/not a parameter name/);
  });
});
