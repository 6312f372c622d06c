/**
 * The journal mode recorded in a SQLite file's header: bytes 18 and 19 are 2 in WAL mode, 1 in
 * rollback-journal mode. Null when the file is not a SQLite database.
 */
export function journalModeFromHeader(header: Uint8Array): 'wal' | 'rollback' | null {
  const magic = 'SQLite format 3\u0000';
  if (header.length < 20 || new TextDecoder().decode(header.subarray(0, 16)) !== magic) return null;
  return header[18] === 2 && header[19] === 2 ? 'wal' : 'rollback';
}
