// The drawing of a group's graph with Cytoscape.js. This module is loaded
// on demand (it pulls Cytoscape into a chunk of its own), so that no other
// page pays for it.
//
// Labels are drawn on the canvas as plain text, so log-derived names cannot
// become markup. Layouts run once per choice over every node; the timeline
// replay only hides and shows nodes, so that nodes stay where they are as
// the group grows.
//
// The drawing is one keyboard stop: arrow keys move a visible selection to
// the nearest node in their direction, Home and End to the first and last
// node in reading order (top to bottom, left to right), N and P to the next
// and previous one in that order, Enter or Space activates the selected
// node and Escape clears the selection. Tab leaves the graph.

import { useEffect, useRef, type KeyboardEvent } from 'react';
import cytoscape, { type Core, type ElementDefinition, type LayoutOptions, type NodeSingular, type StylesheetJson } from 'cytoscape';
import { edgeKindText, nodeColor, nodeKind, nodeLabel, nodeSize, radialRing, type LayoutId } from './graphModel';
import type { GraphNode, GroupGraph } from './types';

export interface CytoscapeGraphProps {
  graph: GroupGraph;
  layout: LayoutId;
  /** Nodes shown (the timeline replay); null shows every node. */
  visible: Set<string> | null;
  /** Nodes that appeared at the current replay step, highlighted. */
  fresh: Set<string> | null;
  /** Aggregate counts at the current replay step. */
  counts: Map<string, number> | null;
  /** A node was activated (clicked, tapped, or Enter on the selected node). */
  onActivate: (n: GraphNode) => void;
  /** The node selected with the keyboard (drawn outlined), or null. */
  selectedKey: string | null;
  /** The keyboard moved the selection (null: cleared). */
  onSelect: (n: GraphNode | null) => void;
  /** Names the drawing for assistive technology. */
  ariaLabel: string;
  /** Ids of the elements that describe the drawing (the keys, the selection). */
  describedBy: string;
  /** The pointer is over a node, or left it (null). */
  onHover: (n: GraphNode | null) => void;
  /** Called after each layout with its name. */
  onLayoutDone: (layout: LayoutId) => void;
  /** Incremented to fit the drawing to the view again. */
  fitSignal: number;
  height: number;
}

/** The largest zoom a layout fits a graph to. */
const maxFitZoom = 1.3;

const style: StylesheetJson = [
  {
    selector: 'node',
    style: {
      'background-color': 'data(color)',
      width: 'data(size)',
      height: 'data(size)',
      label: 'data(text)',
      'font-size': 10,
      'font-family': 'system-ui, sans-serif',
      color: '#1d2127',
      'text-valign': 'bottom',
      'text-margin-y': 3,
      'text-wrap': 'ellipsis',
      'text-max-width': '120px',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.75,
      'text-background-padding': '1px',
      'min-zoomed-font-size': 7,
      'border-width': 1.5,
      'border-color': '#ffffff',
    },
  },
  { selector: 'node[kind = "finding"]', style: { shape: 'diamond' } },
  { selector: 'node[kind = "aggregate"]', style: { shape: 'round-rectangle', 'border-width': 3, 'border-color': '#ffe3e3' } },
  { selector: 'node[?related]', style: { 'border-style': 'dashed', 'border-color': '#495057', 'border-width': 2 } },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
      'line-color': '#adb5bd',
      'curve-style': 'straight',
      opacity: 0.85,
    },
  },
  {
    selector: 'edge[kind != "involves"]',
    style: {
      'line-style': 'dashed',
      'line-color': '#7048e8',
      'target-arrow-shape': 'triangle',
      'target-arrow-color': '#7048e8',
      'arrow-scale': 0.8,
    },
  },
  {
    // Relationship names show on the edges of the node pointed at.
    selector: 'edge.near[kind != "involves"]',
    style: {
      label: 'data(text)',
      'font-size': 9,
      color: '#5f3dc4',
      'text-rotation': 'autorotate',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
    },
  },
  { selector: 'edge.near', style: { 'line-color': '#1a5fd0', opacity: 1 } },
  { selector: '.hidden', style: { display: 'none' } },
  { selector: 'node.fresh', style: { 'border-width': 4, 'border-color': '#f59f00' } },
  { selector: 'node.hover', style: { 'border-width': 3, 'border-color': '#1a5fd0' } },
  { selector: 'edge.chosen', style: { 'line-color': '#1a5fd0', opacity: 1, width: 3 } },
  {
    // The keyboard's selection: outlined and haloed, so that it shows on any fill.
    selector: 'node.chosen',
    style: {
      'border-width': 4,
      'border-color': '#1a5fd0',
      'border-style': 'solid',
      'overlay-color': '#1a5fd0',
      'overlay-opacity': 0.18,
      'overlay-padding': 7,
      'z-index': 10,
    },
  },
];

type Direction = 'left' | 'right' | 'up' | 'down';

const directions: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

