// The summary's "Active finding groups" panel: the most severe probable
// incidents active during the summary's scope (their first to last
// observed findings overlap it) and with findings of the account filter's
// accounts, each with its tactics chain and a link to the group, so that
// the analyst starts from incidents rather than from single findings.

import { Link } from 'react-router-dom';
import type { Scope } from '../../api/types';
import { useApi } from '../../api/useApi';
import { Panel } from '../../components/Panel';
import { SeverityBadge } from '../../components/Severity';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { formatCount } from '../../lib/format';
import { useAccountFilter } from '../../nav/accountFilter';
import { withQuery } from '../../nav/urls';
import { useCarry } from '../../scope/ScopeContext';
import { groupUrls } from './api';
import { GroupLink } from './GroupLink';
import { TacticsChain } from './TacticsChain';
import type { GroupList } from './types';
import './groups.css';

const shown = 8;

/**
 * The active finding groups of the scope, most severe first; scope is the
 * page's (undefined while it is not known yet).
 */
export function ActiveGroupsPanel({ scope }: { scope: Scope | undefined }) {
  const accountFilter = useAccountFilter();
  const carry = useCarry();
  const account = accountFilter.accounts.join(',');
  const { data, error, loading, reload } = useApi<GroupList>(
    scope ? groupUrls.list({ limit: shown, account, scopeStart: scope.scopeStart, scopeEnd: scope.scopeEnd }) : null,
  );
  return (
    <Panel
      id="active-groups"
      title="Active finding groups"
      description={
        'Related findings gathered into probable incidents, most severe first: the groups whose findings were observed during the scope' +
        (account ? ', with findings of the accounts of the account filter.' : '.')
      }
      actions={
        <Link to={withQuery('/groups', carry)} className="button" data-testid="all-groups">
          {data ? `All ${formatCount(data.total)} active groups` : 'All finding groups'}
        </Link>
      }
    >
      {error && <ErrorState error={error} retry={reload} what="The finding groups" />}
      {!data && (loading || !scope) && <Loading label="Loading the finding groups…" />}
      {data &&
        (data.groups.length === 0 ? (
          <Empty>
            No finding group active in this scope{account ? ' with findings of the filtered accounts' : ''}: groups appear as related findings are
            observed.
          </Empty>
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
