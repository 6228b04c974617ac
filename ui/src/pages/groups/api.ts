// Requests of the finding-group pages: URL builders for the GET routes
// (read through the shared client and its cache) and the edits, which
// POST JSON. Edits go out as Content-Type: application/json, the only type
// the server accepts for them, so that no other site can submit one
// through the analyst's browser, and name the analyst (set in the header
// of the console) in X-Trailhound-User for the audit trail.

import { ApiError, apiUrl, clearCache, isAbort } from '../../api/client';
import { analystNameStore } from '../../lib/prefs';
import type { EditResult } from './types';

/** Filters and sort of the group list, as the API names them. */
export interface GroupListParams {
  status?: string;
  severity?: string;
  tactic?: string;
  account?: string;
  entity?: string;
  finding?: string;
  q?: string;
  /** Active in the scope: the first-to-last seen window of the group overlaps it (either end may be left out). */
  scopeStart?: number;
  scopeEnd?: number;
  sort?: string;
  limit?: number;
  cursor?: string;
}

function groupPath(id: string): string {
  return `/groups/${encodeURIComponent(id)}`;
}

/** URL builders of the group routes. */
export const groupUrls = {
  list(p: GroupListParams): string {
    return apiUrl('/groups', p);
  },
  group(id: string): string {
    return apiUrl(groupPath(id));
  },
  graph(id: string, aggregate: boolean): string {
    return apiUrl(`${groupPath(id)}/graph`, aggregate ? {} : { aggregate: 'false' });
  },
  audit(id: string): string {
    return apiUrl(`${groupPath(id)}/audit`);
  },
};

/** The request header naming the analyst behind a change (docs/api.md). */
export const userHeader = 'X-Trailhound-User';

/**
 * A name as a header value: header values are bytes, so the name goes as
 * its UTF-8 bytes, which the server reads back as the same text.
 */
function headerText(name: string): string {
  return Array.from(new TextEncoder().encode(name), (b) => String.fromCharCode(b)).join('');
}

/**
 * Sends a JSON body with method to url and decodes the JSON answer; an
 * error answer becomes an ApiError. Every cached answer is dropped after a
 * change, since a change to one group or investigation shows in lists and
 * other views too.
 */
export async function sendJSON<T>(method: 'POST' | 'PATCH', url: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' };
  const who = analystNameStore.get();
  if (who) headers[userHeader] = headerText(who);
  let res: Response;
  try {
    res = await fetch(url, { method, signal, headers, body: JSON.stringify(body) });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError('network', 'The Trailhound server could not be reached.', 0);
  }
  let answer: unknown;
  try {
    answer = await res.json();
  } catch {
    throw new ApiError('bad_response', `The server answered ${res.status} ${res.statusText} without JSON.`, res.status);
  }
  if (!res.ok) {
    const e = (answer as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new ApiError(
      typeof e?.code === 'string' ? e.code : 'internal',
      typeof e?.message === 'string' ? e.message : `The server answered ${res.status}.`,
      res.status,
    );
  }
  clearCache();
  return answer as T;
}

/** Splits finding out of group id. */
export function splitFinding(id: string, finding: string): Promise<EditResult> {
  return sendJSON<EditResult>('POST', apiUrl(`${groupPath(id)}/split`), { finding });
}

/** Merges group other into group id. */
export function mergeGroups(id: string, other: string): Promise<EditResult> {
  return sendJSON<EditResult>('POST', apiUrl(`${groupPath(id)}/merge`), { group: other });
}
