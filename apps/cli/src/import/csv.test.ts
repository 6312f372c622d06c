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
