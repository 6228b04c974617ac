// The trail bar under the scope bar: breadcrumbs of the pivots taken in
// this investigation, a history panel listing all of them, and the pinned
// entities with a link to compare them side by side.

import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { EntityIcon, typeInfo } from '../components/entityTypes';
import { EntityLink } from '../components/EntityLink';
import { formatTime } from '../lib/format';
import { useTimeZone } from '../lib/prefs';
import { useStore } from '../lib/store';
import { useCarry } from '../scope/ScopeContext';
import { AccountFilterChip } from './accountFilter';
import { pinStore, unpin } from './pins';
import { clearTrail, trailStore, type TrailEntry } from './trail';
import { withQuery } from './urls';

const shown = 6;

function kindName(kind: string): string {
  const t = typeInfo(kind);
  return t.name === kind ? kind.charAt(0).toUpperCase() + kind.slice(1) : t.name;
}

function Crumb({ e, current }: { e: TrailEntry; current: boolean }) {
  return (
    <Link to={e.url} aria-current={current ? 'page' : undefined} className="crumb" title={`${kindName(e.kind)}: ${e.title}`}>
      <EntityIcon type={e.kind} size={14} />
      <span className="crumb-text">{e.title}</span>
    </Link>
  );
}

function History({ onClose }: { onClose: () => void }) {
  const { entries, current } = useStore(trailStore);
  const tz = useTimeZone();
  const ref = useRef<HTMLDivElement>(null);
  const hid = useId();
  useEffect(() => {
    ref.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="history" role="dialog" aria-labelledby={hid} ref={ref} tabIndex={-1} data-testid="trail-history">
      <div className="history-head">
        <h2 id={hid}>Investigation trail</h2>
        <button type="button" className="link-button" onClick={() => clearTrail()}>
          Clear
        </button>
        <button type="button" className="icon-button" aria-label="Close the trail" onClick={onClose}>
          ✕
        </button>
      </div>
      {entries.length === 0 ? (
        <p className="muted">No steps yet: the views you open are listed here.</p>
      ) : (
        <ol className="history-list">
          {entries.map((e, i) => (
            <li key={i} className={i === current ? 'current' : undefined}>
              <span className="muted history-time">{formatTime(e.at / 1000, tz)}</span>
              <span className="muted history-kind">{kindName(e.kind)}</span>
              <Link to={e.url} onClick={onClose} aria-current={i === current ? 'page' : undefined}>
                {e.title}
              </Link>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** The trail and pins. */
export function TrailBar() {
  const { entries, current } = useStore(trailStore);
  const pins = useStore(pinStore);
  const carry = useCarry();
  const [historyOpen, setHistoryOpen] = useState(false);
  const start = Math.max(0, entries.length - shown);
  const visible = entries.slice(start);
  return (
    <div className="trail-bar">
      <nav aria-label="Investigation trail" className="trail" data-testid="trail">
        <button
          type="button"
          className="trail-toggle"
          aria-expanded={historyOpen}
          onClick={() => setHistoryOpen((o) => !o)}
          data-testid="trail-toggle"
        >
          Trail ({entries.length})
        </button>
        {visible.length > 0 && (
          <ol className="crumbs">
            {start > 0 && (
              <li className="muted">
                <button type="button" className="link-button" onClick={() => setHistoryOpen(true)}>
                  {start} earlier
                </button>
              </li>
            )}
            {visible.map((e, i) => (
              <li key={start + i}>
                <Crumb e={e} current={start + i === current} />
              </li>
            ))}
          </ol>
        )}
        {historyOpen && <History onClose={() => setHistoryOpen(false)} />}
      </nav>
      <AccountFilterChip />
      {pins.length > 0 && (
        <div className="pins" data-testid="pins" role="region" aria-label="Pinned entities">
          <span className="pins-label">Pinned</span>
          <ul className="pin-list">
            {pins.map((p) => (
              <li key={`${p.type}/${p.id}`} className="pin">
                <EntityLink type={p.type} id={p.id} label={p.label} />
                <button type="button" className="icon-button small" aria-label={`Unpin ${p.label}`} onClick={() => unpin(p.type, p.id)}>
                  ✕
                </button>
              </li>
            ))}
          </ul>
          <Link to={withQuery('/compare', carry)} className="button" data-testid="compare-link">
            Compare ({pins.length})
          </Link>
        </div>
      )}
    </div>
  );
}
