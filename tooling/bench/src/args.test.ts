import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';

const ROOT = '/repo';
const latest = resolve(ROOT, 'bench-results', 'latest.json');
const partial = resolve(ROOT, 'bench-results', 'partial.json');

describe('pnpm bench arguments', () => {
  it('writes the committed latest.json only for a full run of every suite', () => {
    expect(parseArgs([], ROOT).out).toBe(latest);
    expect(parseArgs(['--check'], ROOT).out).toBe(latest);
    expect(parseArgs(['--only', 'noop,direct,mcp,hooks,recommend,learned,postgres'], ROOT).out).toBe(latest);
    expect(parseArgs(['--only', 'noop,direct,mcp,hooks,recommend,learned'], ROOT).out).toBe(partial);
  });

  it('sends a quick, tiny or partial run elsewhere, never over latest.json', () => {
    expect(parseArgs(['--quick'], ROOT)).toMatchObject({ out: partial, plan: { mode: 'quick' } });
    expect(parseArgs(['--tiny'], ROOT).out).toBe(partial);
    expect(parseArgs(['--only', 'direct'], ROOT)).toMatchObject({ out: partial, only: ['direct'], plan: { mode: 'full' } });
    expect(parseArgs(['--quick', '--only', 'hooks,mcp'], ROOT).out).toBe(partial);
    expect(parseArgs(['--only', 'learned'], ROOT)).toMatchObject({ out: partial, only: ['learned'] });
    expect(parseArgs(['--quick', '--only', 'postgres'], ROOT)).toMatchObject({ out: partial, only: ['postgres'], plan: { mode: 'quick' } });
  });

  it('writes where --out says, whatever the mode', () => {
    expect(parseArgs(['--quick', '--out', '/tmp/b.json'], ROOT).out).toBe('/tmp/b.json');
    expect(parseArgs(['--out', 'x.json'], ROOT).out).toBe(resolve('x.json'));
  });

  it('refuses unknown suites and arguments, naming them', () => {
    expect(() => parseArgs(['--only', 'direct,nope'], ROOT)).toThrow('unknown suite nope (known: noop, direct, mcp, hooks, recommend, learned, postgres)');
    expect(() => parseArgs(['--fast'], ROOT)).toThrow('unknown argument --fast');
    expect(() => parseArgs(['--out'], ROOT)).toThrow('--out needs a value');
  });
});
