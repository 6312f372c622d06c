/**
 * The heat map's colour scale: ColorBrewer RdYlBu (red → yellow → blue), diverging and readable
 * with the common colour-vision deficiencies. Text on a colour is black or white, whichever
 * contrasts more.
 */

type Rgb = readonly [number, number, number];

const STOPS: readonly Rgb[] = [
  [0xd7, 0x19, 0x1c],
  [0xfd, 0xae, 0x61],
  [0xff, 0xff, 0xbf],
  [0xab, 0xd9, 0xe9],
  [0x2c, 0x7b, 0xb6],
];

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** The colour of a success rate (0..1). */
export function rateColour(rate: number): string {
  const t = Math.min(1, Math.max(0, rate)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(t));
  const f = t - i;
  const a = STOPS[i]!;
  const b = STOPS[i + 1]!;
  return hex([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]);
}

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(colour: string): number {
  const n = Number.parseInt(colour.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/** Black or white text, whichever has the higher contrast on `background` (`#rrggbb`). */
export function textOn(background: string): string {
  const l = luminance(background);
  // Pure black, not a near-black: then one of the two reaches at least 4.58:1 on any colour (WCAG AA).
  const onBlack = (l + 0.05) / 0.05;
  const onWhite = 1.05 / (l + 0.05);
  return onBlack >= onWhite ? '#000000' : '#ffffff';
}
