// Page titles: the document title names the view, for tabs and history.

import { useEffect } from 'react';

/** Sets the document title to "<title> · Trailhound". */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Trailhound` : 'Trailhound';
  }, [title]);
}
