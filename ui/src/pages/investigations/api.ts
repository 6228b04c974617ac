// Requests of the investigation pages: URL builders for the GET routes and
// the two changes, starting an investigation and archiving one.

import { apiUrl } from '../../api/client';
import type { Ref, Scope } from '../../api/types';
import { sendJSON } from '../groups/api';
import type { Investigation, InvestigationState } from './types';

/** Filters of the investigation list, as the API names them. */
export interface InvestigationListParams {
  entity?: string;
  status?: string;
  severity?: string;
  state?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

/** How often a view with a running investigation asks about it again. */
export const pollMillis = 1500;

function investigationPath(id: string): string {
  return `/investigations/${encodeURIComponent(id)}`;
}

/** Report formats and their names. */
export const reportFormats = [
  { id: 'json', label: 'JSON' },
  { id: 'html', label: 'HTML' },
  { id: 'md', label: 'Markdown' },
] as const;

/** URL builders of the investigation routes. */
export const investigationUrls = {
  list(p: InvestigationListParams): string {
    return apiUrl('/investigations', p);
  },
  recommended(): string {
    return apiUrl('/investigations/recommended');
  },
  investigation(id: string): string {
    return apiUrl(investigationPath(id));
  },
  report(id: string, format: string): string {
    return apiUrl(`${investigationPath(id)}/report`, { format });
  },
};

/** Starts an investigation of entity over scope (the entity's default scope when none). */
export function startInvestigation(entity: Ref, scope?: Scope): Promise<Investigation> {
  return sendJSON<Investigation>('POST', apiUrl('/investigations'), { entity: { type: entity.type, id: entity.id }, ...(scope ?? {}) });
}

/** Archives (review done) or reopens an investigation. */
export function setInvestigationState(id: string, state: InvestigationState): Promise<Investigation> {
  return sendJSON<Investigation>('PATCH', apiUrl(investigationPath(id)), { state });
}
