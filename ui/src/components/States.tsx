// Loading, empty, error and truncated states, the same everywhere.

import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';

/** A loading indicator, announced politely. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" data-testid="state-loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** Says that there is nothing to show, and why when known. */
export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="state-empty">
      {children}
    </div>
  );
}

/** An API error with its code and message, and a retry button. */
export function ErrorState({ error, retry, what }: { error: ApiError; retry?: () => void; what?: string }) {
  const heading =
    error.code === 'not_found'
      ? `${what ?? 'This'} was not found`
      : error.code === 'invalid'
        ? 'The request was not valid'
        : error.code === 'network'
          ? 'The server could not be reached'
          : `${what ?? 'This'} could not be loaded`;
  return (
    <div className="state state-error" role="alert" data-testid="state-error" data-error-code={error.code}>
      <strong>{heading}</strong>
      <span className="error-message">
        {error.message} <code className="muted">({error.code})</code>
      </span>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** Says that a view shows only part of what exists. */
export function Truncated({ children }: { children: ReactNode }) {
  return (
    <div className="state state-truncated" role="note" data-testid="state-truncated">
      {children}
    </div>
  );
}

/** Shows a thin "updating" bar while stale data is being replaced. */
export function Updating({ active }: { active: boolean }) {
  return active ? <div className="updating" role="status" aria-label="Updating" /> : null;
}
