// The group graph as data, apart from the drawing library: short labels,
// colours, the rings of the radial layout, and the timeline replay (which
// nodes existed after each member was first observed). Kept free of
// Cytoscape so that the page can compute it before the graph view loads.

import { severityColors, severityLevel } from '../../components/Severity';
import { typeInfo } from '../../components/entityTypes';
import type { GraphEdge, GraphNode, GroupGraph, Member } from './types';

/** The layouts an analyst can choose, by URL value. */
export const layouts = [
  { id: 'radial', label: 'Radial', title: 'Principals at the centre, findings around them, other entities outside' },
  { id: 'circle', label: 'Circle', title: 'Every node on one circle' },
  { id: 'force', label: 'Force-directed', title: 'Related nodes pulled together' },
  { id: 'grid', label: 'Grid', title: 'Nodes in rows' },
] as const;

export type LayoutId = (typeof layouts)[number]['id'];

/** Reads a layout from the URL, radial by default. */
export function readLayout(v: string | null): LayoutId {
  return layouts.some((l) => l.id === v) ? (v as LayoutId) : 'radial';
}

/** Types whose activity an investigation examines: the principals of a group. */
export const principalTypes = new Set(['AwsUser', 'AwsRole', 'AwsRoleSession', 'FederatedUser', 'AccessKey']);

/** The node kind: a finding, an aggregate of findings, or an entity. */
export function nodeKind(n: GraphNode): 'finding' | 'aggregate' | 'entity' {
  if (n.type === 'Finding') return 'finding';
  if (n.type === 'FindingAggregate') return 'aggregate';
  return 'entity';
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** The part of a finding type after its threat purpose: "EC2/BitcoinTool.B!DNS". */
export function shortFindingType(t: string): string {
  const i = t.indexOf(':');
  return i >= 0 ? t.slice(i + 1) : t;
}

/** The label drawn under a node; count overrides an aggregate's count (timeline). */
export function nodeLabel(n: GraphNode, count?: number): string {
  switch (nodeKind(n)) {
    case 'finding':
      return clip(shortFindingType(n.findingType || n.label), 34);
    case 'aggregate':
      return `${clip(shortFindingType(n.findingType || n.id), 30)} ×${count ?? n.count ?? n.findings?.length ?? 1}`;
    default:
      return clip(n.label || n.id, 30);
  }
}

/** A node's fill: findings by severity, entities by their type's colour. */
export function nodeColor(n: GraphNode): string {
  const k = nodeKind(n);
  if (k === 'entity') return typeInfo(n.type).color;
  return severityColors[severityLevel(n.severity)];
}

/** A node's size: findings by severity and count, entities by how many edges they have. */
export function nodeSize(n: GraphNode, degree: number): number {
  const k = nodeKind(n);
  if (k === 'aggregate') return 30 + Math.min(24, 4 * Math.sqrt(n.count ?? 1));
  if (k === 'finding') return 26 + Math.min(10, n.severity);
  return 20 + Math.min(22, 3 * Math.sqrt(Math.max(0, degree - 1)) * 2);
}

/** The ring of the radial layout: principals inside, findings next, other entities outside. */
export function radialRing(n: GraphNode): number {
  const k = nodeKind(n);
  if (k === 'entity' && principalTypes.has(n.type)) return 3;
  if (k !== 'entity') return 2;
  return 1;
}

/** One step of the replay: the members first observed by time. */
export interface TimelineStep {
  time: number;
  /** Members observed so far. */
  members: number;
}

/** The steps of the replay: each distinct first-seen time of the members, in order. */
export function timelineSteps(members: Member[]): TimelineStep[] {
  const times = [...new Set(members.map((m) => m.firstSeen))].sort((a, b) => a - b);
  return times.map((time) => ({ time, members: members.filter((m) => m.firstSeen <= time).length }));
}

/** What the graph shows at one time of the replay. */
export interface TimelineView {
  /** Keys of the nodes that exist by then. */
  visible: Set<string>;
  /** Keys of the nodes that appeared at this very step. */
  fresh: Set<string>;
  /** Counts of aggregates by then, by node key. */
  counts: Map<string, number>;
}

/**
 * The nodes of the graph that exist at time: findings first observed by
 * then (aggregates with the part of their findings that was), the
 * entities those findings name, and the entities a relationship ties to
 * one of those.
 */
export function timelineView(graph: GroupGraph, members: Member[], time: number, previous?: number): TimelineView {
  const firstSeen = new Map(members.map((m) => [m.id, m.firstSeen]));
  const named = new Map(members.map((m) => [m.id, m.entities.map((e) => `${e.type}/${e.id}`)]));
  const visible = new Set<string>();
  const fresh = new Set<string>();
  const counts = new Map<string, number>();
  const entityFirst = new Map<string, number>();
  for (const n of graph.nodes) {
    const k = nodeKind(n);
    if (k === 'entity') continue;
    const ids = k === 'finding' ? [n.id] : (n.findings ?? []);
    const seen = ids.filter((id) => (firstSeen.get(id) ?? n.firstSeen) <= time);
    if (!seen.length) continue;
    visible.add(n.key);
    if (k === 'aggregate') counts.set(n.key, seen.length);
    const first = Math.min(...seen.map((id) => firstSeen.get(id) ?? n.firstSeen));
    if (previous === undefined || first > previous) fresh.add(n.key);
    for (const id of seen) {
      for (const e of named.get(id) ?? []) {
        const t = firstSeen.get(id) ?? time;
        entityFirst.set(e, Math.min(entityFirst.get(e) ?? Infinity, t));
      }
    }
  }
  const keys = new Set(graph.nodes.map((n) => n.key));
  for (const [e, t] of entityFirst) {
    if (!keys.has(e)) continue;
    visible.add(e);
    if (previous === undefined || t > previous) fresh.add(e);
  }
  // Entities no member names appear with the entity a relationship ties
  // them to (the user that launched the instances findings name).
  const entityKeys = new Set(graph.nodes.filter((n) => nodeKind(n) === 'entity' && n.related).map((n) => n.key));
  for (const e of graph.edges) {
    if (e.kind === 'involves') continue;
    if (visible.has(e.source) && entityKeys.has(e.target) && !visible.has(e.target)) {
      visible.add(e.target);
      fresh.add(e.target);
    } else if (visible.has(e.target) && entityKeys.has(e.source) && !visible.has(e.source)) {
      visible.add(e.source);
      fresh.add(e.source);
    }
  }
  return { visible, fresh, counts };
}

/** Whether an edge is drawn: both of its ends are. */
export function edgeVisible(e: GraphEdge, visible: Set<string> | null): boolean {
  return !visible || (visible.has(e.source) && visible.has(e.target));
}

/** Edge kinds as words, read "source kind target". */
export const edgeKindText: Record<string, string> = {
  involves: 'involves',
  created: 'created',
  created_by: 'was created by',
  started: 'started',
  started_by: 'was started by',
  has_access_key: 'has the access key',
  access_key_of: 'is an access key of',
};
