// Newly observed API calls, user agents and autonomous system
// organizations: what the entity used during the scope and never during
// the baseline, and whether the whole account had never used it either.

import type { NewlyItem, NewlyObserved } from '../../../api/types';
import { EntityLink } from '../../../components/EntityLink';
import { Panel } from '../../../components/Panel';
import { SortTh, useSort, type SortAccessors } from '../../../components/sort';
import { Empty, ErrorState, Loading, Updating } from '../../../components/States';
import { CountButton } from '../../../events/CountButton';
import type { EventsRequest } from '../../../events/EventsDrawer';
import { formatCount } from '../../../lib/format';
import { usePanel, useProfile } from '../usePanel';

const descriptions: Record<string, string> = {
  'new-api-calls': 'APIs the entity called during the scope and not during the baseline.',
  'new-user-agents': 'User agents the entity used during the scope and not during the baseline.',
  'new-asos': 'Networks (autonomous systems) the calls came from during the scope and not during the baseline.',
};

const empties: Record<string, string> = {
  'new-api-calls': 'No newly observed API call during the scope.',
  'new-user-agents': 'No newly observed user agent during the scope.',
  'new-asos': 'No newly observed autonomous system organization during the scope.',
};

const accessors: SortAccessors<NewlyItem> = {
  label: (i) => i.label,
  service: (i) => i.service,
  success: (i) => i.success,
  failure: (i) => i.failure,
  account: (i) => i.isNewForEntireAccount,
};

/** One of the three newly-observed panels. */
export function NewlyPanel({ panel }: { panel: 'new-api-calls' | 'new-user-agents' | 'new-asos' }) {
  const { entity, titles } = useProfile();
  const { data, error, loading, reload } = usePanel<NewlyObserved>(panel);
  const { sorted, sort, toggle } = useSort(data?.items ?? [], accessors, { key: 'failure', dir: 'desc' }, undefined);
  const isApi = panel === 'new-api-calls';
  const header = panel === 'new-api-calls' ? 'API method' : panel === 'new-user-agents' ? 'User agent' : 'Organization';
  function req(i: NewlyItem): EventsRequest | undefined {
    if (!data || !isApi) return undefined;
    return { entity: data.entity, label: entity.label, window: data.scope, filters: { api: i.service && i.api ? `${i.service}:${i.api}` : i.label } };
  }
  return (
    <Panel id={panel} title={titles[panel]} description={descriptions[panel]}>
      <Updating active={loading && !!data} />
      {error && <ErrorState error={error} retry={reload} />}
      {!data && loading && <Loading />}
      {data &&
        (data.items.length === 0 ? (
          <Empty>{empties[panel]}</Empty>
        ) : (
          <>
            <p className="totals">
              {formatCount(data.items.length)} new, with {formatCount(data.totals.success)} successful and{' '}
              <span className={data.totals.failure ? 'failure' : undefined}>{formatCount(data.totals.failure)} failed</span> calls.
            </p>
            <div className="table-wrap scroll-y">
              <table className="table" data-testid={`${panel}-table`}>
                <thead>
                  <tr>
                    <SortTh label={header} column="label" sort={sort} onSort={toggle} firstDir="asc" />
                    {isApi && <SortTh label="Service" column="service" sort={sort} onSort={toggle} firstDir="asc" />}
                    <SortTh label="Successful" column="success" sort={sort} onSort={toggle} className="num" />
                    <SortTh label="Failed" column="failure" sort={sort} onSort={toggle} className="num" />
                    <SortTh label="New for the account" column="account" sort={sort} onSort={toggle} />
                  </tr>
                </thead>
                <tbody>
                  {sorted.map((i) => (
                    <tr key={i.label} data-row-label={i.label}>
                      <td className="wrap">
                        {i.entity ? (
                          <EntityLink type={i.entity.type} id={i.entity.id} label={panel === 'new-asos' && i.asn ? `AS${i.asn} ${i.label}` : i.label} />
                        ) : (
                          <span className="api-name">{i.api || i.label}</span>
                        )}
                      </td>
                      {isApi && <td className="muted">{i.service}</td>}
                      <td className="num">
                        <CountButton value={i.success} kind="success" req={req(i)} what={`successful calls of ${i.label}`} />
                      </td>
                      <td className="num">
                        <CountButton value={i.failure} kind="failure" req={req(i)} what={`failed calls of ${i.label}`} />
                      </td>
                      <td>{i.isNewForEntireAccount ? <span className="tag tag-new">New for the account</span> : <span className="muted">Seen in the account</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ))}
    </Panel>
  );
}
