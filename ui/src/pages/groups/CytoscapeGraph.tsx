// The drawing of a group's graph with Cytoscape.js. This module is loaded
// on demand (it pulls Cytoscape into a chunk of its own), so that no other
// page pays for it.
//
// Labels are drawn on the canvas as plain text, so log-derived names cannot
// become markup. Layouts run once per choice over every node; the timeline
// replay only hides and shows nodes, so that nodes stay where they are as
// the group grows.

import { useEffect, useRef } from 'react';
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
  /** A node was activated (clicked or tapped). */
  onActivate: (n: GraphNode) => void;
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
];

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
export default function CytoscapeGraph({ graph, layout, visible, fresh, counts, onActivate, onHover, onLayoutDone, fitSignal, height }: CytoscapeGraphProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const byKey = useRef(new Map<string, GraphNode>());
  const callbacks = useRef({ onActivate, onHover, onLayoutDone });
  callbacks.current = { onActivate, onHover, onLayoutDone };
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

  // Follow the container's size.
  useEffect(() => {
    const el = container.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => cyRef.current?.resize());
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  return <div ref={container} className="cy-canvas" style={{ height }} data-testid="group-graph-canvas" />;
}
