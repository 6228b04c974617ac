// Types of the finding-group routes of the JSON API (docs/api.md, "Finding
// groups"; internal/groups). Every string may come from a log record or a
// finding an attacker shaped: render it as React text only.

import type { Ref, Scope } from '../../api/types';

/** A MITRE ATT&CK tactic, as ATT&CK spells it. */
export interface Tactic {
  id: string;
  name: string;
}

/** One finding group as lists show it. */
export interface GroupSummary {
  id: string;
  group: Ref;
  title: string;
  status: 'active' | 'inactive';
  /** How the group was made: grouped, bridge, merge or split. */
  origin: string;
  severity: number;
  band: string;
  /** The members' tactics in kill-chain order. */
  tactics: Tactic[];
  accounts: string[];
  findingCount: number;
  entityCount: number;
  principalCount: number;
  firstSeen: number;
  lastSeen: number;
  scope: Scope;
  createdAt: number;
  updatedAt: number;
  closedAt?: number;
}

/** GET /groups. */
export interface GroupList {
  groups: GroupSummary[];
  total: number;
  cursor?: string;
}

/** Why a finding is in a group. */
export interface Reason {
  kind: 'first' | 'shared-entity' | 'related-entity' | 'analyst-merge' | 'analyst-split' | string;
  /** The member the finding joined through. */
  finding?: string;
  /** The entity both findings involve. */
  entity?: Ref;
  /** How the joining finding reaches entity without naming it. */
  named?: Ref;
  relation?: string;
  /** How the member joined through reaches entity without naming it. */
  viaNamed?: Ref;
  viaRelation?: string;
  gapSeconds: number;
  /** The gap exceeded the window, allowed because the tactics follow each other. */
  chained?: boolean;
  tactics?: string[];
  who?: string;
  at?: number;
  text: string;
}

/** A finding of a group. */
export interface Member {
  id: string;
  finding: Ref;
  type: string;
  title: string;
  severity: number;
  band: string;
  account: string;
  region: string;
  firstSeen: number;
  lastSeen: number;
  archived: boolean;
  tactic?: string;
  entities: Ref[];
  joinedAt: number;
  reasons: Reason[];
}

/** An entity of a group and the members that involve it. */
export interface GroupEntity {
  type: string;
  id: string;
  label?: string;
  findings: string[];
  /** No member names it: it relates members through the behavior graph. */
  related?: boolean;
  firstSeen: number;
  lastSeen: number;
}

/** An entity not used to relate findings, and why. */
export interface IgnoredEntity {
  type: string;
  id: string;
  reason: string;
  findings: string[];
}

/** A parent or child of a group. */
export interface Lineage {
  id: string;
  title: string;
  status: string;
  kind: string;
  finding?: string;
  at: number;
}

/** A source address of evidence, with its calls. */
export interface EvidenceAddress {
  entity: Ref;
  success: number;
  failure: number;
}

/** One informational evidence item (internal/evidence.Item). */
export interface EvidenceItem {
  id: string;
  type: string;
  title: string;
  entity: Ref;
  label?: string;
  account?: string;
  value: string;
  location?: { country: string; countryName?: string; region?: string; city?: string };
  asn?: number;
  asOrg?: string;
  userAgent?: string;
  api?: string;
  addresses?: EvidenceAddress[];
  related?: Ref[];
  principals?: Ref[];
  time: number;
  lastSeen: number;
  success: number;
  failure: number;
  isNewForEntireAccount: boolean;
  scope: Scope;
  baseline: Scope;
}

/** GET /groups/{id}. */
export interface GroupDetail extends GroupSummary {
  parents: Lineage[];
  children: Lineage[];
  findings: Member[];
  entities: GroupEntity[];
  ignored: IgnoredEntity[];
  evidence: EvidenceItem[];
  evidenceScope: Scope;
  evidenceStatus?: string;
}

/** A node of a group's graph. */
export interface GraphNode {
  key: string;
  /** "Finding", "FindingAggregate" or an entity namespace. */
  type: string;
  id: string;
  label: string;
  severity: number;
  band: string;
  firstSeen: number;
  lastSeen: number;
  joinedAt: number;
  count?: number;
  findings?: string[];
  findingType?: string;
  tactic?: string;
  related?: boolean;
}

/** An edge of a group's graph, between node keys. */
export interface GraphEdge {
  source: string;
  target: string;
  kind: string;
  count?: number;
  firstSeen: number;
}

/** GET /groups/{id}/graph. */
export interface GroupGraph {
  group: Ref;
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
  totalNodes: number;
}

/** An analyst's edit of the groups. */
export interface Edit {
  seq: number;
  at: number;
  who: string;
  action: string;
  group?: string;
  other?: string;
  finding?: string;
  results: string[];
  text: string;
}

/** GET /groups/{id}/audit. */
export interface Audit {
  group: Ref;
  edits: Edit[];
}

/** The answer of a split or a merge. */
export interface EditResult {
  edit: Edit;
  groups: GroupSummary[];
}
