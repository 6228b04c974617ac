// Console URLs. Routes mirror Amazon Detective's: /entities/<Namespace>/<id>
// and /findings/<id>, with the scope as scopeStart/scopeEnd (epoch
// seconds) in the query, so that a Detective deep link maps onto ours and
// any view can be shared by its URL.

import type { Scope } from '../api/types';

/** Query parameters carried from view to view (the scope). */
export type Carry = Record<string, string>;

/** The carry of a scope: its scopeStart and scopeEnd parameters. */
export function scopeCarry(scope: Scope | null | undefined): Carry {
  if (!scope) return {};
  return { scopeStart: String(scope.scopeStart), scopeEnd: String(scope.scopeEnd) };
}

/** Appends query parameters to a path; empty values are left out. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * True for ids that cannot be one path segment of a browser URL: the URL
 * standard resolves ".", ".." (and their escaped forms) as navigation.
 */
function needsQueryId(id: string): boolean {
  return id === '' || id === '.' || id === '..';
}

/** The console path of an entity's profile (or a finding's overview). */
export function entityPath(type: string, id: string): string {
  if (type === 'Finding') return `/findings/${needsQueryId(id) ? '' : encodeURIComponent(id)}`;
  if (type === 'FindingGroup') return `/groups/${encodeURIComponent(id)}`;
  if (needsQueryId(id)) return withQuery(`/entities/${encodeURIComponent(type)}`, { id });
  return `/entities/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
}

/** The console URL of an entity with carried parameters. */
export function entityHref(type: string, id: string, carry: Carry = {}, extra: Record<string, string | undefined> = {}): string {
  const path = entityPath(type, id);
  const [p, q] = path.split('?');
  const params: Record<string, string | undefined> = { ...Object.fromEntries(new URLSearchParams(q ?? '')), ...carry, ...extra };
  return withQuery(p, params);
}

/** The console URL of a finding's overview with carried parameters. */
export function findingHref(id: string, carry: Carry = {}): string {
  return withQuery(`/findings/${encodeURIComponent(id)}`, carry);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Reads the entity a console location names: /entities/<Namespace>/<id>
 * with the id as one escaped segment, or (for hand-typed URLs) the id with
 * unescaped slashes, or /entities/<Namespace>?id=<id>. pathname must be
 * the raw, still-escaped path.
 */
export function parseEntityLocation(pathname: string, search: string): { type: string; id: string } | null {
  const m = /^\/entities\/([^/]+)(?:\/(.*))?$/.exec(pathname);
  if (!m) return null;
  const type = decodeSegment(m[1]);
  const rest = m[2];
  if (rest === undefined || rest === '') {
    const id = new URLSearchParams(search).get('id');
    return id === null ? null : { type, id };
  }
  return { type, id: rest.split('/').map(decodeSegment).join('/') };
}

/** Reads the finding id of /findings/<id> (raw pathname). */
export function parseFindingLocation(pathname: string): string | null {
  const m = /^\/findings\/(.+)$/.exec(pathname);
  return m ? m[1].split('/').map(decodeSegment).join('/') : null;
}
