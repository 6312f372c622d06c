import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads the units people write', () => {
    expect(parseDuration('90d')).toBe(90 * 86_400);
    expect(parseDuration('12h')).toBe(43_200);
    expect(parseDuration('30m')).toBe(1_800);
    expect(parseDuration('45s')).toBe(45);
    expect(parseDuration('2w')).toBe(1_209_600);
    expect(parseDuration('1d12h')).toBe(129_600);
    expect(parseDuration('1.5h')).toBe(5_400);
    expect(parseDuration('250ms')).toBe(0.25);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '7', 'd', '7days', '-7d', '7d ago', '7 d', 'abc']) expect(parseDuration(bad)).toBeNull();
  });
});

describe('formatDuration', () => {
  it('picks a unit people read at a glance', () => {
    expect(formatDuration(0.0123)).toBe('12 ms');
    expect(formatDuration(4.25)).toBe('4.3 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatDuration(7_800)).toBe('2h 10m');
    expect(formatDuration(3 * 86_400 + 4 * 3_600)).toBe('3d 4h');
    expect(formatDuration(null)).toBe('-');
  });
});
