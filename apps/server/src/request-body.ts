import type { IncomingMessage } from 'node:http';

/** A JSON body, or why it was refused: the HTTP status and the JSON-RPC error to answer. */
export type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; code: number; message: string };

/**
 * Reads a JSON body of at most `maxBytes`: a `Content-Length` above it is refused before a byte
 * is read, and a body that grows past it (chunked) is refused as soon as it does, so no more
 * than `maxBytes` is ever held, and nothing too large is parsed.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const tooLarge: BodyResult = {
    ok: false,
    status: 413,
    code: -32600,
    message: `request body too large: the limit is ${maxBytes} bytes; send smaller batches`,
  };
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        req.pause();
        return done(tooLarge);
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      try {
        done({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      } catch {
        done({ ok: false, status: 400, code: -32700, message: 'Parse error: the body is not JSON' });
      }
    };
    const onError = () => done({ ok: false, status: 400, code: -32600, message: 'the request body could not be read' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    // A client that goes away mid-body: no 'end' comes, and the request must still finish.
    req.on('close', onError);
  });
}
