// Newly observed geolocations: the places the entity's calls came from
// during the scope and never during the baseline, on a map beside the
// places it was already seen at. Choosing a place (on the map or in the
// list) shows the calls made from it.

import { useMemo, useState } from 'react';
import { urls } from '../../../api/client';
import type { ActivityDetails, IPInfo, NewGeolocations } from '../../../api/types';
import { useApi } from '../../../api/useApi';
import { LazyWorldMap, type MapPoint } from '../../../charts/LazyWorldMap';
import { EntityLink } from '../../../components/EntityLink';
import { Panel } from '../../../components/Panel';
import { Empty, ErrorState, Loading, Truncated, Updating } from '../../../components/States';
import { TabPanel, Tabs } from '../../../components/Tabs';
import { CountButton } from '../../../events/CountButton';
import { formatCount } from '../../../lib/format';
import { placeKey, placeName } from '../../../lib/places';
import { ActivityTable } from './ActivityTable';
import { usePanel, useProfile, useQueryState } from '../usePanel';

interface Place {
  key: string;
  name: string;
  country: string;
  countryName?: string;
  latitude?: number;
  longitude?: number;
  success: number;
  failure: number;
  isNew: boolean;
  isNewForEntireAccount: boolean;
  addresses: { id: string; asOrg?: string; success: number; failure: number }[];
}

const maxAddresses = 200;

/** Collects the places of the scope's source addresses, from the activity details. */
function previousPlaces(details: ActivityDetails | undefined, newKeys: Set<string>): Place[] {
  if (!details) return [];
  const m = new Map<string, Place>();
  for (const row of details.byIp) {
    const loc: IPInfo | undefined = row.location;
    if (!loc || !loc.country || row.entity?.type !== 'IpAddress') continue;
    const key = placeKey(loc);
    if (newKeys.has(key)) continue;
    const p =
      m.get(key) ??
      ({
        key,
        name: placeName(loc),
        country: loc.country,
        countryName: loc.countryName,
        latitude: loc.latitude,
        longitude: loc.longitude,
        success: 0,
        failure: 0,
        isNew: false,
        isNewForEntireAccount: false,
        addresses: [],
      } as Place);
    p.success += row.success;
    p.failure += row.failure;
    p.addresses.push({ id: row.entity.id, asOrg: loc.asOrg, success: row.success, failure: row.failure });
    m.set(key, p);
  }
  return [...m.values()].sort((a, b) => b.success + b.failure - (a.success + a.failure));
}

