// The API client: typed GET requests under /api/v1, errors as ApiError
// with the API's code and message, and a small cache of recent answers so
// that going back to a view, or two panels asking the same question, does
// not ask the server twice.

import type { ActivityFilters, FlowFilters } from './types';

/** The path every API route starts with. */
export const apiPrefix = '/api/v1';

/**
 * An error answer of the API ({"error":{"code","message"}}), or a failure
 * to reach it (code "network") or to read its answer (code "bad_response").
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** Query parameters: undefined, null and empty values are left out. */
export type Params = Record<string, string | number | boolean | undefined | null>;

/** Builds an API URL (path under /api/v1 plus query parameters). */
export function apiUrl(path: string, params?: object): string {
  const q = new URLSearchParams();
  if (params) {
    for (const [k, v] of Object.entries(params as Params)) {
      if (v === undefined || v === null || v === '') continue;
      q.set(k, String(v));
    }
  }
  const qs = q.toString();
  return apiPrefix + path + (qs ? '?' + qs : '');
}

/**
 * Escapes an entity id as one path segment, as the API requires: "/"
 * becomes %2F, and ids made only of dots are escaped so that they are not
 * taken for path navigation.
 */
export function encodeIdSegment(id: string): string {
  if (id === '.' || id === '..') return id.replace(/\./g, '%2E');
  return encodeURIComponent(id);
}

/**
 * True for ids a browser would resolve as path navigation however they
 * are escaped ("." and "..", which a user agent or a session name can be):
 * the API takes those in the query instead (/entity?type=&id=).
 */
function dotsOnly(id: string): boolean {
  return id === '.' || id === '..';
}

/** The API path of an entity: /entities/{type}/{id}. */
export function entityApiPath(type: string, id: string): string {
  return `/entities/${encodeURIComponent(type)}/${encodeIdSegment(id)}`;
}

interface CacheEntry {
  at: number;
  data: unknown;
}

const cacheTTL = 60_000;
const cacheMax = 300;
const cache = new Map<string, CacheEntry>();

/** Returns a cached answer for url if it is recent enough. */
export function cached<T>(url: string): T | undefined {
  const e = cache.get(url);
  if (!e) return undefined;
  if (Date.now() - e.at > cacheTTL) {
    cache.delete(url);
    return undefined;
  }
  return e.data as T;
}

function remember(url: string, data: unknown) {
  cache.delete(url);
  cache.set(url, { at: Date.now(), data });
  while (cache.size > cacheMax) {
    const first = cache.keys().next().value;
    if (first === undefined) break;
    cache.delete(first);
  }
}

/** Forgets every cached answer, so that views ask again (after an edit). */
export function clearCache() {
  cache.clear();
}

/** True for the error fetch throws when its AbortController aborts it. */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

/**
 * GETs url and decodes its JSON answer. Answers are cached for a minute
 * unless fresh is set. An error answer becomes an ApiError.
 */
export async function getJSON<T>(url: string, signal?: AbortSignal, fresh = false): Promise<T> {
  if (!fresh) {
    const hit = cached<T>(url);
    if (hit !== undefined) return hit;
  }
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError('network', 'The Trailhound server could not be reached.', 0);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError('bad_response', `The server answered ${res.status} ${res.statusText} without JSON.`, res.status);
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof e?.code === 'string' ? e.code : 'internal';
    const message = typeof e?.message === 'string' ? e.message : `The server answered ${res.status}.`;
    throw new ApiError(code, message, res.status);
  }
  remember(url, body);
  return body as T;
}

/** Scope parameters as the API takes them. */
export interface ScopeParams {
  scopeStart?: number;
  scopeEnd?: number;
}

/** URL builders for every endpoint, so that keys and requests agree. */
export const urls = {
  search(p: { type?: string; q?: string; limit?: number; cursor?: string } & ScopeParams): string {
    return apiUrl('/search', p);
  },
  panels(): string {
    return apiUrl('/panels');
  },
  entity(type: string, id: string): string {
    if (dotsOnly(id)) return apiUrl('/entity', { type, id });
    return apiUrl(entityApiPath(type, id));
  },
  panel(
    type: string,
    id: string,
    panel: string,
    p: ScopeParams & ActivityFilters & FlowFilters & { bucket?: number; minScore?: number; sort?: string; order?: string; limit?: number; series?: string; annotate?: string; port?: number | string } = {},
  ): string {
    if (dotsOnly(id)) return apiUrl(`/entity/panels/${encodeURIComponent(panel)}`, { ...p, type, id });
    return apiUrl(`${entityApiPath(type, id)}/panels/${encodeURIComponent(panel)}`, p);
  },
  finding(id: string): string {
    return apiUrl(`/findings/${encodeIdSegment(id)}`);
  },
  events(p: { entity: string; format?: 'json' | 'ndjson' | 'csv'; source?: string } & ScopeParams & ActivityFilters & FlowFilters): string {
    return apiUrl('/events', p);
  },
  summary(p: ScopeParams = {}): string {
    return apiUrl('/summary', p);
  },
  usage(): string {
    return apiUrl('/usage');
  },
};

/**
 * Runs tasks with at most limit of them in flight, in order, and returns
 * their results (or errors) in the same order.
 */
export async function runLimited<T>(
  tasks: (() => Promise<T>)[],
  limit: number,
): Promise<PromiseSettledResult<T>[]> {
  const out: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  async function worker() {
    while (next < tasks.length) {
      const i = next++;
      try {
        out[i] = { status: 'fulfilled', value: await tasks[i]() };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}
