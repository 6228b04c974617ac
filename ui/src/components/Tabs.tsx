// Accessible tabs (WAI-ARIA tabs pattern): arrow keys, Home and End move
// between tabs, and the active tab is the only one in the tab order.

import { useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface TabSpec {
  id: string;
  label: ReactNode;
}

export interface TabsProps {
  tabs: TabSpec[];
  active: string;
  onChange: (id: string) => void;
  /** Names the tab list for screen readers. */
  label: string;
  /** Prefix of element ids, unique on the page. */
  idPrefix: string;
  testId?: string;
}

/** The id of a tab's panel, for aria-controls / aria-labelledby. */
export function tabPanelId(idPrefix: string, tab: string) {
  return `${idPrefix}-panel-${tab}`;
}

/** The id of a tab button. */
export function tabId(idPrefix: string, tab: string) {
  return `${idPrefix}-tab-${tab}`;
}

/** A tab list; the caller renders the active panel with TabPanel. */
export function Tabs({ tabs, active, onChange, label, idPrefix, testId }: TabsProps) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  function onKey(e: KeyboardEvent<HTMLButtonElement>, i: number) {
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    onChange(tabs[next].id);
    refs.current[next]?.focus();
  }
  return (
    <div className="tabs" role="tablist" aria-label={label} data-testid={testId}>
      {tabs.map((t, i) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={tabId(idPrefix, t.id)}
          aria-selected={t.id === active}
          aria-controls={tabPanelId(idPrefix, t.id)}
          tabIndex={t.id === active ? 0 : -1}
          data-tab={t.id}
          onClick={() => onChange(t.id)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

/** The panel of the active tab. */
export function TabPanel({ idPrefix, tab, children }: { idPrefix: string; tab: string; children: ReactNode }) {
  return (
    <div role="tabpanel" id={tabPanelId(idPrefix, tab)} aria-labelledby={tabId(idPrefix, tab)} className="tab-panel">
      {children}
    </div>
  );
}
