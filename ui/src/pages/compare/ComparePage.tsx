// Pinned entities side by side, over the same scope: their activity,
// findings, new places and new APIs, to tell the attacker's principal
// from a look-alike or to follow a key across roles.

import { Link } from 'react-router-dom';
import { getJSON, runLimited, urls } from '../../api/client';
import type { APICallVolume, AssociatedFindings, Entity, NewGeolocations, NewlyObserved, Scope, VPCFlowVolume } from '../../api/types';
import { useApi, useLoader } from '../../api/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { TimeBarsChart } from '../../charts/TimeBarsChart';
import { EntityIcon, TypeBadge } from '../../components/entityTypes';
import { EntityLink } from '../../components/EntityLink';
import { SeverityBadge } from '../../components/Severity';
import { Empty, ErrorState, Loading } from '../../components/States';
import { formatBytes, formatCompact, formatCount } from '../../lib/format';
import { placeName } from '../../lib/places';
import { useStore } from '../../lib/store';
import { pinStore, unpin, type Pin } from '../../nav/pins';
import { useTrailEntry } from '../../nav/trail';
import { useScopeReport, useUrlScope } from '../../scope/ScopeContext';

const volumeSeries = [
  { key: 'success', name: 'Successful calls', color: '#1c7ed6' },
  { key: 'failure', name: 'Failed calls', color: '#e03131' },
];

