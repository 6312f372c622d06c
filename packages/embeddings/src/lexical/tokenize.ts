/**
 * A word of a text as the lexical embedder sees it (see {@link tokenize}).
 * `text` is lowercase with accents removed; `parts` are its pieces when it was a compound
 * (`type-check` -> `type`, `check`; `getUserId` -> `get`, `user`, `id`; `node.js` -> `node`, `js`).
 *
 * @example
 * const [token]: Token[] = tokenize('type-check'); // { text: 'typecheck', parts: ['type', 'check'] }
 */
export interface Token {
  readonly text: string;
  readonly parts: readonly string[];
}

// A run of letters/digits, optionally glued by . _ - ' / (node.js, pre-commit, don't) and
// optionally ending in ++ or # (c++, c#, f#).
const WORD = /[\p{L}\p{N}]+(?:['’._\-/][\p{L}\p{N}]+)*(?:\+\+|#)?/gu;
const COMBINING_MARKS = /\p{M}+/gu;
const SEPARATORS = /[._\-/]/;

/**
 * Splits a text into tokens: Unicode letters and digits, lowercased, accents removed,
 * apostrophes dropped (`don't` -> `dont`, `user's` -> `users`), compounds kept whole and in parts.
 *
 * @example
 * tokenize('Fix getUserId in node.js'); // fix, getuserid [get,user,id], in, nodejs [node,js]
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.normalize('NFKD').replace(COMBINING_MARKS, '').matchAll(WORD)) {
    const raw = match[0].replace(/['’]/g, '');
    const pieces = raw.split(SEPARATORS).filter(Boolean);
    const parts: string[] = [];
    for (const piece of pieces) {
      // camelCase / PascalCase / acronym boundaries: getUserID -> get, User, ID; JSONParser -> JSON, Parser.
      const camel = piece.split(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u);
      for (const c of camel) if (c) parts.push(c.toLowerCase());
    }
    const whole = pieces.join('').toLowerCase();
    tokens.push({ text: whole, parts: parts.length > 1 ? parts : [] });
  }
  return tokens;
}
