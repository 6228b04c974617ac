// The investigations: those run, filtered by entity, status, severity and
// review state (in the URL), and the entities worth investigating now —
// principals of high-severity findings of the last day and of finding
// groups of the last week — each with a "Run investigation" button over
// the suggested scope. Running investigations are followed until done.

import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { EntityLink } from '../../components/EntityLink';
import { Panel } from '../../components/Panel';
import { SeverityBadge } from '../../components/Severity';
import { SortTh, type SortState } from '../../components/sort';
import { Empty, ErrorState, Loading, Updating } from '../../components/States';
import { Time } from '../../components/Time';
import { formatCount, formatWindow } from '../../lib/format';
import { useTimeZone } from '../../lib/prefs';
import { useTrailEntry } from '../../nav/trail';
import { scopeCarry, withQuery } from '../../nav/urls';
import { useScopeReport } from '../../scope/ScopeContext';
import { useQueryState, useUrlChoice } from '../entity/usePanel';
import { GroupLink } from '../groups/GroupLink';
import { TacticsChain, attackTactics } from '../groups/TacticsChain';
import { investigationUrls, pollMillis } from './api';
import { InvestigationSeverityBadge, StateBadge, StatusBadge, severityWord } from './InvestigationSeverity';
import { RunInvestigationButton, investigationPath } from './RunInvestigationButton';
import { investigationSeverities, type InvestigationList, type InvestigationSummary, type Recommendations } from './types';
import './investigations.css';

const statuses = ['RUNNING', 'SUCCESSFUL', 'FAILED'];
const states = [
  { id: 'ACTIVE', label: 'Active' },
  { id: 'ARCHIVED', label: 'Archived' },
  { id: 'any', label: 'All' },
];

function tacticsOf(names: string[]) {
  return names.map((n) => attackTactics.find((t) => t.name === n) ?? { id: '', name: n });
}

function readSort(v: string | null): SortState {
  const key = (v ?? '').replace(/^[-+]/, '');
  if (key !== 'severity' && key !== 'status') return { key: 'createdAt', dir: v?.startsWith('+') ? 'asc' : 'desc' };
  return { key, dir: v!.startsWith('-') ? 'desc' : 'asc' };
}

