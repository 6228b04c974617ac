// "/" opens the summary, unless it carries a Detective fragment, which
// DetectiveRedirect handles.

import { Navigate, useLocation } from 'react-router-dom';
import { isDetectiveFragment } from './DetectiveRedirect';

/** The landing route. */
export function RootRedirect() {
  const location = useLocation();
  if (isDetectiveFragment(location.hash)) return null;
  return <Navigate to={'/summary' + location.search} replace />;
}
