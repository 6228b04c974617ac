// The search box in the header: type a name, id, ARN, address or CIDR
// block and pick from suggestions, or paste a Detective console link to
// open the same view here. "/" focuses it from anywhere.

import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { getJSON, isAbort, urls } from '../api/client';
import type { SearchResult, SearchResults } from '../api/types';
import { fromPastedURL } from '../nav/detective';
import { entityHref, withQuery } from '../nav/urls';
import { useCarry, useFindingCarry } from '../scope/ScopeContext';
import { EntityIcon, typeInfo } from './entityTypes';

/**
 * The pattern suggestions use: what was typed, matched anywhere, unless
 * it already has wildcards or is an address or CIDR block.
 */
export function suggestionPattern(text: string): string {
  const t = text.trim();
  if (/[*?]/.test(t) || (/^[0-9a-fA-F:.]+(\/\d+)?$/.test(t) && /[.:]/.test(t))) return t;
  return `*${t}*`;
}

/** The header search box. */
export function GlobalSearch() {
  const navigate = useNavigate();
  const carry = useCarry();
  const findingCarry = useFindingCarry();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<SearchResult[]>([]);
  const [active, setActive] = useState(-1);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (e.key === '/' && !(el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)))) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const t = text.trim();
    if (t.length < 2 || fromPastedURL(t)) {
      setItems([]);
      return;
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      getJSON<SearchResults>(urls.search({ q: suggestionPattern(t), limit: 8 }), ctl.signal)
        .then((r) => {
          setItems(r.results);
          setActive(-1);
        })
        .catch((err) => {
          if (!isAbort(err)) setItems([]);
        });
    }, 180);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [text]);

  function go(r: SearchResult) {
    setOpen(false);
    setText('');
    navigate(entityHref(r.type, r.id, r.type === 'Finding' ? findingCarry : carry));
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (active >= 0 && items[active]) {
      go(items[active]);
      return;
    }
    const t = text.trim();
    if (!t) return;
    const pasted = fromPastedURL(t);
    setOpen(false);
    setText('');
    if (pasted) navigate(pasted);
    else navigate(withQuery('/search', { q: t, ...carry }));
  }

  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(items.length - 1, a + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(-1, a - 1));
    } else if (e.key === 'Escape') {
      setOpen(false);
      setActive(-1);
    }
  }

  const listId = `${id}-list`;
  const show = open && items.length > 0;
  return (
    <form className="global-search" role="search" onSubmit={submit}>
      <label htmlFor={`${id}-input`} className="visually-hidden">
        Search entities, or paste a Detective link
      </label>
      <input
        ref={input}
        id={`${id}-input`}
        type="search"
        placeholder="Search, or paste a Detective link  ( / )"
        autoComplete="off"
        spellCheck={false}
        role="combobox"
        aria-expanded={show}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${id}-opt-${active}` : undefined}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKey}
        data-testid="global-search"
      />
      {show && (
        <ul className="suggestions" role="listbox" id={listId} aria-label="Suggestions">
          {items.map((r, i) => (
            <li
              key={`${r.type}/${r.id}`}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                go(r);
              }}
            >
              <EntityIcon type={r.type} />
              <span className="suggestion-label">{r.label || r.id}</span>
              <span className="muted suggestion-type">{typeInfo(r.type).name}</span>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
