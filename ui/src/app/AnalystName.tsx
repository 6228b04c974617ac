// Who the analyst is, for the audit trail: a button in the header shows the
// name set in this browser (or asks for one) and opens a small form to set
// or clear it. The name is sent as X-Trailhound-User with every change the
// console makes (lib/prefs, pages/groups/api); it names, it does not
// authenticate — an authenticating proxy in front of the server may set
// the header instead.

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { analystNameMax, analystNameStore, cleanAnalystName, useAnalystName } from '../lib/prefs';

/** The header's analyst control. */
export function AnalystName() {
  const name = useAnalystName();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(name);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    setDraft(name);
    input.current?.focus();
    input.current?.select();
    // A click elsewhere closes the form, as Escape does.
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
    // name is read when the form opens only.
  }, [open]);

  function close() {
    setOpen(false);
    button.current?.focus();
  }

  function save(e: FormEvent) {
    e.preventDefault();
    analystNameStore.set(cleanAnalystName(draft));
    close();
  }

  return (
    <div className="analyst">
      <button
        ref={button}
        type="button"
        className="analyst-button"
        aria-expanded={open}
        aria-controls={open ? `${id}-form` : undefined}
        onClick={() => setOpen((o) => !o)}
        title="The name the audit trail records for your edits"
        data-testid="analyst-name"
        data-name={name}
      >
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M8 8a2.75 2.75 0 1 0 0-5.5A2.75 2.75 0 0 0 8 8zM2.5 14.5c0-3 2.5-5 5.5-5s5.5 2 5.5 5z" fill="none" stroke="currentColor" strokeWidth="1.4" />
        </svg>
        <span className="analyst-text">{name ? name : 'Set your name'}</span>
      </button>
      {open && (
        <div
          ref={box}
          id={`${id}-form`}
          className="analyst-popover"
          role="dialog"
          aria-label="Your name in the audit trail"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
          data-testid="analyst-name-form"
        >
          <form onSubmit={save}>
            <label htmlFor={`${id}-input`}>Your name in the audit trail</label>
            <input
              ref={input}
              id={`${id}-input`}
              type="text"
              value={draft}
              maxLength={analystNameMax * 2}
              autoComplete="name"
              spellCheck={false}
              placeholder="e.g. Dana Reyes"
              onChange={(e) => setDraft(e.target.value)}
              data-testid="analyst-name-input"
            />
            <p className="small muted">
              Sent with your group edits and investigations, kept in this browser. Without a name, edits are recorded as “anonymous”. It names you; it
              does not sign you in.
            </p>
            <div className="analyst-actions">
              <button type="submit" className="primary" data-testid="analyst-name-save">
                Save
              </button>
              {name && (
                <button
                  type="button"
                  onClick={() => {
                    analystNameStore.set('');
                    close();
                  }}
                  data-testid="analyst-name-clear"
                >
                  Clear
                </button>
              )}
              <button type="button" onClick={close}>
                Cancel
              </button>
            </div>
          </form>
        </div>
      )}
    </div>
  );
}
