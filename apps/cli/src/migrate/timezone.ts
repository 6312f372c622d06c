/** The parts of a wall-clock time with no zone, as the legacy tool wrote them. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A timestamp text split into wall time and its zone (`Z`, `+02:00`), or null when it is not one. */
export function parseTimestamp(text: string): { wall: WallTime; zone: string | null } | null {
  const m = NAIVE.exec(text.trim());
  if (!m) return null;
  const wall: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    millisecond: Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3)),
  };
  const check = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  if (
    check.getUTCFullYear() !== wall.year ||
    check.getUTCMonth() !== wall.month - 1 ||
    check.getUTCDate() !== wall.day ||
    check.getUTCHours() !== wall.hour ||
    check.getUTCMinutes() !== wall.minute ||
    wall.second > 59
  ) {
    return null;
  }
  return { wall, zone: m[8] ?? null };
}

/** True when `zone` is an IANA zone name this runtime knows, e.g. `Europe/Paris`. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds `zone`'s wall clock is ahead of UTC at the instant `utcMs`. */
export function zoneOffsetMs(zone: string, utcMs: number): number {
  let dtf = formatters.get(zone);
  if (!dtf) {
    dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, dtf);
  }
  const at = Math.floor(utcMs / 1000) * 1000;
  const parts = Object.fromEntries(dtf.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(
    Number(parts['year']),
    Number(parts['month']) - 1,
    Number(parts['day']),
    Number(parts['hour']) % 24,
    Number(parts['minute']),
    Number(parts['second']),
  );
  return asUtc - at;
}

/**
 * The instant a wall-clock time denotes in `zone` (an IANA name), or in this process's local
 * zone when `zone` is undefined. In a daylight-saving gap the earlier offset is used; in an
 * overlap, the first occurrence.
 *
 * @example
 * wallTimeToInstant(parseTimestamp('2026-07-01T12:00:00')!.wall, 'Europe/Paris').toISOString(); // '2026-07-01T10:00:00.000Z'
 */
export function wallTimeToInstant(wall: WallTime, zone?: string): Date {
  const { year, month, day, hour, minute, second, millisecond } = wall;
  if (zone === undefined) return new Date(year, month - 1, day, hour, minute, second, millisecond);
  const guess = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  // The offsets in force half a day either side cover any transition near this time.
  const before = guess - zoneOffsetMs(zone, guess - 43_200_000);
  const after = guess - zoneOffsetMs(zone, guess + 43_200_000);
  const valid = [before, after].filter((c) => c + zoneOffsetMs(zone, c) === guess);
  return new Date(valid.length > 0 ? Math.min(...valid) : before);
}

/** A timestamp text (zone or none) as a UTC ISO instant; naive times read in `zone` or locally. */
export function toUtcIso(text: string, zone?: string): string | null {
  const parsed = parseTimestamp(text);
  if (!parsed) return null;
  if (parsed.zone === null) return wallTimeToInstant(parsed.wall, zone).toISOString();
  const { year, month, day, hour, minute, second, millisecond } = parsed.wall;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  if (parsed.zone === 'Z') return new Date(utc).toISOString();
  const sign = parsed.zone.startsWith('-') ? -1 : 1;
  const digits = parsed.zone.slice(1).replace(':', '');
  const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
  return new Date(utc - sign * offset).toISOString();
}
