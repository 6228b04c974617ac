// Amazon Detective console URLs, recognized so that links from GuardDuty,
// Security Hub, tickets and runbooks open the same view here:
//
//   https://console.aws.amazon.com/detective/home?region=us-east-1#entities/AwsUser/AIDA...?scopeStart=1552867200&scopeEnd=1552910400
//   ...#findings/<findingId>?scopeStart=...      (current format)
//   ...#findings/GuardDuty/<findingId>            (old format, still linked from GuardDuty)
//   ...#groups/<findingGroupId>
//
// The same fragments are accepted on any console path (so replacing the
// host of a Detective link with Trailhound's works), and a Trailhound URL
// pasted into search is opened as is.

import { entityHref, findingHref, withQuery } from './urls';

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Keeps the scope parameters of a Detective query, if they are numbers. */
function scopeOf(query: string): Record<string, string> {
  const q = new URLSearchParams(query);
  const out: Record<string, string> = {};
  for (const k of ['scopeStart', 'scopeEnd']) {
    const v = q.get(k);
    if (v && /^\d{1,12}$/.test(v)) out[k] = v;
  }
  return out;
}

/**
 * Translates a Detective fragment (without "#": "entities/AwsUser/AIDA...?scopeStart=...")
 * into a console path, or null when it names nothing we know.
 */
export function fromDetectiveFragment(fragment: string): string | null {
  let f = fragment.replace(/^#/, '').replace(/^\//, '');
  let query = '';
  const qi = f.indexOf('?');
  if (qi >= 0) {
    query = f.slice(qi + 1);
    f = f.slice(0, qi);
  }
  const carry = scopeOf(query);
  const parts = f.split('/');
  const head = parts[0]?.toLowerCase();
  if (head === 'entities' && parts.length >= 3) {
    const ns = decode(parts[1]);
    const id = parts.slice(2).map(decode).join('/');
    if (!/^[A-Za-z0-9]+$/.test(ns) || id === '') return null;
    if (ns === 'Finding') return findingHref(id, carry);
    return entityHref(ns, id, carry);
  }
  if (head === 'findings' && parts.length >= 2) {
    // Old format: findings/GuardDuty/<id>; current: findings/<id>.
    const id = parts.length >= 3 ? parts.slice(2).map(decode).join('/') : decode(parts[1]);
    return id ? findingHref(id, carry) : null;
  }
  if ((head === 'groups' || head === 'findinggroups' || head === 'findinggroup') && parts.length >= 2) {
    const id = decode(parts[parts.length - 1]);
    return id ? withQuery(`/groups/${encodeURIComponent(id)}`, carry) : null;
  }
  if (head === 'investigations' && parts.length >= 2) {
    const id = decode(parts[parts.length - 1]);
    return id ? `/investigations/${encodeURIComponent(id)}` : null;
  }
  if (head === 'summary' || head === 'home' || head === '') return withQuery('/summary', carry);
  if (head === 'search') return '/search';
  return null;
}

/**
 * Translates text an analyst pasted (a Detective console URL, its
 * fragment, or a Trailhound URL) into a console path, or null when the
 * text is not such a URL (then it is a search).
 */
export function fromPastedURL(text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  if (t.startsWith('#')) return fromDetectiveFragment(t);
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    // Not an absolute URL: maybe a bare console path.
    if (/^\/(entities|findings|groups|investigations|summary|search|usage|accounts)(\/|\?|$)/.test(t)) return t;
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (u.hash.length > 1) {
    const p = fromDetectiveFragment(u.hash);
    if (p) return p;
  }
  if (/\/detective(\/|$)/.test(u.pathname)) return '/summary';
  if (/^\/(entities|findings|groups|investigations|summary|search|usage|accounts)(\/|$)/.test(u.pathname)) {
    return u.pathname + u.search;
  }
  return null;
}
