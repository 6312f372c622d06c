/** A list of names as stored: JSON text, or NULL when empty (most lists are). */
export function encodeList(list: readonly string[] | undefined): string | null {
  return list && list.length > 0 ? JSON.stringify(list) : null;
}

/** The list a stored value stands for. */
export function decodeList(stored: string | null): string[] {
  return stored === null ? [] : (JSON.parse(stored) as string[]);
}
