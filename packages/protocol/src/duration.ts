// Durations as people write them (`7d`, `12h`) and read them (`2m 05s`): shared by the command's
// options and the MCP tools' arguments (`skill_stats` `since`), so both accept the same forms.

const UNITS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3_600,
  d: 86_400,
  w: 604_800,
};

/**
 * Seconds in a duration written like `90d`, `12h`, `30m`, `45s`, `2w` or `1d12h`.
 * Returns null when the text is not such a duration.
 *
 * @example
 * parseDuration('7d'); // 604800
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return null;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let seconds = 0;
  let end = 0;
  let match: RegExpExecArray | null;
  while ((match = part.exec(trimmed)) !== null) {
    seconds += Number(match[1]) * UNITS[match[2]!]!;
    end = part.lastIndex;
  }
  return end === trimmed.length && end > 0 ? seconds : null;
}

/**
 * A duration for people: `850 ms`, `4.2 s`, `3m 05s`, `2h 10m`, `3d 4h`.
 *
 * @example
 * formatDuration(125); // '2m 05s'
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const total = Math.round(seconds);
  if (total < 3_600) return `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
  if (total < 86_400) return `${Math.floor(total / 3_600)}h ${String(Math.floor((total % 3_600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(total / 86_400)}d ${Math.floor((total % 86_400) / 3_600)}h`;
}
