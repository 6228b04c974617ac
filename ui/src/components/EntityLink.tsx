// The one way an identifier is shown: a link to its profile (or finding
// overview) that carries the scope, with the type's icon.

import { useCarry, useFindingCarry } from '../scope/ScopeContext';
import { entityHref, type Carry } from '../nav/urls';
import { AppLink } from './AppLink';
import { EntityIcon, typeInfo } from './entityTypes';

export interface EntityLinkProps {
  type: string;
  id: string;
  /** A name to show instead of the id (user name, role name...). */
  label?: string;
  /** Hide the type icon (in lists whose column says the type). */
  noIcon?: boolean;
  /** Parameters to carry instead of the current scope. */
  carry?: Carry;
  /** Extra query parameters for the target (a tab, a bucket). */
  extra?: Record<string, string | undefined>;
  className?: string;
}

/** A link to an entity's profile, carrying the scope. */
export function EntityLink({ type, id, label, noIcon, carry, extra, className }: EntityLinkProps) {
  const scopeCarry = useCarry();
  const findingCarry = useFindingCarry();
  const c = carry ?? (type === 'Finding' ? findingCarry : scopeCarry);
  const text = label && label !== '' ? label : id;
  const t = typeInfo(type);
  return (
    <AppLink
      to={entityHref(type, id, c, extra)}
      className={'entity-link' + (className ? ' ' + className : '')}
      title={text === id ? `${t.name}: ${id}` : `${t.name}: ${text} (${id})`}
      data-testid="entity-link"
      data-entity-type={type}
      data-entity-id={id}
    >
      {!noIcon && <EntityIcon type={type} />}
      <span className="entity-text">{text}</span>
    </AppLink>
  );
}
