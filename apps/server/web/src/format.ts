/** How numbers, rates, durations and times read on the page. */

import type { RateInterval } from '@skills/protocol';

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const DASH = '—';

/** 1234 → "1,234". */
export function formatInt(n: number): string {
  return intFormat.format(n);
}

const COMPACT_UNITS = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
] as const;

/**
 * A count in a few characters, for chart axes: 950 → "950", 100000 → "100k", 1500000 → "1.5M".
 * `step` (the axis' tick spacing) sets the decimals, so that ticks 1M and 1.02M stay distinct.
 */
export function formatCompact(n: number, step = 1): string {
  const abs = Math.abs(n);
  const unit = COMPACT_UNITS.find(([size]) => abs >= size);
  if (!unit) return formatInt(n);
  const [size, suffix] = unit;
  const digits = step > 0 && step < size ? Math.min(3, Math.ceil(Math.log10(size / step) - 1e-9)) : 0;
  // toFixed then Number drops the zeros a round tick would show ("1.0M" → "1M").
  return `${Number((n / size).toFixed(digits))}${suffix}`;
}

/** 0.875 → "87.5%"; null → "—". */
export function formatPercent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return DASH;
  return `${(rate * 100).toFixed(digits)}%`;
}

/** { low: 0.8, high: 0.93 } → "80–93%". */
export function formatInterval(interval: RateInterval): string {
  return `${Math.round(interval.low * 100)}–${Math.round(interval.high * 100)}%`;
}

/** "87.5% (80–93%)", or "87.5%" with no interval, or "—". */
export function formatRateWithInterval(rate: number | null, interval: RateInterval | null): string {
  if (rate === null) return DASH;
  return interval ? `${formatPercent(rate)} (${formatInterval(interval)})` : formatPercent(rate);
}

/** Seconds → "340 ms", "4.2 s", "38 s", "2.5 min", "1.3 h"; null → "—". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** How long before `now` the ISO time `iso` was: "just now", "5 minutes ago", "yesterday". */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 86400 * 45) return relative.format(Math.round(seconds / 86400), 'day');
  if (abs < 86400 * 365) return relative.format(Math.round(seconds / (86400 * 30)), 'month');
  return relative.format(Math.round(seconds / (86400 * 365)), 'year');
}

/** "2026-11-20" (UTC) of an ISO time or epoch milliseconds. */
export function formatDateUtc(time: string | number): string {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? String(time) : d.toISOString().slice(0, 10);
}

/** "2026-11-20 14:05 UTC" of an ISO time or epoch milliseconds. */
export function formatDateTimeUtc(time: string | number): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return String(time);
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "1 day", "3 days". */
export function plural(n: number, word: string): string {
  return `${formatInt(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** A skill's phase for people: null reads "(no phase)". */
export function phaseLabel(phase: string | null): string {
  return phase === null ? '(no phase)' : phase;
}
