// The group's graph panel: the findings (similar ones aggregated into one
// node with a count), the entities they name and the relationships that tie
// them, drawn by Cytoscape.js, which loads only when this panel shows.
// Layout, aggregation and the replay time are kept in the URL. Clicking an
// entity opens its profile with the group's scope; a finding opens the
// finding; an aggregate lists its findings. From the keyboard, the drawing
// is one tab stop whose arrow keys move a selection among the nodes, Enter
// doing what a click does; a live region names the selected node.

import { lazy, Suspense, useEffect, useId, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import { EntityLink } from '../../components/EntityLink';
import { Panel } from '../../components/Panel';
import { SeverityBadge } from '../../components/Severity';
import { Empty, ErrorState, Loading, Truncated, Updating } from '../../components/States';
import { Time } from '../../components/Time';
import { typeInfo } from '../../components/entityTypes';
import { formatCount } from '../../lib/format';
import { entityHref } from '../../nav/urls';
import { useCarry, useFindingCarry } from '../../scope/ScopeContext';
import { useUrlChoice } from '../entity/usePanel';
import { groupUrls } from './api';
import { layouts, nodeKind, readLayout, shortFindingType, timelineSteps, timelineView, type LayoutId } from './graphModel';
import type { GraphNode, GroupDetail, GroupGraph } from './types';

const CytoscapeGraph = lazy(() => import('./CytoscapeGraph'));

const graphHeight = 460;

function NodeDetails({ node, group, count }: { node: GraphNode; group: GroupDetail; count?: number }) {
  const kind = nodeKind(node);
  const titles = new Map(group.findings.map((m) => [m.id, m]));
  return (
    <div className="graph-node-details" data-testid="graph-node-details" data-node-key={node.key}>
      <div className="muted small">{kind === 'aggregate' ? 'Similar findings' : typeInfo(node.type).name}</div>
      <div className="graph-node-title">
        {kind === 'entity' ? (
          <EntityLink type={node.type} id={node.id} label={node.label} />
        ) : kind === 'finding' ? (
          <EntityLink type="Finding" id={node.id} label={node.label} noIcon />
        ) : (
          <span className="mono small">{node.findingType}</span>
        )}
      </div>
      {kind !== 'entity' && (
        <div className="small">
          <SeverityBadge score={node.severity} /> {node.tactic && <span className="tag">{node.tactic}</span>}
        </div>
      )}
      <div className="small muted">
        Observed <Time value={node.firstSeen} /> → <Time value={node.lastSeen} />
      </div>
      {kind === 'aggregate' && (
        <>
          <div className="small">
            {count !== undefined && count !== node.count ? `${count} of ${node.count} findings so far` : `${node.count} findings`} of type{' '}
            {shortFindingType(node.findingType ?? node.id)}:
          </div>
          <ul className="plain-list small graph-aggregate-list">
            {(node.findings ?? []).map((id) => (
              <li key={id}>
                <EntityLink type="Finding" id={id} label={titles.get(id)?.title || id} noIcon />
              </li>
            ))}
          </ul>
        </>
      )}
      {node.related && <div className="small muted">No finding names it: it ties findings together through the behavior graph.</div>}
    </div>
  );
}

function Legend() {
  return (
    <ul className="graph-legend small" aria-label="Legend">
      <li>
        <span className="lg-shape lg-diamond" aria-hidden="true" /> finding, coloured by severity
      </li>
      <li>
        <span className="lg-shape lg-aggregate" aria-hidden="true" /> similar findings, with their count
      </li>
      <li>
        <span className="lg-shape lg-circle" aria-hidden="true" /> entity, coloured by type
      </li>
      <li>
        <span className="lg-shape lg-related" aria-hidden="true" /> entity no finding names
      </li>
      <li>
        <span className="lg-line" aria-hidden="true" /> relationship (created by, started by…)
      </li>
    </ul>
  );
}

/** Says which node is selected and what Enter does with it, for the live region. */
function selectionText(n: GraphNode, graph: GroupGraph, visible: Set<string> | null): string {
  const kind = nodeKind(n);
  const keys = graph.nodes.map((x) => x.key).filter((k) => !visible || visible.has(k));
  const place = `node ${keys.indexOf(n.key) + 1} of ${keys.length}`;
  if (kind === 'aggregate') return `Similar findings: ${n.count ?? n.findings?.length ?? 0} of type ${shortFindingType(n.findingType ?? n.id)}, ${place}. Enter lists them beside the graph.`;
  if (kind === 'finding') return `Finding: ${n.label || n.id}, ${place}. Enter opens the finding.`;
  return `${typeInfo(n.type).name}: ${n.label || n.id}, ${place}. Enter opens its profile.`;
}

/** The graph panel of a group. */
export function GroupGraphPanel({ group }: { group: GroupDetail }) {
  const navigate = useNavigate();
  const carry = useCarry();
  const findingCarry = useFindingCarry();
  // Choices live in the URL and show at once (router updates render in a transition).
  const [layoutChoice, chooseLayout] = useUrlChoice('layout', 'radial');
  const layout = readLayout(layoutChoice);
  const [aggregateChoice, chooseAggregate] = useUrlChoice('aggregate', 'on');
  const aggregate = aggregateChoice !== 'off';
  const { data, error, loading, reload } = useApi<GroupGraph>(groupUrls.graph(group.id, aggregate));

  const steps = useMemo(() => timelineSteps(group.findings), [group.findings]);
  const [replayParam, chooseReplay] = useUrlChoice('replay', '');
  const replaying = replayParam !== '' && steps.length > 0;
  let step = steps.length - 1;
  if (replaying) {
    const t = Number(replayParam);
    step = Math.max(0, steps.findIndex((s, i) => s.time >= t || i === steps.length - 1));
  }
  const view = useMemo(
    () => (replaying && data ? timelineView(data, group.findings, steps[step].time, step > 0 ? steps[step - 1].time : undefined) : null),
    [replaying, data, group.findings, steps, step],
  );
  const [playing, setPlaying] = useState(false);
  const setStep = (i: number) => chooseReplay(String(steps[Math.max(0, Math.min(steps.length - 1, i))].time));
  useEffect(() => {
    if (!playing) return;
    if (step >= steps.length - 1) {
      setPlaying(false);
      return;
    }
    const t = window.setTimeout(() => setStep(step + 1), 900);
    return () => window.clearTimeout(t);
    // setStep changes with the URL, which changes with step.
  }, [playing, step]);

  const [hover, setHover] = useState<GraphNode | null>(null);
  const [selected, setSelected] = useState<GraphNode | null>(null);
  const [done, setDone] = useState<{ layout: LayoutId | ''; runs: number }>({ layout: '', runs: 0 });
  const [fit, setFit] = useState(0);
  useEffect(() => setSelected(null), [data]);

  function activate(n: GraphNode) {
    const kind = nodeKind(n);
    if (kind === 'aggregate') setSelected(n);
    else if (kind === 'finding') navigate(entityHref('Finding', n.id, findingCarry));
    else navigate(entityHref(n.type, n.id, carry));
  }

  const shown = data ? (view ? view.visible.size : data.nodes.length) : 0;
  const detail = hover ?? selected;
  const keysId = useId();
  const selectionId = useId();
  const layoutName = layouts.find((l) => l.id === layout)!.label;
  return (
    <Panel
      id="group-graph"
      title="Graph"
      description="The findings, the entities they name and the relationships between them. Click an entity to open its profile with the group's scope, a finding to open it."
      actions={
        <button type="button" onClick={() => setFit((f) => f + 1)} disabled={!data}>
          Fit
        </button>
      }
    >
      <div className="graph-toolbar">
        <div className="segmented" role="group" aria-label="Layout">
          {layouts.map((l) => (
            <button
              key={l.id}
              type="button"
              aria-pressed={layout === l.id}
              title={l.title}
              onClick={() => chooseLayout(l.id)}
              data-testid={`graph-layout-${l.id}`}
            >
              {l.label}
            </button>
          ))}
        </div>
        <label className="check" title="Draw the findings of one type as one node with their count">
          <input type="checkbox" checked={aggregate} onChange={(e) => chooseAggregate(e.target.checked ? 'on' : 'off')} data-testid="graph-aggregate" />
          Aggregate similar findings
        </label>
        <label className="check" title="Replay how the group grew, finding by finding">
          <input
            type="checkbox"
            checked={replaying}
            disabled={steps.length < 1}
            onChange={(e) => {
              setPlaying(false);
              chooseReplay(e.target.checked ? String(steps[0].time) : '');
            }}
            data-testid="graph-timeline-toggle"
          />
          Timeline
        </label>
      </div>
      {replaying && (
        <div className="graph-timeline" data-testid="graph-timeline">
          <button
            type="button"
            onClick={() => {
              if (step >= steps.length - 1) setStep(0);
              setPlaying((p) => !p);
            }}
            aria-label={playing ? 'Pause the replay' : 'Play the replay'}
            data-testid="graph-play"
          >
            {playing ? '❚❚ Pause' : '▶ Play'}
          </button>
          <input
            type="range"
            min={0}
            max={Math.max(0, steps.length - 1)}
            value={step}
            onChange={(e) => {
              setPlaying(false);
              setStep(Number(e.target.value));
            }}
            aria-label="Replay time"
            aria-valuetext={`Step ${step + 1} of ${steps.length}`}
            data-testid="graph-timeline-slider"
          />
          <span className="small" data-testid="graph-timeline-label">
            <Time value={steps[step].time} seconds /> · {formatCount(steps[step].members)} of {formatCount(group.findings.length)} findings
          </span>
        </div>
      )}
      <Updating active={loading && !!data} />
      {error && <ErrorState error={error} retry={reload} what="The graph" />}
      {!data && loading && <Loading label="Loading the graph…" />}
      {data && data.truncated && (
        <Truncated>
          The graph shows {formatCount(data.nodes.length)} of {formatCount(data.totalNodes)} nodes: the most severe findings and the entities most
          findings share. The tables below list everything.
        </Truncated>
      )}
      {data &&
        (data.nodes.length === 0 ? (
          <Empty>The group has nothing to draw.</Empty>
        ) : (
          <div className="graph-layout">
            <div
              className="graph-figure"
              data-testid="group-graph"
              data-layout={done.layout}
              data-layout-runs={done.runs}
              data-nodes={shown}
              data-total-nodes={data.nodes.length}
              data-aggregate={aggregate}
            >
              {done.layout !== layout && (
                <div className="graph-busy" role="status">
                  Arranging the graph…
                </div>
              )}
              <Suspense fallback={<Loading label="Loading the graph view…" />}>
                <CytoscapeGraph
                  graph={data}
                  layout={layout}
                  visible={view?.visible ?? null}
                  fresh={view?.fresh ?? null}
                  counts={view?.counts ?? null}
                  onActivate={activate}
                  onHover={setHover}
                  onLayoutDone={(l) => setDone((d) => ({ layout: l, runs: d.runs + 1 }))}
                  fitSignal={fit}
                  height={graphHeight}
                  selectedKey={selected?.key ?? null}
                  onSelect={setSelected}
                  ariaLabel={`Graph of ${shown} nodes (${layoutName} layout)`}
                  describedBy={`${keysId} ${selectionId}`}
                />
              </Suspense>
            </div>
            <aside className="graph-side">
              {detail ? (
                <NodeDetails node={detail} group={group} count={view?.counts.get(detail.key)} />
              ) : (
                <p className="muted small">Point at a node (or select it from the keyboard) to see what it is; click an aggregate to list its findings.</p>
              )}
              <p className="muted small" id={keysId} data-testid="graph-keys">
                Keyboard: tab to the graph, then arrow keys move to the nearest node in that direction (N and P: next and previous, Home and End: first
                and last); Enter opens the selected node, Escape clears the selection. The tables below hold the same findings and entities.
              </p>
              <p className="visually-hidden" id={selectionId} aria-live="polite" data-testid="graph-selection">
                {selected ? selectionText(selected, data, view?.visible ?? null) : 'No node selected.'}
              </p>
              <Legend />
            </aside>
          </div>
        ))}
    </Panel>
  );
}
