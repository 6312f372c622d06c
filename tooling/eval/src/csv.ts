/**
 * A CSV error with the line where it happened.
 *
 * @example
 * try { parseCsv('"open'); } catch (e) { if (e instanceof CsvError) console.error(e.line); }
 */
export class CsvError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`${message} (line ${line})`);
    this.name = 'CsvError';
    this.line = line;
  }
}

/**
 * Parses RFC 4180 CSV: fields separated by commas, rows by LF or CRLF; a quoted field may hold
 * commas, line breaks and doubled quotes (`""` is one `"`). A leading byte-order mark and one
 * final line break are ignored. Every row is returned, the header too.
 *
 * @example
 * parseCsv('query,skill\n"say ""hi"", then go",greeter\n'); // [['query', 'skill'], ['say "hi", then go', 'greeter']]
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = '';
    fieldStarted = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvError('unexpected text after a closing quote', line);
        }
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (fieldStarted) throw new CsvError('a quote inside an unquoted field', line);
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      fieldStarted = false;
      i++;
    } else if (c === '\r' || c === '\n') {
      endRow();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
    } else {
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new CsvError('a quoted field is not closed', line);
  if (fieldStarted || row.length > 0) endRow();
  return rows;
}

/** One labelled example: a query and the skill that should serve it. */
export interface LabelledQuery {
  readonly query: string;
  readonly skill: string;
}

/**
 * Reads `query,skill` rows. The header names the columns (`query` and `skill`, any order,
 * other columns ignored); without such a header the first two columns are taken. Rows with an
 * empty query or skill are skipped.
 *
 * @example
 * readLabelledCsv('query,skill\nfix the build,builder\n'); // [{ query: 'fix the build', skill: 'builder' }]
 */
export function readLabelledCsv(text: string): LabelledQuery[] {
  const rows = parseCsv(text);
  if (rows.length === 0) return [];
  const header = rows[0]!.map((h) => h.trim().toLowerCase());
  let q = header.indexOf('query');
  let s = header.indexOf('skill');
  let body = rows.slice(1);
  if (q < 0 || s < 0) {
    q = 0;
    s = 1;
    body = rows;
  }
  const out: LabelledQuery[] = [];
  for (const row of body) {
    const query = row[q]?.trim() ?? '';
    const skill = row[s]?.trim() ?? '';
    if (query && skill) out.push({ query, skill });
  }
  return out;
}
