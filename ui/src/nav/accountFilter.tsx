// The account filter: a set of AWS accounts the analyst narrowed the
// console to. It lives in the URL (accounts=<id>,<id>) and is carried
// with the scope, so it applies across pages and survives sharing.

import { Link, useLocation, useNavigate } from 'react-router-dom';
import { withQuery } from './urls';

/** The URL parameter of the account filter. */
export const accountsParam = 'accounts';

/** Reads an account filter value: account ids, comma-separated. */
export function parseAccounts(v: string | null): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^\d{12}$/.test(s));
}

/** The account filter of the current view, and a way to change it. */
export function useAccountFilter(): { accounts: string[]; has: (account: string | undefined) => boolean; set: (accounts: string[]) => void } {
  const location = useLocation();
  const navigate = useNavigate();
  const accounts = parseAccounts(new URLSearchParams(location.search).get(accountsParam));
  const set = (next: string[]) => {
    const q = new URLSearchParams(location.search);
    if (next.length) q.set(accountsParam, [...new Set(next)].sort().join(','));
    else q.delete(accountsParam);
    const s = q.toString();
    navigate(location.pathname + (s ? '?' + s : ''), { replace: true });
  };
  const has = (a: string | undefined) => accounts.length === 0 || (!!a && accounts.includes(a));
  return { accounts, has, set };
}

/** Shows the account filter, when one is set, with ways to edit or clear it. */
export function AccountFilterChip() {
  const location = useLocation();
  const { accounts, set } = useAccountFilter();
  if (accounts.length === 0) return null;
  const q = Object.fromEntries(new URLSearchParams(location.search));
  return (
    <div className="account-filter" role="region" aria-label="Account filter" data-testid="account-filter">
      <span className="pins-label">Accounts</span>
      <span className="chip" title={accounts.join(', ')}>
        {accounts.length <= 2 ? accounts.join(', ') : `${accounts.slice(0, 2).join(', ')} +${accounts.length - 2}`}
        <button type="button" className="icon-button small" aria-label="Clear the account filter" onClick={() => set([])}>
          ✕
        </button>
      </span>
      {location.pathname !== '/accounts' && (
        <Link to={withQuery('/accounts', { scopeStart: q.scopeStart, scopeEnd: q.scopeEnd, [accountsParam]: q[accountsParam] })}>Edit</Link>
      )}
    </div>
  );
}
