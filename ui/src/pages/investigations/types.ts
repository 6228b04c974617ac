// Types of the investigation routes of the JSON API (docs/api.md,
// "Investigations"; internal/investigate). Every string may come from a
// log record: render it as React text only.

import type { Ref, Scope } from '../../api/types';

/** Severities, least to most severe, as Detective spells them. */
export const investigationSeverities = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type InvestigationSeverity = (typeof investigationSeverities)[number];

export type InvestigationStatus = 'RUNNING' | 'SUCCESSFUL' | 'FAILED';
export type InvestigationState = 'ACTIVE' | 'ARCHIVED';

/** The entity types an investigation can be about. */
export const investigableTypes = ['AwsUser', 'AwsRole', 'AwsRoleSession', 'FederatedUser', 'AccessKey', 'Ec2Instance'];

/** Indicator types in the order reports present them. */
export const indicatorTypes = [
  'TTP_OBSERVED',
  'IMPOSSIBLE_TRAVEL',
  'FLAGGED_IP_ADDRESS',
  'RELATED_FINDING',
  'RELATED_FINDING_GROUP',
  'NEW_GEOLOCATION',
  'NEW_ASO',
  'NEW_USER_AGENT',
] as const;

/** Indicator type names as Detective's console shows them. */
export const indicatorTitles: Record<string, string> = {
  TTP_OBSERVED: 'Tactics, techniques, and procedures',
  IMPOSSIBLE_TRAVEL: 'Impossible travel',
  FLAGGED_IP_ADDRESS: 'Flagged IP addresses',
  NEW_GEOLOCATION: 'New geolocations',
  NEW_ASO: 'New autonomous system organizations',
  NEW_USER_AGENT: 'New user agents',
  RELATED_FINDING: 'Related findings',
  RELATED_FINDING_GROUP: 'Related finding groups',
};

/** A place as the enrichment names it. */
export interface Location {
  country: string;
  countryName?: string;
  region?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
}

/** An indicator of compromise; type says which optional fields are set. */
export interface Indicator {
  type: string;
  severity: InvestigationSeverity;
  severityReason: string;
  principal?: Ref;
  tactic?: string;
  tacticId?: string;
  technique?: string;
  techniqueId?: string;
  procedure?: string;
  source?: string;
  apiName?: string;
  apiSuccessCount?: number;
  apiFailureCount?: number;
  ipAddress?: string;
  startingIpAddress?: string;
  endingIpAddress?: string;
  startingLocation?: Location;
  endingLocation?: Location;
  hourlyTimeDelta?: number;
  distanceKm?: number;
  speedKmh?: number;
  reason?: string;
  listSource?: string;
  location?: Location;
  aso?: string;
  asn?: number;
  userAgent?: string;
  isNewForEntireAccount?: boolean;
  findingId?: string;
  arn?: string;
  findingType?: string;
  title?: string;
  findingSeverity?: number;
  groupId?: string;
  count?: number;
  firstSeen?: number;
  lastSeen?: number;
  entities?: Ref[];
}

/** A technique of the TTP mapping. */
export interface TechniqueSummary {
  techniqueId: string;
  technique: string;
  severity: InvestigationSeverity;
  indicators: number;
  procedures: string[];
}

/** A tactic of the TTP mapping. */
export interface TacticSummary {
  tactic: string;
  tacticId: string;
  severity: InvestigationSeverity;
  techniques: TechniqueSummary[];
}

/** An entity whose activity the investigation examined. */
export interface Involved {
  entity: Ref;
  label?: string;
  role: string;
  account?: string;
  calls: number;
}

/** A threat-list entry that names an address. */
export interface Flag {
  /** The list's reason, or its file name. */
  reason: string;
  /** The list and line, "tor-exits.txt:12". */
  source: string;
  /** The listed address or network that matched. */
  network: string;
}

/** A source address of the activity, with what the baseline knew of it. */
export interface AddressSummary {
  ip: string;
  class?: string;
  location?: Location;
  asn?: number;
  aso?: string;
  success: number;
  failure: number;
  familiarity: string;
  why?: string[];
  flagged?: Flag;
}

/** GET /investigations/{id}. */
export interface Investigation {
  id: string;
  entity: Ref;
  label?: string;
  arn?: string;
  account?: string;
  scope: Scope;
  baseline: Scope;
  status: InvestigationStatus;
  state: InvestigationState;
  severity?: InvestigationSeverity;
  severityReasons: string[];
  summary?: string;
  createdAt: number;
  updatedAt: number;
  error?: string;
  indicators: Indicator[];
  indicatorCounts: Record<string, number>;
  tactics: TacticSummary[];
  involved: Involved[];
  addresses: AddressSummary[];
  nextSteps: string[];
  notes: string[];
}

/** An investigation as lists show it. */
export interface InvestigationSummary {
  id: string;
  entity: Ref;
  label?: string;
  arn?: string;
  scope: Scope;
  status: InvestigationStatus;
  state: InvestigationState;
  severity?: InvestigationSeverity;
  indicators: number;
  tactics: string[];
  createdAt: number;
  updatedAt: number;
  error?: string;
}

/** GET /investigations. */
export interface InvestigationList {
  investigations: InvestigationSummary[];
  total: number;
  cursor?: string;
}

/** Why an entity is recommended. */
export interface RecommendationReason {
  kind: 'HIGH_SEVERITY_FINDING' | 'FINDING_GROUP' | string;
  id: string;
  title: string;
  type?: string;
  severity: number;
  firstSeen: number;
  lastSeen: number;
}

/** An entity worth investigating. */
export interface Recommendation {
  entity: Ref;
  label?: string;
  arn?: string;
  account?: string;
  reasons: RecommendationReason[];
  latestTime: number;
  scope: Scope;
  investigation?: InvestigationSummary;
}

/** GET /investigations/recommended. */
export interface Recommendations {
  at: number;
  recommendations: Recommendation[];
  groupsChecked: boolean;
}
