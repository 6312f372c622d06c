import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The page's files, built into `dist/web` by `scripts/build-web.mjs`: the only ones served. */
const FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
} as const;

/**
 * Everything the page may load comes from this server; nothing inline, nothing from elsewhere.
 * Styles set through the CSSOM (the heat map's colours) are not inline styles to CSP.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface LoadedFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** The dashboard's page, script and styles, read once into memory. */
export class StaticFiles {
  readonly #files: ReadonlyMap<string, LoadedFile>;

  private constructor(files: ReadonlyMap<string, LoadedFile>) {
    this.#files = files;
  }

  /** Reads the built page; `missing` when it was not built (the server then explains how). */
  static load(dir: URL = new URL('../../dist/web/', import.meta.url)): StaticFiles | 'missing' {
    const files = new Map<string, LoadedFile>();
    for (const [path, { file, type }] of Object.entries(FILES)) {
      const url = new URL(file, dir);
      if (!existsSync(url)) return 'missing';
      const body = readFileSync(url);
      files.set(path, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    }
    return new StaticFiles(files);
  }

  /** True when `path` names one of the files. */
  has(path: string): boolean {
    return this.#files.has(path);
  }

  /** Sends the file at `path` (which {@link has}), or 304 when the client holds this version. */
  send(req: IncomingMessage, res: ServerResponse, path: string): void {
    const f = this.#files.get(path)!;
    // Revalidated on every load: a rebuilt server's page is never mixed with an old script.
    const headers = { ...SECURITY_HEADERS, etag: f.etag, 'cache-control': 'no-cache' };
    if (req.headers['if-none-match'] === f.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': f.type, 'content-length': String(f.body.length) });
    res.end(req.method === 'HEAD' ? undefined : f.body);
  }
}