function RecommendedPanel() {
  const { data, error, loading, reload } = useApi<Recommendations>(investigationUrls.recommended());
  const tz = useTimeZone();
  return (
    <Panel
      id="recommended"
      title="Recommended investigations"
      description={
        <>
          Entities a high-severity finding (7 and above) involves in the 24 hours
          {data?.groupsChecked ? ', or a finding group in the 7 days,' : ''} before {data ? <Time value={data.at} /> : 'the latest data'}, with the
          scope to investigate.
        </>
      }
    >
      {error && <ErrorState error={error} retry={reload} what="The recommendations" />}
      {!data && loading && <Loading label="Loading the recommendations…" />}
      {data &&
        (data.recommendations.length === 0 ? (
          <Empty>Nothing to recommend: no high-severity finding or finding group recently.</Empty>
        ) : (
          <div className="table-wrap scroll-y">
            <table className="table" data-testid="recommended-table">
              <thead>
                <tr>
                  <th scope="col">Entity</th>
                  <th scope="col">Why</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Latest investigation</th>
                  <th scope="col">
                    <span className="visually-hidden">Run</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.recommendations.map((r) => (
                  <tr key={`${r.entity.type}/${r.entity.id}`} data-entity-type={r.entity.type} data-entity-id={r.entity.id}>
                    <td className="wrap">
                      <EntityLink type={r.entity.type} id={r.entity.id} label={r.label} carry={scopeCarry(r.scope)} />
                      {r.account && <span className="row-sub">account {r.account}</span>}
                    </td>
                    <td className="wrap">
                      <ul className="plain-list">
                        {r.reasons.map((x) => (
                          <li key={`${x.kind}/${x.id}`}>
                            <SeverityBadge score={x.severity} />{' '}
                            {x.kind === 'FINDING_GROUP' ? (
                              <>
                                group <GroupLink id={x.id} title={x.title} />
                              </>
                            ) : (
                              <>
                                finding <EntityLink type="Finding" id={x.id} label={x.title} noIcon />
                              </>
                            )}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td className="small">{formatWindow(r.scope, tz)}</td>
                    <td>
                      {r.investigation ? (
                        <Link to={withQuery(investigationPath(r.investigation.id), scopeCarry(r.investigation.scope))}>
                          {r.investigation.status === 'SUCCESSFUL' && r.investigation.severity
                            ? severityWord(r.investigation.severity)
                            : severityWord(r.investigation.status)}
                          , <Time value={r.investigation.createdAt} />
                        </Link>
                      ) : (
                        <span className="muted">none</span>
                      )}
                    </td>
                    <td>
                      <RunInvestigationButton entity={r.entity} label={r.label} scope={r.scope} compact />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </Panel>
  );
}

function Row({ inv }: { inv: InvestigationSummary }) {
  const tz = useTimeZone();
  const carry = scopeCarry(inv.scope);
  return (
    <tr data-investigation-id={inv.id} data-status={inv.status}>
      <td>{inv.status === 'SUCCESSFUL' ? <InvestigationSeverityBadge severity={inv.severity} /> : <span className="muted">–</span>}</td>
      <td className="wrap">
        <EntityLink type={inv.entity.type} id={inv.entity.id} label={inv.label} carry={carry} />
        {inv.arn && <span className="row-sub mono">{inv.arn}</span>}
      </td>
      <td className="small">{formatWindow(inv.scope, tz)}</td>
      <td>
        <StatusBadge status={inv.status} error={inv.error} />
      </td>
      <td>
        <StateBadge state={inv.state} />
      </td>
      <td className="num">{formatCount(inv.indicators)}</td>
      <td className="wrap">
        <TacticsChain tactics={tacticsOf(inv.tactics ?? [])} compact label="Tactics observed" />
      </td>
      <td>
        <Time value={inv.createdAt} />
      </td>
      <td>
        <Link to={withQuery(investigationPath(inv.id), carry)} data-testid="open-investigation">
          Report
        </Link>
      </td>
    </tr>
  );
}

/** The investigations page. */
export default function InvestigationsPage() {
  usePageTitle('Investigations');
  useTrailEntry('Investigations', 'investigations');
  useScopeReport({ notApplicable: 'Each investigation has its own scope; the list shows them all.' });
  const { params, set } = useQueryState();
  const entity = params.get('entity') ?? '';
  const status = new Set((params.get('status') ?? '').split(',').filter((s) => statuses.includes(s)));
  const severity = new Set((params.get('severity') ?? '').split(',').filter((s) => (investigationSeverities as readonly string[]).includes(s)));
  const [stateChoice, chooseState] = useUrlChoice('state', 'ACTIVE');
  const state = states.some((s) => s.id === stateChoice) ? stateChoice : 'ACTIVE';
  const sort = readSort(params.get('sort'));
  const url = investigationUrls.list({
    entity,
    status: [...status].join(','),
    severity: [...severity].join(','),
    state: state === 'any' ? undefined : state,
    sort: params.get('sort') ? (sort.dir === 'desc' ? '-' : '+') + sort.key : undefined,
    limit: 200,
  });
  const { data, error, loading, reload } = useApi<InvestigationList>(url);
  const running = data?.investigations.some((i) => i.status === 'RUNNING');
  useEffect(() => {
    if (!running) return;
    const t = window.setTimeout(reload, pollMillis);
    return () => window.clearTimeout(t);
  }, [running, data, reload]);

  const [draft, setDraft] = useState(entity);
  useEffect(() => setDraft(entity), [entity]);
  function submit(e: FormEvent) {
    e.preventDefault();
    set({ entity: draft.trim() }, true);
  }
  function toggle(param: string, values: Set<string>, v: string) {
    const n = new Set(values);
    if (n.has(v)) n.delete(v);
    else n.add(v);
    set({ [param]: [...n].join(',') }, true);
  }
  function onSort(key: string) {
    const dir = sort.key === key ? (sort.dir === 'asc' ? 'desc' : 'asc') : key === 'status' ? 'asc' : 'desc';
    set({ sort: (dir === 'desc' ? '-' : '+') + key }, true);
  }
  const filtering = !!entity || status.size > 0 || severity.size > 0;

  return (
    <div className="page" data-testid="page-investigations">
      <div className="page-head">
        <div>
          <h1 tabIndex={-1}>Investigations</h1>
          <p className="muted">
            Automated investigations of a user, role, role session, federated user, access key or EC2 instance over a scope: indicators of compromise
            mapped to MITRE ATT&amp;CK, with a severity and the reasons for it. Start one from a profile, a finding group or the recommendations below.
          </p>
        </div>
      </div>
      <section className="panel" aria-label="Filters" data-testid="investigations-filters">
        <div className="panel-body table-tools">
          <form onSubmit={submit} className="inline-field" aria-label="Filter by entity">
            <label className="inline-field">
              <span>Entity</span>
              <input
                type="search"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                placeholder="Type/id, an id or an ARN"
                style={{ width: 260 }}
                data-testid="investigations-entity"
              />
            </label>
            <button type="submit">Apply</button>
          </form>
          <div className="sev-filter" role="group" aria-label="Status">
            {statuses.map((s) => (
              <button key={s} type="button" className="chip toggle" aria-pressed={status.has(s)} onClick={() => toggle('status', status, s)}>
                {severityWord(s)}
              </button>
            ))}
          </div>
          <div className="sev-filter" role="group" aria-label="Severity">
            {[...investigationSeverities].reverse().map((s) => (
              <button key={s} type="button" className="chip toggle" aria-pressed={severity.has(s)} onClick={() => toggle('severity', severity, s)}>
                <InvestigationSeverityBadge severity={s} />
              </button>
            ))}
          </div>
          <div className="segmented" role="group" aria-label="Review state">
            {states.map((s) => (
              <button
                key={s.id}
                type="button"
                aria-pressed={state === s.id}
                onClick={() => chooseState(s.id)}
                data-testid={`investigations-state-${s.id.toLowerCase()}`}
              >
                {s.label}
              </button>
            ))}
          </div>
          {filtering && (
            <button type="button" className="link-button" onClick={() => set({ entity: undefined, status: undefined, severity: undefined }, true)}>
              Clear filters
            </button>
          )}
        </div>
      </section>
      <section className="panel" aria-labelledby="investigations-title" data-testid="panel-investigations">
        <header className="panel-head">
          <h2 id="investigations-title">{data ? `${formatCount(data.total)} investigation${data.total === 1 ? '' : 's'}` : 'Investigations'}</h2>
        </header>
        <div className="panel-body">
          <Updating active={loading && !!data && !running} />
          {error && <ErrorState error={error} retry={reload} what="The investigations" />}
          {!data && loading && <Loading label="Loading the investigations…" />}
          {data &&
            (data.investigations.length === 0 ? (
              <Empty>
                {filtering
                  ? 'No investigation matches the filters.'
                  : state === 'ARCHIVED'
                    ? 'No archived investigation.'
                    : `No ${state === 'ACTIVE' ? 'active ' : ''}investigation: start one from a profile, a finding group or the recommendations below.`}
              </Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="investigations-table">
                  <thead>
                    <tr>
                      <SortTh label="Severity" column="severity" sort={sort} onSort={onSort} />
                      <th scope="col">Entity</th>
                      <th scope="col">Scope</th>
                      <SortTh label="Status" column="status" sort={sort} onSort={onSort} firstDir="asc" />
                      <th scope="col">State</th>
                      <th scope="col" className="num">
                        Indicators
                      </th>
                      <th scope="col">Tactics</th>
                      <SortTh label="Started" column="createdAt" sort={sort} onSort={onSort} />
                      <th scope="col">
                        <span className="visually-hidden">Report</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.investigations.map((inv) => (
                      <Row key={inv.id} inv={inv} />
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
        </div>
      </section>
      <RecommendedPanel />
    </div>
  );
}
