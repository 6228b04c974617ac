// Types of the JSON API under /api/v1, as docs/openapi.yaml describes it.
// Every string in these types may come from a log record and is therefore
// untrusted: render it as React text only.

/** A scope or window: [scopeStart, scopeEnd) in epoch seconds. */
export interface Scope {
  scopeStart: number;
  scopeEnd: number;
}

/** An entity reference: Detective's namespace and the entity's id. */
export interface Ref {
  type: string;
  id: string;
}

export interface Counts {
  success: number;
  failure: number;
}

export interface SearchResult {
  type: string;
  id: string;
  label: string;
  arn?: string;
  account?: string;
  firstSeen: number;
  lastSeen: number;
  activity: number;
}

export interface SearchResults {
  results: SearchResult[];
  total: number;
  cursor?: string;
  scope?: Scope;
}

export interface PanelInfo {
  id: string;
  title: string;
  types: string[];
}

export interface Fact {
  name: string;
  value: string;
  time: number;
  eventId?: string;
  entity?: Ref;
}

export interface IPInfo {
  class: string;
  country?: string;
  countryName?: string;
  region?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  asn?: number;
  asOrg?: string;
  autonomousSystem?: Ref;
}

export interface Entity {
  type: string;
  id: string;
  label: string;
  arn?: string;
  account?: string;
  firstSeen: number;
  lastSeen: number;
  defaultScope: Scope;
  facts: Fact[];
  ip?: IPInfo;
  panels: string[];
}

export interface VolumeBucket {
  start: number;
  success: number;
  failure: number;
  baselineSuccess: number;
  baselineFailure: number;
}

export interface APICallVolume {
  entity: Ref;
  scope: Scope;
  baseline: Scope;
  bucketSeconds: number;
  buckets: VolumeBucket[];
  totals: Counts;
  baselineTotals: Counts;
  basis: 'relationships' | 'events';
}

export interface ActivityRow {
  kind: 'ip' | 'api' | 'caller';
  label: string;
  entity?: Ref;
  service?: string;
  api?: string;
  location?: IPInfo;
  success: number;
  failure: number;
  children?: ActivityRow[];
}

export interface ActivityDetails {
  entity: Ref;
  scope: Scope;
  window: Scope;
  callerType: 'principal' | 'session' | 'accessKey';
  totals: Counts;
  byIp: ActivityRow[];
  byApi: ActivityRow[];
  byCaller: ActivityRow[];
  filters?: Record<string, string>;
}

export interface InvolvedEntity {
  type: string;
  id: string;
  label: string;
}

export interface Finding {
  id: string;
  arn?: string;
  type: string;
  title: string;
  description?: string;
  severity: number;
  account: string;
  region: string;
  createdAt: number;
  updatedAt: number;
  firstSeen: number;
  lastSeen: number;
  count: number;
  archived: boolean;
  resourceType?: string;
  actionType?: string;
  versions: number;
  entities: InvolvedEntity[];
  defaultScope: Scope;
  detail: unknown;
}

export interface AssociatedFinding {
  id: string;
  title: string;
  type: string;
  severity: number;
  account: string;
  region: string;
  firstSeen: number;
  lastSeen: number;
  archived: boolean;
  finding: Ref;
  scope: Scope;
}

export interface AssociatedFindings {
  entity: Ref;
  scope: Scope;
  findings: AssociatedFinding[];
}

export interface GeoAddress {
  entity: Ref;
  asOrg?: string;
  success: number;
  failure: number;
}

export interface Geolocation {
  country: string;
  countryName?: string;
  region?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  success: number;
  failure: number;
  isNewForEntireAccount: boolean;
  addresses: GeoAddress[];
}

export interface NewGeolocations {
  entity: Ref;
  scope: Scope;
  baseline: Scope;
  locations: Geolocation[];
  unlocated: Counts;
}

export type InteractionRelation =
  | 'started-session'
  | 'session-of-role'
  | 'role'
  | 'started-by'
  | 'caller'
  | 'instance'
  | 'profile-session';

