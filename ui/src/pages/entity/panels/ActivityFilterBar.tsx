// The activity-details filters, as the API offers them: API method equals
// or not, API name contains (List, Describe...), service contains or not,
// address is or is not (addresses and CIDR blocks), address class, caller
// contains or not. Values of one filter are alternatives; different
// filters must all hold, or any one of them when the analyst says so.

import { useId } from 'react';
import type { ActivityFilters } from '../../../api/types';
import { FilterBar, type FilterProperty } from '../../../components/FilterBar';

const properties: FilterProperty[] = [
  { key: 'apiContains', label: 'API name contains', placeholder: 'List', suggestions: ['List', 'Describe', 'Get', 'Create', 'Delete', 'Put', 'Attach', 'Update', 'Run', 'Assume'] },
  { key: 'api', label: 'API method is', placeholder: 'AttachUserPolicy or iam.amazonaws.com:AttachUserPolicy' },
  { key: 'notApi', label: 'API method is not', placeholder: 'GetCallerIdentity' },
  { key: 'service', label: 'Service contains', placeholder: 'iam' },
  { key: 'notService', label: 'Service does not contain', placeholder: 's3' },
  { key: 'ip', label: 'IP address is', placeholder: '203.0.113.7 or 10.0.0.0/8' },
  { key: 'notIp', label: 'IP address is not', placeholder: '10.0.0.0/8' },
  { key: 'ipClass', label: 'Address class is', placeholder: 'public', suggestions: ['public', 'private', 'reserved', 'loopback', 'link-local'] },
  { key: 'resource', label: 'Caller contains', placeholder: 'user, role, session or access key' },
  { key: 'notResource', label: 'Caller does not contain', placeholder: 'AWSServiceRole' },
];

/** Edits activity filters, and how they combine once there are several. */
export function ActivityFilterBar({ filters, onChange }: { filters: ActivityFilters; onChange: (f: ActivityFilters) => void }) {
  const id = useId();
  const given = properties.filter((p) => filters[p.key as keyof ActivityFilters]).length;
  const match = filters.match === 'any' ? 'any' : 'all';
  return (
    <div className="activity-filters">
      <FilterBar properties={properties} filters={filters as Record<string, string | undefined>} onChange={onChange} testId="activity-filters" />
      {given > 1 && (
        <div className="filter-match">
          <label htmlFor={`${id}-match`}>Calls must match</label>{' '}
          <select
            id={`${id}-match`}
            value={match}
            data-testid="filter-match"
            onChange={(e) => {
              const next = { ...filters };
              if (e.target.value === 'any') next.match = 'any';
              else delete next.match;
              onChange(next);
            }}
          >
            <option value="all">every filter</option>
            <option value="any">any filter</option>
          </select>
        </div>
      )}
    </div>
  );
}
