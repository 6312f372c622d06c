import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and newlines, CRLF, and a BOM', () => {
    const text = '\ufeffquery,skill\r\n"run the tests, fast",test-runner\r\n"say ""hi""\nthere",greeter\r\n\r\nplain,linter';
    const { header, rows } = parseCsv(text);
    expect(header).toEqual(['query', 'skill']);
    expect(rows).toEqual([
      { line: 2, fields: ['run the tests, fast', 'test-runner'] },
      { line: 3, fields: ['say "hi"\nthere', 'greeter'] },
      { line: 6, fields: ['plain', 'linter'] },
    ]);
  });

  it('keeps empty trailing fields', () => {
    expect(parseCsv('a,b,c\nx,,\n').rows).toEqual([{ line: 2, fields: ['x', '', ''] }]);
  });

  it('names the line of a malformed quote', () => {
    expect(() => parseCsv('a,b\n"open,x\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\nx,y"z\n')).toThrow(/line 2: a quote inside an unquoted field/);
    expect(() => parseCsv('a,b\n"x"y,z\n')).toThrow(/line 2: unexpected character after a closing quote/);
  });
});

describe('parseCsv quoting', () => {
  it('reads doubled quotes, commas and line breaks inside quotes, CRLF, a byte-order mark, no final line break', () => {
    const { header, rows } = parseCsv('\ufeffquery,skill\r\n"say ""hi"", then go",greeter\n"two\nlines",a,b\r\nlast,row');
    expect(header).toEqual(['query', 'skill']);
    expect(rows.map((r) => r.fields)).toEqual([['say "hi", then go', 'greeter'], ['two\nlines', 'a', 'b'], ['last', 'row']]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 5]);
  });

  it('keeps empty fields, and a field that is only quotes', () => {
    expect(parseCsv('a,b,c\n,"",\n"""Can you help?""",Tool\n').rows.map((r) => r.fields)).toEqual([
      ['', '', ''],
      ['"Can you help?"', 'Tool'],
    ]);
  });
});