/** Visible nodes in reading order: top to bottom (in rows of 24 px), left to right. */
function readingOrder(cy: Core): NodeSingular[] {
  const nodes = cy.nodes().not('.hidden').toArray() as NodeSingular[];
  return nodes.sort((a, b) => {
    const pa = a.position();
    const pb = b.position();
    return Math.round(pa.y / 24) - Math.round(pb.y / 24) || pa.x - pb.x;
  });
}

/**
 * The visible node nearest to from in a direction: among the nodes in a
 * 90° cone around it, the closest, sideways distance counting double.
 */
function nearestInDirection(cy: Core, from: NodeSingular, dir: Direction): NodeSingular | undefined {
  const p = from.position();
  let best: NodeSingular | undefined;
  let bestScore = Infinity;
  for (const n of cy.nodes().not('.hidden').toArray() as NodeSingular[]) {
    if (n.same(from)) continue;
    const q = n.position();
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const along = dir === 'right' ? dx : dir === 'left' ? -dx : dir === 'down' ? dy : -dy;
    const across = Math.abs(dir === 'left' || dir === 'right' ? dy : dx);
    if (along <= 0 || across > along) continue;
    const score = along + 2 * across;
    if (score < bestScore) {
      bestScore = score;
      best = n;
    }
  }
  return best;
}

function elements(graph: GroupGraph): ElementDefinition[] {
  const degree = new Map<string, number>();
  for (const e of graph.edges) {
    degree.set(e.source, (degree.get(e.source) ?? 0) + 1);
    degree.set(e.target, (degree.get(e.target) ?? 0) + 1);
  }
  const keys = new Set(graph.nodes.map((n) => n.key));
  const out: ElementDefinition[] = graph.nodes.map((n) => ({
    group: 'nodes',
    data: {
      id: n.key,
      kind: nodeKind(n),
      text: nodeLabel(n),
      color: nodeColor(n),
      size: nodeSize(n, degree.get(n.key) ?? 0),
      ring: radialRing(n),
      related: !!n.related,
    },
  }));
  graph.edges.forEach((e, i) => {
    if (!keys.has(e.source) || !keys.has(e.target)) return;
    out.push({
      group: 'edges',
      data: {
        id: `e${i}`,
        source: e.source,
        target: e.target,
        kind: e.kind,
        text: edgeKindText[e.kind] ?? e.kind,
        width: Math.min(6, 1.2 + Math.log2(e.count ?? 1)),
      },
    });
  });
  return out;
}

function layoutOptions(id: LayoutId, nodes: number): LayoutOptions {
  // Animation helps the eye follow a change on small graphs; on large ones
  // it only costs frames.
  const animate = nodes <= 120;
  const common = { animate, animationDuration: 350, fit: true, padding: 24 };
  switch (id) {
    case 'circle':
      return { name: 'circle', ...common, avoidOverlap: true };
    case 'grid':
      // Rows put labels side by side: make room for them.
      return { name: 'grid', ...common, avoidOverlap: true, condense: true, nodeDimensionsIncludeLabels: true };
    case 'force':
      return {
        name: 'cose',
        ...common,
        animate: false,
        randomize: true,
        nodeRepulsion: () => 9000,
        idealEdgeLength: () => 70,
        numIter: nodes > 300 ? 600 : 1000,
      } as LayoutOptions;
    default:
      return {
        name: 'concentric',
        ...common,
        concentric: (n: NodeSingular) => Number(n.data('ring')),
        levelWidth: () => 1,
        minNodeSpacing: 34,
        avoidOverlap: true,
      };
  }
}

