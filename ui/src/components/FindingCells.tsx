// The cells every findings table shows for a finding (severity, title,
// type, account, region, first and last observed), with the sort
// accessors of those columns, so the findings list and the associated
// findings panel stay alike.

import type { AssociatedFinding } from '../api/types';
import { EntityLink } from './EntityLink';
import { SeverityBadge } from './Severity';
import type { SortAccessors } from './sort';
import { Time } from './Time';

/** Sort accessors of the columns FindingCells renders. */
export const findingAccessors: SortAccessors<AssociatedFinding> = {
  severity: (f) => f.severity,
  title: (f) => f.title,
  type: (f) => f.type,
  account: (f) => f.account,
  region: (f) => f.region,
  firstSeen: (f) => f.firstSeen,
  lastSeen: (f) => f.lastSeen,
};

/** The cells of one finding's row. */
export function FindingCells({ f }: { f: AssociatedFinding }) {
  return (
    <>
      <td>
        <SeverityBadge score={f.severity} />
      </td>
      <td className="wrap">
        <EntityLink type="Finding" id={f.id} label={f.title} noIcon />
        {f.archived && <span className="tag">archived</span>}
      </td>
      <td className="wrap mono small">{f.type}</td>
      <td>
        <EntityLink type="AwsAccount" id={f.account} noIcon />
      </td>
      <td>{f.region}</td>
      <td>
        <Time value={f.firstSeen} />
      </td>
      <td>
        <Time value={f.lastSeen} />
      </td>
    </>
  );
}
