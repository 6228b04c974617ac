// The scope: the time an investigation looks at, [scopeStart, scopeEnd) in
// epoch seconds, kept in the URL as Detective keeps it.

import type { Scope } from '../api/types';

/** The scope a URL names; either end may be missing. */
export interface UrlScope {
  scopeStart?: number;
  scopeEnd?: number;
}

function intParam(v: string | null): number | undefined {
  if (v === null || !/^\d{1,12}$/.test(v)) return undefined;
  const n = Number(v);
  return n > 0 ? n : undefined;
}

/** Reads scopeStart and scopeEnd from query parameters. */
export function readUrlScope(params: URLSearchParams): UrlScope {
  return { scopeStart: intParam(params.get('scopeStart')), scopeEnd: intParam(params.get('scopeEnd')) };
}

/** True when the URL names at least one end of the scope. */
export function hasUrlScope(s: UrlScope): boolean {
  return s.scopeStart !== undefined || s.scopeEnd !== undefined;
}

/** The URL scope as API parameters. */
export function scopeParams(s: UrlScope | Scope | null | undefined): { scopeStart?: number; scopeEnd?: number } {
  if (!s) return {};
  return { scopeStart: s.scopeStart, scopeEnd: s.scopeEnd };
}

/** A preset length of scope ending at the latest data. */
export interface Preset {
  id: string;
  label: string;
  /** Spoken label for screen readers. */
  title: string;
  seconds: number;
}

export const presets: Preset[] = [
  { id: '1h', label: '1 h', title: 'Last hour', seconds: 3600 },
  { id: '24h', label: '24 h', title: 'Last 24 hours', seconds: 86400 },
  { id: '7d', label: '7 d', title: 'Last 7 days', seconds: 7 * 86400 },
  { id: '30d', label: '30 d', title: 'Last 30 days', seconds: 30 * 86400 },
];

/** The default baseline length: the 45 days before the scope. */
export const defaultBaselineSeconds = 45 * 86400;

/** Query parameters that depend on the scope and are dropped when it changes. */
export const scopeDependentParams = ['bucket', 'dstart', 'dend', 'geo', 'flowBucket', 'fstart', 'fend'];

/** Whether two scopes are the same. */
export function sameScope(a: Scope | null | undefined, b: Scope | null | undefined): boolean {
  return !!a && !!b && a.scopeStart === b.scopeStart && a.scopeEnd === b.scopeEnd;
}

/** Rounds a time up to the end of its hour. */
export function ceilHour(t: number): number {
  return Math.ceil(t / 3600) * 3600;
}

/**
 * The scope a view shows for a URL scope and the view's default, as the
 * API resolves it: both ends from the URL; neither, the default; one, the
 * default's length (at least a day) from it.
 */
export function resolveScope(url: UrlScope, def: Scope): Scope {
  if (url.scopeStart !== undefined && url.scopeEnd !== undefined) return { scopeStart: url.scopeStart, scopeEnd: url.scopeEnd };
  const len = Math.max(def.scopeEnd - def.scopeStart, 86400);
  if (url.scopeStart !== undefined) return { scopeStart: url.scopeStart, scopeEnd: url.scopeStart + len };
  if (url.scopeEnd !== undefined) return { scopeStart: url.scopeEnd - len, scopeEnd: url.scopeEnd };
  return def;
}
