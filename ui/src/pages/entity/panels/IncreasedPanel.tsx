// API calls with increased volume: the APIs called more during the scope
// than the baseline predicts, by how many standard deviations.

import type { IncreasedAPI, IncreasedVolume } from '../../../api/types';
import { Panel } from '../../../components/Panel';
import { SortTh, useSort, type SortAccessors } from '../../../components/sort';
import { Empty, ErrorState, Loading, Updating } from '../../../components/States';
import { CountButton } from '../../../events/CountButton';
import { formatCount } from '../../../lib/format';
import { usePanel, useProfile } from '../usePanel';

const accessors: SortAccessors<IncreasedAPI> = {
  label: (a) => a.api || a.label,
  service: (a) => a.service,
  calls: (a) => a.calls,
  failure: (a) => a.failure,
  baselineCalls: (a) => a.baselineCalls,
  expected: (a) => a.expected,
  score: (a) => a.score,
};

/** The increased-volume panel. */
export function IncreasedPanel() {
  const { entity, titles } = useProfile();
  const { data, error, loading, reload } = usePanel<IncreasedVolume>('increased-volume');
  const { sorted, sort, toggle } = useSort(data?.apis ?? [], accessors, { key: 'score', dir: 'desc' });
  return (
    <Panel
      id="increased-volume"
      title={titles['increased-volume']}
      description={
        data
          ? `APIs called more than the baseline predicts: listed from a score of ${data.threshold} (standard deviations of a Poisson count).`
          : 'APIs called more than the baseline predicts.'
      }
    >
      <Updating active={loading && !!data} />
      {error && <ErrorState error={error} retry={reload} />}
      {!data && loading && <Loading />}
      {data &&
        (data.apis.length === 0 ? (
          <Empty>No API was called markedly more than in the baseline.</Empty>
        ) : (
          <div className="table-wrap scroll-y">
            <table className="table" data-testid="increased-volume-table">
              <thead>
                <tr>
                  <SortTh label="API method" column="label" sort={sort} onSort={toggle} firstDir="asc" />
                  <SortTh label="Service" column="service" sort={sort} onSort={toggle} firstDir="asc" />
                  <SortTh label="Calls" column="calls" sort={sort} onSort={toggle} className="num" />
                  <SortTh label="Failed" column="failure" sort={sort} onSort={toggle} className="num" />
                  <SortTh label="Baseline calls" column="baselineCalls" sort={sort} onSort={toggle} className="num" />
                  <SortTh label="Expected" column="expected" sort={sort} onSort={toggle} className="num" />
                  <SortTh label="Score" column="score" sort={sort} onSort={toggle} className="num" />
                </tr>
              </thead>
              <tbody>
                {sorted.map((a) => {
                  const req = { entity: data.entity, label: entity.label, window: data.scope, filters: { api: `${a.service}:${a.api}` } };
                  return (
                    <tr key={a.label} data-row-label={a.label}>
                      <td className="api-name">{a.api || a.label}</td>
                      <td className="muted">{a.service}</td>
                      <td className="num">
                        <CountButton value={a.calls} req={req} what={`calls of ${a.label}`} />
                      </td>
                      <td className="num">
                        <CountButton value={a.failure} kind="failure" req={req} what={`failed calls of ${a.label}`} />
                      </td>
                      <td className="num">{formatCount(a.baselineCalls)}</td>
                      <td className="num">{a.expected.toFixed(1)}</td>
                      <td className="num">
                        <strong>{a.score.toFixed(1)}</strong>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ))}
    </Panel>
  );
}
