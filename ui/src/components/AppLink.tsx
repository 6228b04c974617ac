// A link within the console that costs a plain anchor to render. Tables
// show hundreds of identifiers, and the router's <Link> runs several hooks
// per link (resolving the path, subscribing to the location); this one is
// an <a href> whose click is handed to the router, as <Link> does: plain
// left clicks navigate in the page (replacing the entry when the target is
// the current address), while modified clicks (new tab, new window,
// download) are left to the browser.

import { useEffect, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { useNavigate } from 'react-router-dom';

let navigateTo: ((to: string, replace: boolean) => void) | undefined;

/** Lets AppLinks navigate with the router; rendered once, inside it. */
export function AppLinkNavigator() {
  const navigate = useNavigate();
  useEffect(() => {
    navigateTo = (to, replace) => navigate(to, { replace });
    return () => {
      navigateTo = undefined;
    };
  }, [navigate]);
  return null;
}

function followInApp(e: MouseEvent<HTMLAnchorElement>) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.altKey || e.ctrlKey || e.shiftKey || !navigateTo) return;
  const a = e.currentTarget;
  if (a.target && a.target !== '_self') return;
  const to = a.getAttribute('href');
  if (!to || !to.startsWith('/')) return;
  e.preventDefault();
  navigateTo(to, to === window.location.pathname + window.location.search);
}

/** An anchor to a console path (starting with /) that navigates in the page. */
export function AppLink({ to, onClick, ...rest }: { to: string } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  return (
    <a
      href={to}
      onClick={(e) => {
        onClick?.(e);
        followInApp(e);
      }}
      {...rest}
    />
  );
}
