import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTimeZone, parseTimestamp, toUtcIso, wallTimeToInstant, zoneOffsetMs } from './timezone.js';

describe('parseTimestamp', () => {
  it('reads the legacy naive form with microseconds, and zones when present', () => {
    expect(parseTimestamp('2026-02-01T10:00:00.123456')).toEqual({
      wall: { year: 2026, month: 2, day: 1, hour: 10, minute: 0, second: 0, millisecond: 123 },
      zone: null,
    });
    expect(parseTimestamp('2026-02-01 10:00')?.wall.minute).toBe(0);
    expect(parseTimestamp('2026-02-01T10:00:00+05:30')?.zone).toBe('+05:30');
  });

  it('refuses dates that do not exist and other shapes', () => {
    for (const bad of ['2026-02-30T10:00:00', '2026-13-01T00:00:00', '2026-02-01T24:00:00', 'yesterday', '2026-02-01', '']) {
      expect(parseTimestamp(bad)).toBeNull();
    }
  });
});

describe('toUtcIso', () => {
  it('reads naive times in the given zone, across daylight saving', () => {
    expect(toUtcIso('2026-01-15T12:00:00', 'Europe/Paris')).toBe('2026-01-15T11:00:00.000Z');
    expect(toUtcIso('2026-07-15T12:00:00.5', 'Europe/Paris')).toBe('2026-07-15T10:00:00.500Z');
    expect(toUtcIso('2026-07-15T12:00:00', 'America/New_York')).toBe('2026-07-15T16:00:00.000Z');
    expect(toUtcIso('2026-07-15T12:00:00', 'UTC')).toBe('2026-07-15T12:00:00.000Z');
    expect(toUtcIso('2026-07-15T12:00:00', 'Asia/Kolkata')).toBe('2026-07-15T06:30:00.000Z');
  });

  it('picks the first occurrence in an autumn overlap and the earlier offset in a spring gap', () => {
    // Paris: 2026-10-25 03:00 CEST -> 02:00 CET, so 02:30 happens twice.
    expect(toUtcIso('2026-10-25T02:30:00', 'Europe/Paris')).toBe('2026-10-25T00:30:00.000Z');
    // Paris: 2026-03-29 02:00 -> 03:00, so 02:30 never happens; read with the winter offset.
    expect(toUtcIso('2026-03-29T02:30:00', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z');
  });

  it('honours an explicit zone in the text over the option', () => {
    expect(toUtcIso('2026-07-15T12:00:00Z', 'Europe/Paris')).toBe('2026-07-15T12:00:00.000Z');
    expect(toUtcIso('2026-07-15T12:00:00-0230', 'Europe/Paris')).toBe('2026-07-15T14:30:00.000Z');
  });

  it('round-trips: the instant shows the same wall time in its zone (outside gaps)', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Sydney', 'Asia/Tokyo', 'America/Sao_Paulo'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }),
        (zone, t) => {
          const instant = Math.floor(t / 1000) * 1000;
          const wall = new Date(instant + zoneOffsetMs(zone, instant));
          const back = wallTimeToInstant(
            {
              year: wall.getUTCFullYear(),
              month: wall.getUTCMonth() + 1,
              day: wall.getUTCDate(),
              hour: wall.getUTCHours(),
              minute: wall.getUTCMinutes(),
              second: wall.getUTCSeconds(),
              millisecond: 0,
            },
            zone,
          ).getTime();
          // Same instant, or the first of two in an overlap: both show the same wall time.
          expect(back + zoneOffsetMs(zone, back)).toBe(instant + zoneOffsetMs(zone, instant));
          expect(back).toBeLessThanOrEqual(instant);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('knows real zone names only', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
