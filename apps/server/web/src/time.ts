/** Times shown relative ("5 minutes ago") with the exact time in a `<time>` element. */

import { h, type Child } from './dom.js';
import { formatDateTimeUtc, formatRelative } from './format.js';

/** `<time datetime="ISO" title="2026-11-20 14:05 UTC">5 minutes ago</time>`, or "—". */
export function timeAgo(iso: string | null, now: number): Child {
  if (iso === null) return '—';
  return h('time', { datetime: iso, title: `${formatDateTimeUtc(iso)} (${iso})` }, formatRelative(iso, now));
}
