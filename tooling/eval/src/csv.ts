import { parseCsv } from '@skills/tracker';

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
  const table = parseCsv(text);
  const rows = [table.header, ...table.rows.map((r) => r.fields)];
  if (table.header.length === 0) return [];
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