/** The Cytoscape drawing of a group graph. */
export default function CytoscapeGraph({
  graph,
  layout,
  visible,
  fresh,
  counts,
  onActivate,
  onHover,
  onLayoutDone,
  fitSignal,
  height,
  selectedKey,
  onSelect,
  ariaLabel,
  describedBy,
}: CytoscapeGraphProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const byKey = useRef(new Map<string, GraphNode>());
  const callbacks = useRef({ onActivate, onHover, onLayoutDone, onSelect });
  callbacks.current = { onActivate, onHover, onLayoutDone, onSelect };
  const layoutRef = useRef(layout);
  layoutRef.current = layout;

  function runLayout(cy: Core, id: LayoutId) {
    const l = cy.layout(layoutOptions(id, cy.nodes().length));
    l.one('layoutstop', () => {
      // A small graph fitted to the view would be drawn huge: keep it at
      // a readable size, centred.
      if (cy.zoom() > maxFitZoom) {
        cy.zoom(maxFitZoom);
        cy.center();
      }
      callbacks.current.onLayoutDone(id);
    });
    l.run();
  }

  // The instance lives as long as the graph it draws.
  useEffect(() => {
    if (!container.current) return;
    byKey.current = new Map(graph.nodes.map((n) => [n.key, n]));
    const big = graph.nodes.length > 200;
    const cy = cytoscape({
      container: container.current,
      elements: elements(graph),
      style,
      minZoom: 0.15,
      maxZoom: 3,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      autoungrabify: false,
      textureOnViewport: big,
      hideEdgesOnViewport: big,
      motionBlur: false,
    });
    cyRef.current = cy;
    cy.on('tap', 'node', (e) => {
      const n = byKey.current.get(e.target.id());
      if (n) callbacks.current.onActivate(n);
    });
    cy.on('mouseover', 'node', (e) => {
      e.target.addClass('hover');
      e.target.connectedEdges().addClass('near');
      const n = byKey.current.get(e.target.id());
      if (n) callbacks.current.onHover(n);
      if (container.current) container.current.style.cursor = 'pointer';
    });
    cy.on('mouseout', 'node', (e) => {
      e.target.removeClass('hover');
      e.target.connectedEdges().removeClass('near');
      callbacks.current.onHover(null);
      if (container.current) container.current.style.cursor = '';
    });
    runLayout(cy, layoutRef.current);
    return () => {
      cy.destroy();
      cyRef.current = null;
    };
  }, [graph]);

  // A new layout choice moves the nodes.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const cy = cyRef.current;
    if (cy) runLayout(cy, layout);
  }, [layout]);

  // The replay hides what did not exist yet and marks what just appeared.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        const key = n.id();
        n.toggleClass('hidden', !!visible && !visible.has(key));
        n.toggleClass('fresh', !!fresh && fresh.has(key));
        const node = byKey.current.get(key);
        if (node && node.type === 'FindingAggregate') n.data('text', nodeLabel(node, counts?.get(key)));
      });
      cy.edges().forEach((e) => {
        e.toggleClass('hidden', !!visible && !(visible.has(e.source().id()) && visible.has(e.target().id())));
      });
    });
  }, [graph, visible, fresh, counts]);

  useEffect(() => {
    const cy = cyRef.current;
    if (cy && fitSignal > 0) cy.animate({ fit: { eles: cy.elements().not('.hidden'), padding: 24 }, duration: 250 });
  }, [fitSignal]);

  // The keyboard's selection: outlined with its edges, and brought into
  // view when it is outside it.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements('.chosen').removeClass('chosen');
      if (!selectedKey) return;
      const n = cy.getElementById(selectedKey);
      if (n.empty()) return;
      n.addClass('chosen');
      n.connectedEdges().not('.hidden').addClass('chosen');
    });
    if (!selectedKey) return;
    const n = cy.getElementById(selectedKey);
    if (n.empty()) return;
    const bb = n.renderedBoundingBox();
    if (bb.x1 < 0 || bb.y1 < 0 || bb.x2 > cy.width() || bb.y2 > cy.height()) cy.animate({ center: { eles: n } }, { duration: 150 });
  }, [graph, selectedKey]);

  // A selected node that the replay hides is no longer selected.
  useEffect(() => {
    if (selectedKey && visible && !visible.has(selectedKey)) callbacks.current.onSelect(null);
  }, [visible, selectedKey]);

  function choose(n: NodeSingular | undefined) {
    const node = n ? byKey.current.get(n.id()) : undefined;
    if (node) callbacks.current.onSelect(node);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const cy = cyRef.current;
    if (!cy || e.altKey || e.ctrlKey || e.metaKey) return;
    const current = selectedKey ? cy.getElementById(selectedKey) : undefined;
    const at = current && current.nonempty() && !current.hasClass('hidden') ? (current as unknown as NodeSingular) : undefined;
    const order = () => readingOrder(cy);
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (directions[key]) {
      choose(at ? (nearestInDirection(cy, at, directions[key]) ?? at) : order()[0]);
    } else if (key === 'Home') {
      choose(order()[0]);
    } else if (key === 'End') {
      const o = order();
      choose(o[o.length - 1]);
    } else if (key === 'n' || key === 'p') {
      const o = order();
      const i = at ? o.findIndex((x) => x.same(at)) : -1;
      choose(o[i < 0 ? 0 : (i + (key === 'n' ? 1 : o.length - 1)) % o.length]);
    } else if (key === 'Enter' || key === ' ') {
      const node = at ? byKey.current.get(at.id()) : undefined;
      if (!node) return;
      callbacks.current.onActivate(node);
    } else if (key === 'Escape') {
      if (!selectedKey) return;
      callbacks.current.onSelect(null);
    } else {
      return;
    }
    e.preventDefault();
  }

  // Follow the container's size.
  useEffect(() => {
    const el = container.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => cyRef.current?.resize());
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  return (
    <div
      ref={container}
      className="cy-canvas"
      style={{ height }}
      tabIndex={0}
      role="application"
      aria-roledescription="graph"
      aria-label={ariaLabel}
      aria-describedby={describedBy}
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        // Reached with the keyboard: select a node at once, so that the
        // arrow keys have somewhere to start from.
        const cy = cyRef.current;
        if (!selectedKey && cy && e.target === e.currentTarget && e.currentTarget.matches(':focus-visible')) choose(readingOrder(cy)[0]);
      }}
      data-testid="group-graph-canvas"
      data-selected-node={selectedKey ?? ''}
    />
  );
}
