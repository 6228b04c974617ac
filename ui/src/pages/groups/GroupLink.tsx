// A link to a finding group. A group opens on its own window, as a finding
// does, unless the analyst chose to keep the scope when pivoting.

import { Link } from 'react-router-dom';
import { EntityIcon } from '../../components/entityTypes';
import { withQuery } from '../../nav/urls';
import { useFindingCarry } from '../../scope/ScopeContext';

/** The console path of a group. */
export function groupPath(id: string): string {
  return `/groups/${encodeURIComponent(id)}`;
}

/** A link to group id, labelled with its title. */
export function GroupLink({ id, title, className, icon }: { id: string; title?: string; className?: string; icon?: boolean }) {
  const carry = useFindingCarry();
  return (
    <Link
      to={withQuery(groupPath(id), carry)}
      className={'entity-link' + (className ? ' ' + className : '')}
      data-testid="group-link"
      data-group-id={id}
      title={title ? `Finding group: ${title} (${id})` : `Finding group ${id}`}
    >
      {icon && <EntityIcon type="FindingGroup" />}
      <span className="entity-text">{title || id}</span>
    </Link>
  );
}