function Column({ pin, entity, scope }: { pin: Pin; entity?: Entity; scope: Scope }) {
  const has = (p: string) => !!entity?.panels.includes(p);
  const vol = useApi<APICallVolume>(entity && has('api-call-volume') ? urls.panel(pin.type, pin.id, 'api-call-volume', scope) : null);
  const find = useApi<AssociatedFindings>(entity ? urls.panel(pin.type, pin.id, 'associated-findings', scope) : null);
  const geo = useApi<NewGeolocations>(entity && has('new-geolocations') ? urls.panel(pin.type, pin.id, 'new-geolocations', scope) : null);
  const apis = useApi<NewlyObserved>(entity && has('new-api-calls') ? urls.panel(pin.type, pin.id, 'new-api-calls', scope) : null);
  const flow = useApi<VPCFlowVolume>(entity && has('vpc-flow-volume') ? urls.panel(pin.type, pin.id, 'vpc-flow-volume', scope) : null);
  return (
    <section className="panel" aria-labelledby={`cmp-${pin.type}-${pin.id}`} data-testid="compare-column">
      <header className="panel-head">
        <div style={{ minWidth: 0 }}>
          <h2 id={`cmp-${pin.type}-${pin.id}`} style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
            <EntityIcon type={pin.type} />
            <EntityLink type={pin.type} id={pin.id} label={pin.label} noIcon />
          </h2>
          <p className="panel-description">
            <TypeBadge type={pin.type} /> {entity?.account && <>account {entity.account}</>}
          </p>
        </div>
        <button type="button" className="icon-button" aria-label={`Unpin ${pin.label}`} onClick={() => unpin(pin.type, pin.id)}>
          ✕
        </button>
      </header>
      <div className="panel-body">
        {!entity && <Loading />}
        {vol.data && (
          <div>
            <h3>API calls</h3>
            <p className="totals">
              {formatCount(vol.data.totals.success)} successful, <span className={vol.data.totals.failure ? 'failure' : undefined}>{formatCount(vol.data.totals.failure)} failed</span>
            </p>
            <TimeBarsChart
              buckets={vol.data.buckets.map((b) => ({ start: b.start, values: { success: b.success, failure: b.failure }, baseline: b.baselineSuccess + b.baselineFailure }))}
              bucketSeconds={vol.data.bucketSeconds}
              series={volumeSeries}
              baselineName="Baseline"
              format={formatCompact}
              height={150}
              ariaLabel={`API calls of ${pin.label}`}
            />
          </div>
        )}
        {flow.data && (
          <div>
            <h3>VPC flow</h3>
            <p className="totals">
              Inbound {formatBytes(flow.data.totals.inbound)}, outbound {formatBytes(flow.data.totals.outbound)}; top peer{' '}
              {flow.data.rows[0] ? (flow.data.rows[0].peer ? <EntityLink type={flow.data.rows[0].peer.type} id={flow.data.rows[0].peer.id} /> : flow.data.rows[0].peerLabel) : '–'}
              {flow.data.rows[0] && ` port ${flow.data.rows[0].port}`}
            </p>
          </div>
        )}
        {find.data && (
          <div>
            <h3>Findings ({formatCount(find.data.findings.length)})</h3>
            {find.data.findings.length === 0 ? (
              <p className="muted small">None during the scope.</p>
            ) : (
              <ul className="plain-list">
                {find.data.findings.slice(0, 5).map((f) => (
                  <li key={f.id}>
                    <SeverityBadge score={f.severity} /> <EntityLink type="Finding" id={f.id} label={f.title} noIcon />
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {geo.data && (
          <div>
            <h3>Newly observed geolocations ({formatCount(geo.data.locations.length)})</h3>
            {geo.data.locations.length === 0 ? (
              <p className="muted small">None.</p>
            ) : (
              <ul className="plain-list">
                {geo.data.locations.slice(0, 6).map((l) => (
                  <li key={placeName(l)}>
                    {placeName(l)} <span className="muted">({formatCount(l.success + l.failure)} calls)</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {apis.data && (
          <div>
            <h3>Newly observed API calls ({formatCount(apis.data.items.length)})</h3>
            {apis.data.items.length === 0 ? (
              <p className="muted small">None.</p>
            ) : (
              <p className="small mono">
                {apis.data.items
                  .slice(0, 12)
                  .map((i) => i.api || i.label)
                  .join(', ')}
                {apis.data.items.length > 12 ? '…' : ''}
              </p>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

/** The comparison page. */
export default function ComparePage() {
  usePageTitle('Compare');
  useTrailEntry('Compare pinned', 'compare');
  const pins = useStore(pinStore);
  const urlScope = useUrlScope();
  const key = pins.map((p) => `${p.type}/${p.id}`).join(',');
  const { data: entities, error, reload } = useLoader<(Entity | undefined)[]>(key || null, async (signal) => {
    const res = await runLimited(
      pins.map((p) => () => getJSON<Entity>(urls.entity(p.type, p.id), signal)),
      4,
    );
    return res.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  });
  const known = (entities ?? []).filter((e): e is Entity => !!e);
  const scope: Scope | undefined =
    urlScope.scopeStart !== undefined && urlScope.scopeEnd !== undefined
      ? { scopeStart: urlScope.scopeStart, scopeEnd: urlScope.scopeEnd }
      : known.length
        ? { scopeStart: Math.min(...known.map((e) => e.defaultScope.scopeStart)), scopeEnd: Math.max(...known.map((e) => e.defaultScope.scopeEnd)) }
        : undefined;
  useScopeReport({ effective: scope, defaultLabel: 'the span of the pinned entities' });
  return (
    <div className="page" data-testid="page-compare">
      <div className="page-head">
        <div>
          <h1 tabIndex={-1}>Compare pinned entities</h1>
          <p className="muted">The pinned entities over the same scope. Pin an entity from its profile; the pins last for this browser tab.</p>
        </div>
      </div>
      {pins.length === 0 && (
        <Empty>
          Nothing is pinned. Open an entity's profile and choose <strong>Pin</strong>, then come back; or start from the <Link to="/summary">summary</Link>.
        </Empty>
      )}
      {error && <ErrorState error={error} retry={reload} />}
      {pins.length > 0 && !scope && <Loading />}
      {pins.length > 0 && scope && (
        <div className="compare-grid">
          {pins.map((p, i) => (
            <Column key={`${p.type}/${p.id}`} pin={p} entity={entities?.[i]} scope={scope} />
          ))}
        </div>
      )}
    </div>
  );
}
