// Shared state of an entity profile: the entity, the scope its panels
// ask for, the panel titles, and URL-held selections.

import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { urls, type ScopeParams } from '../../api/client';
import type { ActivityFilters, Entity, PanelInfo } from '../../api/types';
import { useApi, type ApiState } from '../../api/useApi';

/** What every panel of a profile needs. */
export interface ProfileContext {
  entity: Entity;
  /** The scope parameters panels send (explicit once known). */
  scope: ScopeParams;
  /** Panel titles by id, from GET /api/v1/panels. */
  titles: Record<string, string>;
}

export const ProfileCtx = createContext<ProfileContext | null>(null);

/** The profile context. */
export function useProfile(): ProfileContext {
  const v = useContext(ProfileCtx);
  if (!v) throw new Error('profile context missing');
  return v;
}

/** Titles used when the panel list cannot be read; the API's are the same. */
export const fallbackTitles: Record<string, string> = {
  'associated-findings': 'Associated findings',
  'api-call-volume': 'Overall API call volume',
  'activity-details': 'API call activity details',
  'new-geolocations': 'Newly observed geolocations',
  'resource-interaction': 'Resource interaction',
  'new-api-calls': 'Newly observed API calls',
  'new-user-agents': 'Newly observed user agents',
  'new-asos': 'Newly observed autonomous system organizations',
  'vpc-flow-volume': 'Overall VPC flow volume',
  'increased-volume': 'API calls with increased volume',
  'vpc-flow-details': 'VPC flow activity details',
  'vpc-flow-service-ports': 'Average VPC flow by common service ports',
};

/** The panel titles of the API, with the fallback while they load. */
export function usePanelTitles(): Record<string, string> {
  const { data } = useApi<{ panels: PanelInfo[] }>(urls.panels());
  // The same object while the titles are the same, so that the answer
  // does not render every panel of the profile again.
  return useMemo(() => {
    if (!data) return fallbackTitles;
    const merged: Record<string, string> = { ...fallbackTitles, ...Object.fromEntries(data.panels.map((p) => [p.id, p.title])) };
    const same = Object.keys(merged).length === Object.keys(fallbackTitles).length && Object.entries(merged).every(([k, v]) => fallbackTitles[k] === v);
    return same ? fallbackTitles : merged;
  }, [data]);
}

/** Loads one panel of the profile's entity in the profile's scope. */
export function usePanel<T>(
  panel: string,
  extra: ActivityFilters & { bucket?: number; minScore?: number; scopeStart?: number; scopeEnd?: number } = {},
  enabled = true,
): ApiState<T> {
  const { entity, scope } = useProfile();
  const url = enabled ? urls.panel(entity.type, entity.id, panel, { ...scope, ...extra }) : null;
  return useApi<T>(url);
}

/** Reads and writes query parameters of the current view. */
export function useQueryState() {
  const location = useLocation();
  const navigate = useNavigate();
  const params = new URLSearchParams(location.search);
  // Changes apply to the address bar's URL, not to the one last rendered:
  // router navigations render in a transition, so two changes in a row
  // (clearing the search box, then choosing a type) would otherwise build
  // on the same old URL and the second would undo the first.
  const set = useCallback(
    (changes: Record<string, string | undefined | null>, replace = false) => {
      const next = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(changes)) {
        if (v === undefined || v === null || v === '') next.delete(k);
        else next.set(k, v);
      }
      const q = next.toString();
      navigate(window.location.pathname + (q ? '?' + q : ''), { replace });
    },
    [navigate],
  );
  return { params, set };
}

/** The URL parameter of an activity-details filter. */
export function filterParam(key: keyof ActivityFilters): string {
  return `af_${key}`;
}

/**
 * A choice kept in a URL parameter (a tab, a grouping) that also updates
 * at once on screen: router navigations render in a transition, and a tab
 * must show as chosen the moment it is clicked.
 */
export function useUrlChoice(param: string, fallback: string): [string, (v: string) => void] {
  const { params, set } = useQueryState();
  const fromUrl = params.get(param) ?? fallback;
  const [value, setValue] = useState(fromUrl);
  useEffect(() => setValue(fromUrl), [fromUrl]);
  const choose = (v: string) => {
    setValue(v);
    set({ [param]: v === fallback ? undefined : v }, true);
  };
  return [value, choose];
}