/** The new-geolocations panel. */
export function GeoPanel() {
  const { entity, scope, titles } = useProfile();
  const { params, set } = useQueryState();
  const [showPrevious, setShowPrevious] = useState(false);
  const geo = usePanel<NewGeolocations>('new-geolocations');
  const all = useApi<ActivityDetails>(urls.panel(entity.type, entity.id, 'activity-details', scope));

  const places = useMemo(() => {
    const fresh: Place[] = (geo.data?.locations ?? []).map((l) => ({
      key: placeKey(l),
      name: placeName(l),
      country: l.country,
      countryName: l.countryName,
      latitude: l.latitude,
      longitude: l.longitude,
      success: l.success,
      failure: l.failure,
      isNew: true,
      isNewForEntireAccount: l.isNewForEntireAccount,
      addresses: l.addresses.map((a) => ({ id: a.entity.id, asOrg: a.asOrg, success: a.success, failure: a.failure })),
    }));
    return { fresh, previous: previousPlaces(all.data, new Set(fresh.map((p) => p.key))) };
  }, [geo.data, all.data]);

  const selectedKey = params.get('geo') ?? undefined;
  const selected = [...places.fresh, ...places.previous].find((p) => p.key === selectedKey);
  // The same points while the places are the same: new points redraw the map.
  const points = useMemo<MapPoint[]>(
    () =>
      [...places.fresh, ...places.previous]
        .filter((p) => p.latitude !== undefined && p.longitude !== undefined)
        .map((p) => ({
          key: p.key,
          name: p.name,
          countryName: p.countryName,
          latitude: p.latitude!,
          longitude: p.longitude!,
          success: p.success,
          failure: p.failure,
          isNew: p.isNew,
          detail: `${p.addresses.length} address${p.addresses.length === 1 ? '' : 'es'}`,
        })),
    [places],
  );
  const select = (key: string | undefined) => set({ geo: key }, false);
  const listed = showPrevious ? [...places.fresh, ...places.previous] : places.fresh;
  const title = titles['new-geolocations'];

  return (
    <Panel
      id="new-geolocations"
      title={title}
      description="Places the calls came from during the scope and from none of its calls during the baseline. Choose a place to see its calls."
    >
      <Updating active={geo.loading && !!geo.data} />
      {geo.error && <ErrorState error={geo.error} retry={geo.reload} what="The geolocations" />}
      {!geo.data && geo.loading && <Loading />}
      {geo.data && (
        <div className="geo-layout">
          <div className="geo-map">
            {points.length > 0 ? (
              <LazyWorldMap
                points={points}
                selectedKey={selectedKey}
                onSelect={(k) => select(k === selectedKey ? undefined : k)}
                ariaLabel={`Map of ${places.fresh.length} newly observed and ${places.previous.length} previously observed places`}
              />
            ) : (
              <Empty>No located calls during the scope.</Empty>
            )}
            {(geo.data.unlocated.success > 0 || geo.data.unlocated.failure > 0) && (
              <p className="muted small">
                {formatCount(geo.data.unlocated.success + geo.data.unlocated.failure)} calls came from addresses without a known place (private
                addresses, AWS services).
              </p>
            )}
          </div>
          <div className="geo-list">
            {selected ? (
              <PlaceActivity place={selected} onBack={() => select(undefined)} />
            ) : (
              <>
                <div className="table-tools">
                  <span>
                    <strong data-testid="new-geo-count">{places.fresh.length}</strong> newly observed,{' '}
                    {all.data ? formatCount(places.previous.length) : '…'} previously observed
                  </span>
                  <label className="check">
                    <input type="checkbox" checked={showPrevious} onChange={(e) => setShowPrevious(e.target.checked)} />
                    List previously observed places
                  </label>
                </div>
                {listed.length === 0 ? (
                  <Empty>No newly observed geolocation during the scope.</Empty>
                ) : (
                  <div className="table-wrap">
                    <table className="table" data-testid="geo-table">
                      <thead>
                        <tr>
                          <th scope="col">Location</th>
                          <th scope="col">Observed</th>
                          <th scope="col" className="num">
                            Successful
                          </th>
                          <th scope="col" className="num">
                            Failed
                          </th>
                          <th scope="col">
                            <span className="visually-hidden">Details</span>
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {listed.map((p) => (
                          <tr key={p.key} data-place={p.name} data-new={p.isNew}>
                            <td className="wrap">
                              {p.name}
                              <span className="row-sub">
                                {p.addresses.length} address{p.addresses.length === 1 ? '' : 'es'}
                                {p.addresses[0]?.asOrg ? ` · ${p.addresses[0].asOrg}` : ''}
                              </span>
                            </td>
                            <td>
                              {p.isNew ? (
                                <span className="tag tag-new" data-testid="geo-new">
                                  New{p.isNewForEntireAccount ? ' for the account' : ''}
                                </span>
                              ) : (
                                <span className="tag">Previously observed</span>
                              )}
                            </td>
                            <td className="num">{formatCount(p.success)}</td>
                            <td className={'num' + (p.failure ? ' failure' : '')}>{formatCount(p.failure)}</td>
                            <td>
                              <button type="button" className="link-button" onClick={() => select(p.key)} aria-label={`Details of ${p.name}`}>
                                Details
                              </button>
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </>
            )}
          </div>
        </div>
      )}
    </Panel>
  );
}

/** The calls made from one place. */
function PlaceActivity({ place, onBack }: { place: Place; onBack: () => void }) {
  const { entity, scope } = useProfile();
  const [view, setView] = useState<'api' | 'ip'>('api');
  const addresses = place.addresses.slice(0, maxAddresses).map((a) => a.id);
  const { data, error, loading, reload } = useApi<ActivityDetails>(
    addresses.length ? urls.panel(entity.type, entity.id, 'activity-details', { ...scope, ip: addresses.join(',') }) : null,
  );
  const idPrefix = 'place';
  return (
    <section className="drilldown" aria-labelledby="place-title" data-testid="geo-details">
      <div className="drilldown-head">
        <h3 id="place-title">
          Calls from <span data-testid="geo-details-place">{place.name}</span>
        </h3>
        <button type="button" onClick={onBack}>
          Return to all results
        </button>
      </div>
      <p className="muted small">
        {place.isNew ? 'Newly observed' : 'Previously observed'}: {formatCount(place.success)} successful and {formatCount(place.failure)} failed
        calls of this entity from{' '}
        {place.addresses.map((a, i) => (
          <span key={a.id}>
            {i > 0 && ', '}
            <EntityLink type="IpAddress" id={a.id} />
          </span>
        ))}
        .
      </p>
      {place.addresses.length > maxAddresses && <Truncated>The calls of the first {maxAddresses} addresses are shown.</Truncated>}
      {error && <ErrorState error={error} retry={reload} what="The calls" />}
      {!data && loading && <Loading />}
      {data && (
        <>
          <p className="totals">
            <CountButton
              value={data.totals.success}
              kind="success"
              what={`successful calls from ${place.name}`}
              req={{ entity: data.entity, label: entity.label, window: data.window, filters: { ip: addresses.join(',') } }}
            />{' '}
            successful,{' '}
            <CountButton
              value={data.totals.failure}
              kind="failure"
              what={`failed calls from ${place.name}`}
              req={{ entity: data.entity, label: entity.label, window: data.window, filters: { ip: addresses.join(',') } }}
            />{' '}
            failed
          </p>
          <Tabs
            tabs={[
              { id: 'api', label: 'API method by service' },
              { id: 'ip', label: 'Observed IP addresses' },
            ]}
            active={view}
            onChange={(v) => setView(v as 'api' | 'ip')}
            label="Group the calls by"
            idPrefix={idPrefix}
          />
          <TabPanel idPrefix={idPrefix} tab={view}>
            <ActivityTable
              key={view}
              rows={view === 'api' ? data.byApi : data.byIp}
              nameHeader={view === 'api' ? 'API method' : 'IP address'}
              entity={data.entity}
              entityLabel={entity.label}
              window={data.window}
              filters={{ ip: addresses.join(',') }}
              testId={`geo-activity-${view}`}
            />
          </TabPanel>
        </>
      )}
    </section>
  );
}
