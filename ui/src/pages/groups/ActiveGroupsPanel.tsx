// The summary's "Active finding groups" panel: the most severe probable
// incidents, each with its tactics chain and a link to the group, so that
// the analyst starts from incidents rather than from single findings.

import { Link } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import { Panel } from '../../components/Panel';
import { SeverityBadge } from '../../components/Severity';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { formatCount } from '../../lib/format';
import { accountsParam, useAccountFilter } from '../../nav/accountFilter';
import { withQuery } from '../../nav/urls';
import { groupUrls } from './api';
import { GroupLink } from './GroupLink';
import { TacticsChain } from './TacticsChain';
import type { GroupList } from './types';
import './groups.css';

const shown = 8;

/** The active finding groups, most severe first. */
export function ActiveGroupsPanel() {
  const accountFilter = useAccountFilter();
  const account = accountFilter.accounts.join(',');
  const { data, error, loading, reload } = useApi<GroupList>(groupUrls.list({ limit: shown, account }));
  return (
    <Panel
      id="active-groups"
      title="Active finding groups"
      description={
        'Related findings gathered into probable incidents, most severe first' +
        (account ? ', with findings of the accounts of the account filter' : '') +
        '. Groups are listed whatever the scope.'
      }
      actions={
        <Link to={withQuery('/groups', { [accountsParam]: account })} className="button" data-testid="all-groups">
          {data ? `All ${formatCount(data.total)} active groups` : 'All finding groups'}
        </Link>
      }
    >
      {error && <ErrorState error={error} retry={reload} what="The finding groups" />}
      {!data && loading && <Loading label="Loading the finding groups…" />}
      {data &&
        (data.groups.length === 0 ? (
          <Empty>No active finding group: groups appear as related findings are ingested.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table compact" data-testid="active-groups">
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  <th scope="col">Group</th>
                  <th scope="col">Tactics</th>
                  <th scope="col" className="num">
                    Findings
                  </th>
                  <th scope="col">Accounts</th>
                  <th scope="col">Last observed</th>
                </tr>
              </thead>
              <tbody>
                {data.groups.map((g) => (
                  <tr key={g.id} data-group-id={g.id}>
                    <td>
                      <SeverityBadge score={g.severity} />
                    </td>
                    <td className="wrap">
                      <GroupLink id={g.id} title={g.title} />
                    </td>
                    <td className="wrap">
                      <TacticsChain tactics={g.tactics} compact />
                    </td>
                    <td className="num">{formatCount(g.findingCount)}</td>
                    <td className="wrap small">{g.accounts.join(', ')}</td>
                    <td>
                      <Time value={g.lastSeen} />
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
