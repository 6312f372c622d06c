import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize.js';

const texts = (s: string) => tokenize(s).map((t) => t.text);

describe('tokenize', () => {
  it('lowercases, drops accents and apostrophes', () => {
    expect(texts("Don't Café RÉSUMÉ user's")).toEqual(['dont', 'cafe', 'resume', 'users']);
  });

  it('keeps compounds whole and in parts', () => {
    const [a, b, c] = tokenize('node.js type-check getUserID');
    expect(a).toEqual({ text: 'nodejs', parts: ['node', 'js'] });
    expect(b).toEqual({ text: 'typecheck', parts: ['type', 'check'] });
    expect(c).toEqual({ text: 'getuserid', parts: ['get', 'user', 'id'] });
  });

  it('keeps programming names like c++ and c#', () => {
    expect(texts('port it from C++ to C# (or F#)')).toEqual(['port', 'it', 'from', 'c++', 'to', 'c#', 'or', 'f#']);
  });

  it('handles other scripts and digits', () => {
    expect(texts('日本語 テスト python3 v2.0')).toEqual(['日本語', 'テスト', 'python3', 'v20']);
  });
});
