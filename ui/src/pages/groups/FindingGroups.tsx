// The finding groups a finding belongs to, for the finding's overview: the
// way from one finding to the incident it is part of.

import { useApi } from '../../api/useApi';
import { SeverityBadge } from '../../components/Severity';
import { groupUrls } from './api';
import { GroupLink } from './GroupLink';
import type { GroupList } from './types';

/** A line naming the groups that hold finding id; nothing when none does or groups are unavailable. */
export function FindingGroups({ id }: { id: string }) {
  const { data } = useApi<GroupList>(groupUrls.list({ finding: id, status: 'any', limit: 20 }));
  if (!data || data.groups.length === 0) return null;
  const groups = [...data.groups].sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active'));
  return (
    <div className="finding-meta" data-testid="finding-groups">
      <span className="muted">Finding group{groups.length === 1 ? '' : 's'}:</span>
      {groups.map((g) => (
        <span key={g.id} data-group-id={g.id} data-status={g.status}>
          <SeverityBadge score={g.severity} /> <GroupLink id={g.id} title={g.title} icon />
          {g.status === 'inactive' && <span className="tag">inactive</span>}
        </span>
      ))}
    </div>
  );
}
