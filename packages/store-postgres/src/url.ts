import { StoreError } from '@skills/protocol';

/** The URL schemes this engine opens. */
export const POSTGRES_SCHEMES: readonly string[] = Object.freeze(['postgres:', 'postgresql:']);

/** A connection URL checked, with what must never be shown and what may. */
export interface ParsedUrl {
  /** The URL as given, for the driver only. */
  readonly connectionString: string;
  /** The URL without its password (and without a `password` parameter): for messages and `location`. */
  readonly display: string;
  /** Texts that must not appear in any message: the password, raw and URL-encoded. */
  readonly secrets: readonly string[];
}

/**
 * Checks a `postgres://` or `postgresql://` URL and gives the form that may be shown. A URL that
 * does not parse is refused without repeating it (it may hold a password).
 *
 * @example
 * parseUrl('postgres://skills:s3cret@db.example:5432/skills').display; // 'postgres://skills@db.example:5432/skills'
 */
export function parseUrl(url: string): ParsedUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError('url is not a valid URL: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE');
  }
  if (!POSTGRES_SCHEMES.includes(parsed.protocol)) {
    throw new StoreError(`url must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  const secrets = new Set<string>();
  const add = (secret: string) => {
    if (secret === '') return;
    secrets.add(secret);
    secrets.add(safeDecode(secret));
    secrets.add(encodeURIComponent(safeDecode(secret)));
  };
  add(parsed.password);
  const param = parsed.searchParams.get('password');
  if (param !== null) add(param);
  const shown = new URL(parsed.href);
  shown.password = '';
  shown.searchParams.delete('password');
  return { connectionString: url, display: shown.href, secrets: [...secrets].sort((a, b) => b.length - a.length) };
}

/** `text` with every secret replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