export interface Interaction {
  relation: InteractionRelation;
  entity: Ref;
  label: string;
  role?: Ref;
  startedBy?: Ref;
  calls: number;
  started: number;
  bytes?: number;
  firstSeen: number;
  lastSeen: number;
}

export interface ResourceInteraction {
  entity: Ref;
  scope: Scope;
  rows: Interaction[];
}

export interface NewlyItem {
  label: string;
  entity?: Ref;
  service?: string;
  api?: string;
  asn?: number;
  success: number;
  failure: number;
  isNewForEntireAccount: boolean;
}

export interface NewlyObserved {
  entity: Ref;
  scope: Scope;
  baseline: Scope;
  kind: 'api' | 'userAgent' | 'asn';
  items: NewlyItem[];
  totals: Counts;
}

export interface FlowBucket {
  start: number;
  inbound: number;
  outbound: number;
  baselineInbound: number;
  baselineOutbound: number;
}

export interface FlowRow {
  peer?: Ref;
  peerLabel: string;
  port: number;
  protocol: number;
  direction: 'inbound' | 'outbound';
  action: string;
  bytes: number;
  packets: number;
  records: number;
  firstSeen: number;
  lastSeen: number;
}

export interface VPCFlowVolume {
  entity: Ref;
  scope: Scope;
  window: Scope;
  baseline: Scope;
  bucketSeconds: number;
  buckets: FlowBucket[];
  totals: { inbound: number; outbound: number };
  /** The largest rows (at most 1,000); totalRows counts them all. */
  rows: FlowRow[];
  totalRows: number;
  truncated: boolean;
  /** With the finding parameter: the finding whose peers the traffic is limited to. */
  finding?: FlowFinding;
}

export interface IncreasedAPI {
  label: string;
  service: string;
  api: string;
  success: number;
  failure: number;
  calls: number;
  baselineCalls: number;
  expected: number;
  score: number;
}

export interface IncreasedVolume {
  entity: Ref;
  scope: Scope;
  baseline: Scope;
  statistic: 'poisson-z';
  threshold: number;
  apis: IncreasedAPI[];
}

export interface SummaryCaller {
  entity: Ref;
  label?: string;
  account?: string;
  success: number;
  failure: number;
}

export interface SummaryGeolocation {
  country: string;
  countryName?: string;
  region?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  success: number;
  failure: number;
  principals: SummaryCaller[];
}

export interface SummaryDay {
  start: number;
  success: number;
  failure: number;
}

export interface SummaryPrincipal {
  entity: Ref;
  label?: string;
  account?: string;
  success: number;
  failure: number;
  series: SummaryDay[];
}

export interface SummaryInstance {
  entity: Ref;
  account?: string;
  bytesIn: number;
  bytesOut: number;
  total: number;
  acceptedBytes: number;
  rejectedBytes: number;
}

export interface SummaryFinding {
  id: string;
  type: string;
  title: string;
  severity: number;
  account: string;
  region?: string;
  lastSeen: number;
  archived: boolean;
}

export interface SeverityBand {
  count: number;
  latest: SummaryFinding[];
}

export interface Freshness {
  account: string;
  source: 'cloudtrail' | 'vpcflow' | 'guardduty' | string;
  records: number;
  latestRecord: number;
  latestIngest: number;
}

export interface Summary {
  scope: Scope;
  baseline: Scope;
  newGeolocations: SummaryGeolocation[];
  newGeolocationsTruncated: boolean;
  topRoles: SummaryPrincipal[];
  topUsers: SummaryPrincipal[];
  topInstances: SummaryInstance[];
  findings: { high: SeverityBand; medium: SeverityBand; low: SeverityBand };
  freshness: Freshness[];
}

export interface UsageDay {
  start: number;
  events: number;
  bytes: number;
}

export interface UsageSeries {
  account: string;
  region: string;
  source: string;
  firstSeen: number;
  lastSeen: number;
  events: number;
  bytes: number;
  projectedBytes: number;
  days: UsageDay[];
}

export interface UsageCharge {
  account: string;
  region: string;
  projectedBytes: number;
  projectedGB: number;
  monthlyUSD: number;
}

