import { sql, type RawBuilder } from 'kysely';

/**
 * How an invocation id is stored. A UUID in its canonical lowercase text form (what
 * `newInvocationId` makes) is stored as its 16 bytes, less than half its 36 characters, in the
 * row and in the unique index; any other id (imports may carry anything) is stored as its text.
 * The conversion is exact both ways: only the canonical form is converted, and it is the form
 * the bytes are read back in.
 */
export type StoredId = Buffer | string;

/** The hex value of a lowercase hex digit's char code, or -1. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[97 + i] = 10 + i;

const HEX_PAIR: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * The stored form of an id: 16 bytes for a canonical lowercase UUID, else the text itself.
 *
 * @example
 * toStoredId('01936f0e-8c2a-7c3d-9f4e-2b1a0c9d8e7f').length; // 16 (a Buffer)
 * toStoredId('inv-000001'); // 'inv-000001'
 */
export function toStoredId(id: string): StoredId {
  if (id.length !== 36) return id;
  const bytes = Buffer.allocUnsafe(16);
  let b = 0;
  for (let i = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 45) return id;
      i++;
      continue;
    }
    const hi = id.charCodeAt(i);
    const lo = id.charCodeAt(i + 1);
    const h = hi < 128 ? HEX_VALUE[hi]! : -1;
    const l = lo < 128 ? HEX_VALUE[lo]! : -1;
    if (h < 0 || l < 0) return id;
    bytes[b++] = (h << 4) | l;
    i += 2;
  }
  return bytes;
}

/** The id a stored value stands for (the inverse of {@link toStoredId}). */
export function fromStoredId(stored: Uint8Array | string): string {
  if (typeof stored === 'string') return stored;
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX_PAIR[stored[i]!]!;
  }
  return out;
}

/**
 * The id column as its text, in SQL: for ordering ties by id exactly as the ids compare as
 * text, whichever way each is stored (a BLOB would otherwise sort after every TEXT).
 */
export function idText(column = 'invocations.id'): RawBuilder<string> {
  const ref = sql.ref(column);
  const part = (start: number, length?: number) =>
    length === undefined ? sql`substr(hex(${ref}), ${sql.lit(start)})` : sql`substr(hex(${ref}), ${sql.lit(start)}, ${sql.lit(length)})`;
  return sql<string>`(CASE WHEN typeof(${ref}) = 'blob' THEN lower(${part(1, 8)} || '-' || ${part(9, 4)} || '-' || ${part(13, 4)} || '-' || ${part(17, 4)} || '-' || ${part(21)}) ELSE ${ref} END)`;
}
