// Opens Detective deep links: a Detective URL whose host was replaced by
// Trailhound's (/detective/home?region=...#entities/...), or a Detective
// fragment on any console path, is redirected to the same view here.

import { useEffect } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { fromDetectiveFragment } from '../nav/detective';

/** True when a fragment looks like one of Detective's view fragments. */
export function isDetectiveFragment(hash: string): boolean {
  return /^#\/?(entities|findings|groups|findinggroups|investigations)\//i.test(hash);
}

/** Watches the location and redirects Detective links. */
export function DetectiveRedirect() {
  const location = useLocation();
  const navigate = useNavigate();
  useEffect(() => {
    const detectivePath = /^\/detective(\/|$)/.test(location.pathname);
    if (isDetectiveFragment(location.hash) || (detectivePath && location.hash.length > 1)) {
      const target = fromDetectiveFragment(location.hash);
      if (target) {
        navigate(target, { replace: true });
        return;
      }
    }
    if (detectivePath) navigate('/summary', { replace: true });
  }, [location.pathname, location.hash, navigate]);
  return null;
}
