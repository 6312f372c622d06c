/** One data row of a CSV file: its fields, and the line it starts on (the header is line 1). */
export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

/** A parsed CSV file: the header's fields and the data rows. */
export interface CsvTable {
  readonly header: string[];
  readonly rows: CsvRow[];
}

/** The CSV text is malformed at `line` (an unterminated quote, a stray quote). */
export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

/**
 * Parses RFC 4180 CSV: comma-separated, fields optionally in double quotes (`""` is a quote
 * inside them, and they may span lines), LF or CRLF line ends, a byte-order mark ignored.
 * Blank lines are skipped. The first row is the header.
 *
 * @example
 * parseCsv('query,skill\n"run the tests, fast",test-runner\n').rows[0].fields; // ['run the tests, fast', 'test-runner']
 */
export function parseCsv(text: string): CsvTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = src[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(line, 'unexpected character after a closing quote (quote the whole field, and write "" for a quote)');
        }
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== '') throw new CsvSyntaxError(line, 'a quote inside an unquoted field (quote the whole field, and write "" for a quote)');
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += c;
    fieldStarted = true;
    i++;
  }
  if (quoted) throw new CsvSyntaxError(recordLine, 'a quoted field is never closed');
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  const [header, ...rows] = records;
  return { header: header?.fields.map((h) => h.trim()) ?? [], rows };
}
