// A filter editor for the API's list filters: choose a property, type
// values (comma-separated values are alternatives), and see the active
// filters as removable chips. Different properties must all hold.

import { useId, useState, type FormEvent } from 'react';

/** A filterable property. */
export interface FilterProperty {
  key: string;
  label: string;
  placeholder: string;
  suggestions?: string[];
}

/** The label of a filter key among properties. */
export function filterLabelOf(properties: FilterProperty[], key: string): string {
  return properties.find((p) => p.key === key)?.label ?? key;
}

/** Edits a set of filters. */
export function FilterBar({
  properties,
  filters,
  onChange,
  testId,
}: {
  properties: FilterProperty[];
  filters: Record<string, string | undefined>;
  onChange: (f: Record<string, string>) => void;
  testId?: string;
}) {
  const id = useId();
  const [prop, setProp] = useState(properties[0].key);
  const [value, setValue] = useState('');
  const spec = properties.find((p) => p.key === prop) ?? properties[0];
  const active = properties.map((p) => p.key).filter((k) => filters[k]);
  const clean = () => Object.fromEntries(Object.entries(filters).filter(([, v]) => !!v)) as Record<string, string>;

  function add(e: FormEvent) {
    e.preventDefault();
    const values = value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (!values.length) return;
    const existing = (filters[prop] ?? '').split(',').filter(Boolean);
    onChange({ ...clean(), [prop]: [...new Set([...existing, ...values])].join(',') });
    setValue('');
  }

  function remove(key: string) {
    const next = clean();
    delete next[key];
    onChange(next);
  }

  return (
    <div className="filter-bar" data-testid={testId}>
      <form className="filter-form" onSubmit={add} aria-label="Add a filter">
        <label className="visually-hidden" htmlFor={`${id}-prop`}>
          Filter property
        </label>
        <select id={`${id}-prop`} value={prop} onChange={(e) => setProp(e.target.value)} data-testid="filter-property">
          {properties.map((p) => (
            <option key={p.key} value={p.key}>
              {p.label}
            </option>
          ))}
        </select>
        <label className="visually-hidden" htmlFor={`${id}-value`}>
          Filter value
        </label>
        <input
          id={`${id}-value`}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder={spec.placeholder}
          list={spec.suggestions ? `${id}-list` : undefined}
          data-testid="filter-value"
        />
        {spec.suggestions && (
          <datalist id={`${id}-list`}>
            {spec.suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        )}
        <button type="submit" data-testid="filter-add">
          Add filter
        </button>
      </form>
      {active.length > 0 && (
        <ul className="chips" aria-label="Active filters">
          {active.map((k) => (
            <li key={k} className="chip" data-filter={k}>
              <span>
                {filterLabelOf(properties, k)}: <strong>{filters[k]!.split(',').join(' or ')}</strong>
              </span>
              <button
                type="button"
                className="icon-button small"
                aria-label={`Remove the filter ${filterLabelOf(properties, k)}`}
                onClick={() => remove(k)}
              >
                ✕
              </button>
            </li>
          ))}
          <li>
            <button type="button" className="link-button" onClick={() => onChange({})}>
              Clear filters
            </button>
          </li>
        </ul>
      )}
    </div>
  );
}
