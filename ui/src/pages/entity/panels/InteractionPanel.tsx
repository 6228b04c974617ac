// Resource interaction: who assumed what and when. Sessions a principal
// started, sessions of a role and who started them, the role and starter
// of a session, the principals behind an address or user agent, and the
// instances an address exchanged traffic with, each with first and last
// observed times.

import type { Interaction, InteractionRelation, ResourceInteraction } from '../../../api/types';
import { EntityLink } from '../../../components/EntityLink';
import { Panel } from '../../../components/Panel';
import { SortTh, useSort, type SortAccessors } from '../../../components/sort';
import { Empty, ErrorState, Loading, Updating } from '../../../components/States';
import { Time } from '../../../components/Time';
import { formatBytes, formatCount } from '../../../lib/format';
import { usePanel, useProfile } from '../usePanel';

const order: InteractionRelation[] = ['role', 'started-by', 'started-session', 'session-of-role', 'profile-session', 'caller', 'instance'];

function relationTitle(r: InteractionRelation, entityType: string): string {
  switch (r) {
    case 'started-session':
      return 'Role sessions it started';
    case 'session-of-role':
      return 'Sessions of this role';
    case 'role':
      return 'Assumed role';
    case 'started-by':
      return 'Started by';
    case 'caller':
      return entityType === 'UserAgent' ? 'Principals that used this user agent' : 'Principals that called from this address';
    case 'instance':
      return 'EC2 instances that exchanged traffic with this address';
    case 'profile-session':
      return 'Roles it assumed: its instance profile sessions';
  }
}

const accessors: SortAccessors<Interaction> = {
  label: (r) => r.label,
  calls: (r) => r.calls,
  started: (r) => r.started,
  bytes: (r) => r.bytes,
  firstSeen: (r) => r.firstSeen,
  lastSeen: (r) => r.lastSeen,
};

function RelationTable({ relation, rows }: { relation: InteractionRelation; rows: Interaction[] }) {
  const { entity } = useProfile();
  const hasRole = rows.some((r) => r.role);
  const hasStarter = rows.some((r) => r.startedBy);
  const hasCalls = rows.some((r) => r.calls > 0) || relation === 'caller';
  const hasStarted = rows.some((r) => r.started > 0) || relation === 'started-session';
  const hasBytes = relation === 'instance' || rows.some((r) => r.bytes !== undefined);
  const { sorted, sort, toggle } = useSort(rows, accessors, { key: relation === 'instance' ? 'bytes' : 'lastSeen', dir: 'desc' });
  const title = relationTitle(relation, entity.type);
  return (
    <section className="subsection" data-relation={relation}>
      <h3>
        {title} <span className="muted">({formatCount(rows.length)})</span>
      </h3>
      <div className="table-wrap scroll-y">
        <table className="table" data-testid={`interaction-${relation}`}>
          <thead>
            <tr>
              <SortTh label="Entity" column="label" sort={sort} onSort={toggle} firstDir="asc" />
              {hasRole && <th scope="col">Role</th>}
              {hasStarter && <th scope="col">Started by</th>}
              {hasCalls && <SortTh label="Calls" column="calls" sort={sort} onSort={toggle} className="num" />}
              {hasStarted && <SortTh label="Times started" column="started" sort={sort} onSort={toggle} className="num" />}
              {hasBytes && <SortTh label="Bytes" column="bytes" sort={sort} onSort={toggle} className="num" />}
              <SortTh label="First observed" column="firstSeen" sort={sort} onSort={toggle} />
              <SortTh label="Last observed" column="lastSeen" sort={sort} onSort={toggle} />
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => (
              <tr key={`${r.entity.type}/${r.entity.id}`}>
                <td className="wrap">
                  <EntityLink type={r.entity.type} id={r.entity.id} label={r.label} />
                </td>
                {hasRole && <td className="wrap">{r.role ? <EntityLink type={r.role.type} id={r.role.id} /> : <span className="muted">–</span>}</td>}
                {hasStarter && (
                  <td className="wrap">{r.startedBy ? <EntityLink type={r.startedBy.type} id={r.startedBy.id} /> : <span className="muted">–</span>}</td>
                )}
                {hasCalls && <td className="num">{formatCount(r.calls)}</td>}
                {hasStarted && <td className="num">{formatCount(r.started)}</td>}
                {hasBytes && <td className="num">{formatBytes(r.bytes ?? 0)}</td>}
                <td>
                  <Time value={r.firstSeen} />
                </td>
                <td>
                  <Time value={r.lastSeen} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The resource-interaction panel. */
export function InteractionPanel() {
  const { titles } = useProfile();
  const { data, error, loading, reload } = usePanel<ResourceInteraction>('resource-interaction');
  const groups = order
    .map((rel) => [rel, (data?.rows ?? []).filter((r) => r.relation === rel)] as const)
    .filter(([, rows]) => rows.length > 0);
  return (
    <Panel
      id="resource-interaction"
      title={titles['resource-interaction']}
      description="Role assumptions and the principals, sessions and instances this entity interacted with, with when each was first and last observed."
    >
      <Updating active={loading && !!data} />
      {error && <ErrorState error={error} retry={reload} />}
      {!data && loading && <Loading />}
      {data &&
        (groups.length === 0 ? (
          <Empty>No interaction during the scope.</Empty>
        ) : (
          groups.map(([rel, rows]) => <RelationTable key={rel} relation={rel} rows={rows} />)
        ))}
    </Panel>
  );
}
