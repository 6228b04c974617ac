// The page for console paths that name no view.

import { Link, useLocation } from 'react-router-dom';
import { usePageTitle } from './usePageTitle';
import { useScopeReport } from '../scope/ScopeContext';

/** Not found. */
export function NotFoundPage() {
  const location = useLocation();
  usePageTitle('Not found');
  useScopeReport({ notApplicable: 'This page does not use the scope.' });
  return (
    <div className="page narrow">
      <h1>Page not found</h1>
      <p>
        There is no view at <code>{location.pathname}</code>.
      </p>
      <p>
        Start from the <Link to="/summary">summary</Link>, the <Link to="/findings">findings</Link>, or{' '}
        <Link to="/search">search</Link> for an entity. Amazon Detective links (<code>…/detective/home#entities/…</code>) can be
        pasted into the search box.
      </p>
    </div>
  );
}
