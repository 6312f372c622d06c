import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.js';

const native = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sha256Hex', () => {
  it('gives the standard test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('equals node:crypto at every padding boundary and for text beyond ASCII', () => {
    for (let n = 0; n <= 130; n++) expect(sha256Hex('x'.repeat(n))).toBe(native('x'.repeat(n)));
    for (const text of ['größe', 'ファイル', '🚀 launch', 'CREATE TABLE t (id INTEGER);\n'.repeat(40)]) expect(sha256Hex(text)).toBe(native(text));
  });
});
