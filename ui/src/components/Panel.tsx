// A panel of a page: a titled section with a stable test id.

import { useId, type ReactNode } from 'react';

export interface PanelProps {
  /** The panel id (the API's panel id on profiles); the test id is panel-<id>. */
  id: string;
  title: ReactNode;
  /** One line saying what the panel answers. */
  description?: ReactNode;
  /** Controls shown at the right of the title. */
  actions?: ReactNode;
  /** Heading level: 2 for page panels, 3 for panels inside panels. */
  level?: 2 | 3;
  className?: string;
  children: ReactNode;
}

/** A titled panel. */
export function Panel({ id, title, description, actions, level = 2, className, children }: PanelProps) {
  const hid = useId();
  const H = level === 2 ? 'h2' : 'h3';
  return (
    <section className={'panel' + (className ? ' ' + className : '')} aria-labelledby={hid} data-testid={`panel-${id}`}>
      <header className="panel-head">
        <div>
          <H id={hid} className="panel-title">
            {title}
          </H>
          {description && <p className="panel-description">{description}</p>}
        </div>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
