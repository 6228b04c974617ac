// Formatting of times, durations, counts and sizes. Times are epoch
// seconds; they are shown in UTC unless the analyst chose local time.

import type { TimeZoneMode } from './prefs';

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function parts(epoch: number, tz: TimeZoneMode): Parts {
  const t = new Date(epoch * 1000);
  if (tz === 'utc') {
    return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds() };
  }
  return { y: t.getFullYear(), mo: t.getMonth() + 1, d: t.getDate(), h: t.getHours(), mi: t.getMinutes(), s: t.getSeconds() };
}

/** The offset of local time at epoch, as "UTC+01:00". */
export function localOffset(epoch: number): string {
  const off = -new Date(epoch * 1000).getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `UTC${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** The zone name shown next to times. */
export function zoneLabel(tz: TimeZoneMode, epoch = Date.now() / 1000): string {
  return tz === 'utc' ? 'UTC' : `local, ${localOffset(epoch)}`;
}

/**
 * Formats a time as "2026-11-26 02:03" (with seconds when asked). Zero or
 * a missing time is shown as an en dash.
 */
export function formatTime(epoch: number | undefined | null, tz: TimeZoneMode, seconds = false): string {
  if (!epoch) return '–';
  const p = parts(epoch, tz);
  const base = `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}`;
  return seconds ? `${base}:${pad(p.s)}` : base;
}

/** Formats the time of day only, "02:03" (for bucket labels). */
export function formatClock(epoch: number, tz: TimeZoneMode, seconds = false): string {
  const p = parts(epoch, tz);
  return seconds ? `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}` : `${pad(p.h)}:${pad(p.mi)}`;
}

/** Formats a date only, "2026-11-26". */
export function formatDate(epoch: number, tz: TimeZoneMode): string {
  const p = parts(epoch, tz);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
}

/** An ISO 8601 UTC timestamp, for <time dateTime> and titles. */
export function isoTime(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
}

/** The text of a time input for epoch in tz: "2026-11-26 02:03". */
export function toInputValue(epoch: number, tz: TimeZoneMode): string {
  const p = parts(epoch, tz);
  const base = `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}`;
  return p.s ? `${base}:${pad(p.s)}` : base;
}

/**
 * Parses a time typed or pasted by the analyst: "2026-11-26 02:03",
 * "2026-11-26T02:03:33" (read in tz), an ISO 8601 time with its zone
 * ("2026-11-26T02:03:33Z", "...+02:00", as CloudTrail writes them), or
 * epoch seconds. Undefined when it is not a time.
 */
export function fromInputValue(value: string, tz: TimeZoneMode): number | undefined {
  const v = value.trim();
  if (/^\d{9,11}$/.test(v)) return Number(v);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(v);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x)));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const zone = m[7];
  let ms: number;
  if (zone) {
    ms = Date.UTC(y, mo - 1, d, h, mi, s);
    if (zone.toUpperCase() !== 'Z') {
      const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
      const off = (Number(z[2]) * 60 + Number(z[3])) * (z[1] === '+' ? 1 : -1);
      ms -= off * 60000;
    }
  } else {
    ms = tz === 'utc' ? Date.UTC(y, mo - 1, d, h, mi, s) : new Date(y, mo - 1, d, h, mi, s).getTime();
  }
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/**
 * Formats a window "2026-11-26 02:19 → 2026-11-26 02:20 UTC", with
 * seconds when either end is not on a minute.
 */
export function formatWindow(w: { scopeStart: number; scopeEnd: number }, tz: TimeZoneMode): string {
  const seconds = w.scopeStart % 60 !== 0 || w.scopeEnd % 60 !== 0;
  return `${formatTime(w.scopeStart, tz, seconds)} → ${formatTime(w.scopeEnd, tz, seconds)} ${zoneLabel(tz, w.scopeStart)}`;
}

/** Formats a length of time, "24 h", "7 d", "22 min", "1 d 6 h". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const min = Math.round(seconds / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const rm = min % 60;
  if (h < 24) return rm ? `${h} h ${rm} min` : `${h} h`;
  const d = Math.floor(h / 24);
  const rh = h % 24;
  return rh ? `${d} d ${rh} h` : `${d} d`;
}

/** Formats how long ago epoch was, relative to now: "3 h ago". */
export function formatAgo(epoch: number, now = Date.now() / 1000): string {
  const d = now - epoch;
  if (d < 0) return 'in the future';
  if (d < 90) return 'just now';
  return `${formatDuration(d).split(' ').slice(0, 2).join(' ')} ago`;
}

const countFormat = new Intl.NumberFormat('en-US');

/** Formats a count with thousands separators. */
export function formatCount(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '–';
  return countFormat.format(n);
}

/** Formats a count compactly: 1.2k, 3.4M. */
export function formatCompact(n: number): string {
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n * 100) / 100);
  if (a < 1e6) return `${(n / 1e3).toFixed(a < 1e4 ? 1 : 0)}k`;
  if (a < 1e9) return `${(n / 1e6).toFixed(a < 1e7 ? 1 : 0)}M`;
  return `${(n / 1e9).toFixed(1)}G`;
}

/** Formats a size in bytes with binary units (KB = 1024 bytes, as AWS bills). */
export function formatBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}

/** Formats a price in US dollars. */
export function formatUSD(n: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(n);
}

/** IANA protocol numbers seen in flow logs, by name. */
const protocols: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP', 58: 'ICMPv6', 132: 'SCTP' };

/** The name of an IANA protocol number ("TCP"), or the number. */
export function protocolName(p: number): string {
  return protocols[p] ?? String(p);
}
