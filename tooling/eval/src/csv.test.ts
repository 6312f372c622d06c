import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv, readLabelledCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads plain and quoted fields, doubled quotes, commas and line breaks inside quotes', () => {
    const text = 'query,skill\n"say ""hi"", then go",greeter\n"two\nlines",a,b\r\nplain,x\n';
    expect(parseCsv(text)).toEqual([
      ['query', 'skill'],
      ['say "hi", then go', 'greeter'],
      ['two\nlines', 'a', 'b'],
      ['plain', 'x'],
    ]);
  });

  it('keeps empty fields, skips a byte-order mark, needs no final line break', () => {
    expect(parseCsv('\ufeffa,,c\n,"",\nlast,row')).toEqual([
      ['a', '', 'c'],
      ['', '', ''],
      ['last', 'row'],
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('reads the MetaTool style of a quoted field holding quotes', () => {
    expect(parseCsv('"""Can you help?""",Tool\n')).toEqual([['"Can you help?"', 'Tool']]);
  });

  it('rejects malformed quoting with the line', () => {
    expect(() => parseCsv('a,b\n"open,c\n')).toThrow(CsvError);
    expect(() => parseCsv('a,b\n"open,c\n')).toThrow(/not closed/);
    expect(() => parseCsv('a,"b"c\n')).toThrow(/after a closing quote \(line 1\)/);
    expect(() => parseCsv('x\nab"c,d\n')).toThrow(/line 2/);
  });
});

describe('readLabelledCsv', () => {
  it('finds the columns by header, in any order', () => {
    expect(readLabelledCsv('skill,extra,query\nbuilder,1,fix the build\n')).toEqual([{ query: 'fix the build', skill: 'builder' }]);
  });

  it('takes the first two columns without a header, and skips incomplete rows', () => {
    expect(readLabelledCsv('fix the build,builder\n,empty\nno skill,\n  run tests ,  tester \n')).toEqual([
      { query: 'fix the build', skill: 'builder' },
      { query: 'run tests', skill: 'tester' },
    ]);
  });
});
