// The activity-details filters, as the API offers them: API method equals
// or not, API name contains (List, Describe...), service contains or not,
// address is or is not (addresses and CIDR blocks), address class. Values
// of one filter are alternatives; different filters must all hold.

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
];

/** Edits activity filters. */
export function ActivityFilterBar({ filters, onChange }: { filters: ActivityFilters; onChange: (f: ActivityFilters) => void }) {
  return <FilterBar properties={properties} filters={filters as Record<string, string | undefined>} onChange={onChange} testId="activity-filters" />;
}
