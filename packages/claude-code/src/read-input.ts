import { readSync } from 'node:fs';

/**
 * Reads stdin to its end as UTF-8, keeping its first `maxBytes` (the rest is read and dropped).
 * Reads synchronously: setting up the `process.stdin` stream costs a tool hook several
 * milliseconds, and the command has nothing else to do meanwhile. A non-blocking stdin (EAGAIN:
 * its writer made the pipe so) is read on through the stream from where the reads stopped; no
 * stdin at all (EBADF) reads as ''.
 */
export async function readInput(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const keep = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  };
  const buffer = Buffer.allocUnsafe(64 * 1024);
  try {
    for (let n; (n = readSync(0, buffer, 0, buffer.length, null)) > 0; ) keep(Buffer.from(buffer.subarray(0, n)));
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return Buffer.concat(chunks).toString('utf8');
  }
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) keep(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