export interface PriceTier {
  upToGB: number;
  usdPerGB: number;
}

export interface Usage {
  windowStart: number;
  windowEnd: number;
  coveredDays: number;
  series: UsageSeries[];
  charges: UsageCharge[];
  totalProjectedBytes: number;
  totalMonthlyUSD: number;
  tiers: PriceTier[];
  /** The latest cutoff before which records were removed (prune), when one was. */
  prunedBefore?: number;
}

/** The activity-details filters, named as the API names its parameters. */
export interface ActivityFilters {
  api?: string;
  notApi?: string;
  apiContains?: string;
  service?: string;
  notService?: string;
  ip?: string;
  notIp?: string;
  ipClass?: string;
  resource?: string;
  notResource?: string;
  /** all (the default): every filter must hold; any: one is enough. */
  match?: string;
}

export const activityFilterKeys: (keyof ActivityFilters)[] = [
  'api',
  'notApi',
  'apiContains',
  'service',
  'notService',
  'ip',
  'notIp',
  'ipClass',
  'resource',
  'notResource',
  'match',
];

/** A finding and the addresses and instances of it a flow view uses. */
export interface FlowFinding {
  id: string;
  peers: Ref[];
}

/** Sums of a set of flow records. */
export interface FlowDetailTotals {
  inboundBytes: number;
  outboundBytes: number;
  inboundPackets: number;
  outboundPackets: number;
  accepted: number;
  rejected: number;
  records: number;
}

/** One row of the VPC flow activity details. */
export interface FlowDetailRow extends FlowDetailTotals {
  key: string;
  peer: Ref;
  peerLabel: string;
  localPort: number;
  remotePort: number;
  protocol: number;
  protocolName?: string;
  direction: 'inbound' | 'outbound';
  firstSeen: number;
  lastSeen: number;
  findingRelated?: boolean;
}

/** One row's traffic per bucket, to draw over the volume chart. */
export interface FlowDetailSeries {
  key: string;
  buckets: { start: number; inbound: number; outbound: number; inboundPackets: number; outboundPackets: number }[];
  totals: FlowDetailTotals;
}

/** The vpc-flow-details panel. */
export interface VPCFlowDetails {
  entity: Ref;
  scope: Scope;
  window: Scope;
  bucketSeconds: number;
  bucket?: Scope;
  finding?: FlowFinding;
  annotated?: FlowFinding;
  filters?: Record<string, string>;
  totals: FlowDetailTotals;
  rows: FlowDetailRow[];
  totalRows: number;
  truncated: boolean;
  sort: string;
  order: 'asc' | 'desc';
  series?: FlowDetailSeries[];
  noDataRecords: number;
  overflow?: FlowDetailTotals;
}

/** The traffic of one service port (vpc-flow-service-ports). */
export interface ServicePortFlow {
  port: number;
  service: string;
  inbound: number;
  outbound: number;
  records: number;
  averageInbound: number;
  averageOutbound: number;
  baselineInbound: number;
  baselineOutbound: number;
  baselineAverageInbound: number;
  baselineAverageOutbound: number;
}

/** The vpc-flow-service-ports panel. */
export interface VPCFlowServicePorts {
  entity: Ref;
  scope: Scope;
  window: Scope;
  baseline: Scope;
  bucketSeconds: number;
  buckets: number;
  baselineBuckets: number;
  ports: ServicePortFlow[];
  other: ServicePortFlow;
  series?: { port: number; buckets: FlowBucket[] };
}

/** The flow filters of vpc-flow-details (and of flow records in /events). */
export interface FlowFilters {
  ip?: string;
  notIp?: string;
  ipClass?: string;
  instance?: string;
  localPort?: string;
  remotePort?: string;
  port?: string;
  direction?: string;
  protocol?: string;
  action?: string;
  finding?: string;
}

export const flowFilterKeys: (keyof FlowFilters)[] = [
  'ip',
  'notIp',
  'ipClass',
  'instance',
  'localPort',
  'remotePort',
  'port',
  'direction',
  'protocol',
  'action',
  'finding',
];
