import { describe, expect, it } from 'vitest';
import { ProjectCache } from './project-cache.js';

describe('ProjectCache', () => {
  it('keeps the value of a project, and at most max of them: the least recently used idle one goes', () => {
    const dropped: string[] = [];
    const busy = new Set<string>();
    const cache = new ProjectCache(2, (project) => ({ project }), { idle: (v) => !busy.has(v.project), drop: (v) => void dropped.push(v.project) });
    const a = cache.get('a');
    expect(cache.get('a')).toBe(a);
    cache.get('b');
    cache.get('a'); // b is now the least recently used
    cache.get('c');
    expect(dropped).toEqual(['b']);
    expect(cache.get('a')).toBe(a);

    busy.add('c');
    cache.get('d'); // c is the least recently used, but busy: a goes
    expect(dropped).toEqual(['b', 'a']);
    expect(cache.get('a')).not.toBe(a);
    expect(cache.size).toBe(2);
  });

  it('exceeds max while every other value is busy, and shrinks back once they are idle', () => {
    const busy = new Set(['a', 'b']);
    const cache = new ProjectCache(2, (project) => project, { idle: (p) => !busy.has(p) });
    for (const p of ['a', 'b', 'c']) cache.get(p);
    expect(cache.size).toBe(3);
    busy.clear();
    cache.get('d');
    expect([...cache.values()]).toEqual(['c', 'd']);
  });
});
