// VPC flow panels of instances and addresses, as Detective's: the overall
// volume (inbound and outbound bytes per interval against the baseline,
// the scope among intervals before and after it), its activity details
// (one row per peer, ports, protocol and direction, filtered and sorted
// by the API; ticking rows draws their traffic over the chart), and the
// average flow by common service ports. Clicking an interval or brushing
// a range narrows the details to it; selections live in the URL.

import { useMemo, useState } from 'react';
import { getJSON, urls } from '../../../api/client';
import {
  flowFilterKeys,
  type FlowDetailRow,
  type FlowFilters,
  type FlowRow,
  type Scope,
  type ServicePortFlow,
  type VPCFlowDetails,
  type VPCFlowServicePorts,
  type VPCFlowVolume,
} from '../../../api/types';
import { useApi, useLoader } from '../../../api/useApi';
import { IntervalTable } from '../../../charts/IntervalTable';
import { TimeBarsChart, type OverlayLine, type TimeBucket } from '../../../charts/TimeBarsChart';
import { EntityLink } from '../../../components/EntityLink';
import { FilterBar, type FilterProperty } from '../../../components/FilterBar';
import { Panel } from '../../../components/Panel';
import { SortTh, useSort, type SortAccessors, type SortState } from '../../../components/sort';
import { Empty, ErrorState, Loading, Truncated, Updating } from '../../../components/States';
import { Time } from '../../../components/Time';
import { CountButton } from '../../../events/CountButton';
import { formatBytes, formatCount, formatDuration, formatWindow, protocolName } from '../../../lib/format';
import { useTimeZone } from '../../../lib/prefs';
import { useDataEnd } from '../../../scope/dataEnd';
import { useProfile, useQueryState } from '../usePanel';

const series = [
  { key: 'inbound', name: 'Inbound bytes', color: '#0ca678', stack: 'in' },
  { key: 'outbound', name: 'Outbound bytes', color: '#f76707', stack: 'out' },
];

/** Chart values as sizes; one function, so that the chart's option stays the same across renders. */
const formatChartBytes = (n: number) => formatBytes(n);

const lineColors = ['#7048e8', '#e64980', '#1098ad', '#5c940d', '#d9480f', '#364fc7'];

function toBuckets(v: VPCFlowVolume, outside: boolean): TimeBucket[] {
  return v.buckets.map((b) => ({
    start: b.start,
    values: { inbound: b.inbound, outbound: b.outbound },
    baseline: b.baselineInbound + b.baselineOutbound,
    outside,
  }));
}

function intParam(v: string | null): number | undefined {
  return v && /^\d{1,12}$/.test(v) ? Number(v) : undefined;
}

/** The flow selection (bucket or range), the flow filters and the overlaid rows, in the URL. */
function useFlowState() {
  const { params, set } = useQueryState();
  const bucket = intParam(params.get('flowBucket'));
  const fs = intParam(params.get('fstart'));
  const fe = intParam(params.get('fend'));
  const range: Scope | undefined = fs !== undefined && fe !== undefined && fe > fs ? { scopeStart: fs, scopeEnd: fe } : undefined;
  const filters: FlowFilters = {};
  for (const k of flowFilterKeys) {
    const v = params.get(`ff_${k}`);
    if (v) filters[k] = v;
  }
  const rows = (params.get('flowRows') ?? '').split(',').filter(Boolean);
  const finding = params.get('finding') ?? undefined;
  return {
    bucket,
    range,
    filters,
    rows,
    finding,
    params,
    setSelection(b: number | undefined, r?: Scope) {
      set({ flowBucket: b === undefined ? undefined : String(b), fstart: r ? String(r.scopeStart) : undefined, fend: r ? String(r.scopeEnd) : undefined });
    },
    setFilters(f: Record<string, string>) {
      set(Object.fromEntries(flowFilterKeys.map((k) => [`ff_${k}`, f[k]])), true);
    },
    setRows(keys: string[]) {
      set({ flowRows: keys.join(',') || undefined }, true);
    },
    set,
  };
}

/** The label of a details row: peer, ports, protocol, direction. */
function rowLabel(r: FlowDetailRow): string {
  return `${r.peerLabel} ${r.localPort}→${r.remotePort}/${(r.protocolName || protocolName(r.protocol)).toUpperCase()} ${r.direction}`;
}

/** The overall VPC flow volume panel. */
export function FlowVolumePanel({ withDetails }: { withDetails: boolean }) {
  const { entity, scope, titles } = useProfile();
  const tz = useTimeZone();
  const dataEnd = useDataEnd();
  const st = useFlowState();
  const [brush, setBrush] = useState(false);
  const [asTable, setAsTable] = useState(false);
  const onlyFinding = st.filters.finding;
  const main = useApi<VPCFlowVolume>(urls.panel(entity.type, entity.id, 'vpc-flow-volume', { ...scope, finding: onlyFinding }));
  const data = main.data;

  const periphKey = data && dataEnd !== undefined ? `${data.window.scopeStart}-${data.buckets.length}-${data.bucketSeconds}-${dataEnd}-${onlyFinding ?? ''}` : null;
  const periph = useLoader<{ before?: VPCFlowVolume; after?: VPCFlowVolume }>(periphKey, async (signal) => {
    const d = data!;
    const len = d.buckets.length * d.bucketSeconds;
    const s = d.window.scopeStart;
    const ask = (w: Scope) => getJSON<VPCFlowVolume>(urls.panel(entity.type, entity.id, 'vpc-flow-volume', { ...w, finding: onlyFinding }), signal);
    const [before, after] = await Promise.all([
      ask({ scopeStart: s - len, scopeEnd: s }).catch(() => undefined),
      s + len < (dataEnd ?? 0) ? ask({ scopeStart: s + len, scopeEnd: s + 2 * len }).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    return { before, after };
  }, undefined, { background: true });
  const buckets = useMemo<TimeBucket[]>(() => {
    if (!data) return [];
    const p = periph.data;
    const ok = (v?: VPCFlowVolume) => v && v.bucketSeconds === data.bucketSeconds;
    return [...(ok(p?.before) ? toBuckets(p!.before!, true) : []), ...toBuckets(data, false), ...(ok(p?.after) ? toBuckets(p!.after!, true) : [])];
  }, [data, periph.data]);
  const zoom = useMemo<Scope | undefined>(() => {
    if (!data) return undefined;
    const len = data.window.scopeEnd - data.window.scopeStart;
    return { scopeStart: data.window.scopeStart - len / 4, scopeEnd: data.window.scopeEnd + len / 4 };
  }, [data]);

  // Rows ticked in the details are drawn over the bars.
  const overlay = useApi<VPCFlowDetails>(
    withDetails && st.rows.length ? urls.panel(entity.type, entity.id, 'vpc-flow-details', { ...scope, series: st.rows.join(','), limit: 1 }) : null,
  );
  const lines = useMemo<OverlayLine[]>(
    () =>
      (overlay.data?.series ?? []).flatMap((sr, i) => {
        const [type, ...rest] = sr.key.split('/');
        const label = `${rest.slice(0, -4).join('/') || type} ${rest.slice(-4, -2).join('→')}`;
        return [
          {
            name: `${label} in`,
            color: lineColors[(i * 2) % lineColors.length],
            values: Object.fromEntries(sr.buckets.map((b) => [b.start, b.inbound])),
          },
          {
            name: `${label} out`,
            color: lineColors[(i * 2 + 1) % lineColors.length],
            values: Object.fromEntries(sr.buckets.map((b) => [b.start, b.outbound])),
          },
        ];
      }),
    [overlay.data],
  );

  // The same objects while the selection is the same: a new one draws the chart again.
  const rangeStart = st.range?.scopeStart;
  const rangeEnd = st.range?.scopeEnd;
  const selection = useMemo<Scope | null>(
    () =>
      data && st.bucket !== undefined
        ? { scopeStart: st.bucket, scopeEnd: st.bucket + data.bucketSeconds }
        : rangeStart !== undefined && rangeEnd !== undefined
          ? { scopeStart: rangeStart, scopeEnd: rangeEnd }
          : null,
    [data, st.bucket, rangeStart, rangeEnd],
  );
  function select(r: Scope, outside: boolean) {
    if (!data) return;
    if (st.bucket === r.scopeStart) st.setSelection(undefined);
    else if (!outside && data.buckets.some((b) => b.start === r.scopeStart)) st.setSelection(r.scopeStart);
    else st.setSelection(undefined, r);
  }

  const title = titles['vpc-flow-volume'];
  return (
    <Panel
      id="vpc-flow-volume"
      title={title}
      description="Bytes in and out per interval against the baseline. Flow logs are stored per hour, so whole hours are counted. Click an interval, or select a range, to see its flows."
      actions={
        <>
          <button type="button" aria-pressed={brush} onClick={() => setBrush((b) => !b)} title="Drag across the chart to select a range of intervals">
            Select range
          </button>
          <button type="button" aria-pressed={asTable} onClick={() => setAsTable((t) => !t)} data-testid="flow-volume-table-toggle">
            Table
          </button>
        </>
      }
    >
      <Updating active={main.loading && !!data} />
      {main.error && <ErrorState error={main.error} retry={main.reload} what="The flow volume" />}
      {!data && main.loading && <Loading />}
      {data && (
        <>
          <p className="totals" data-testid="flow-totals">
            Inbound <strong>{formatBytes(data.totals.inbound)}</strong>, outbound <strong>{formatBytes(data.totals.outbound)}</strong>{' '}
            <span className="muted">
              over {formatWindow(data.window, tz)}, intervals of {formatDuration(data.bucketSeconds)}
              {data.finding && ', only traffic with the addresses and instances the finding names'}.
            </span>
          </p>
          <TimeBarsChart
            buckets={buckets}
            bucketSeconds={data.bucketSeconds}
            series={series}
            baselineName="Baseline (average per interval)"
            scope={data.window}
            selection={selection}
            lines={lines}
            initialZoom={zoom}
            format={formatChartBytes}
            ariaLabel={`${title}: ${formatBytes(data.totals.inbound)} inbound and ${formatBytes(data.totals.outbound)} outbound`}
            onSelect={select}
            brushActive={brush}
            onBrush={(r) => {
              setBrush(false);
              st.setSelection(undefined, r);
            }}
            testId="flow-chart"
          />
          {asTable && (
            <IntervalTable
              buckets={data.buckets}
              bucketSeconds={data.bucketSeconds}
              caption="Bytes per interval"
              testId="flow-volume-table"
              selected={st.bucket}
              onDetails={(b) => select({ scopeStart: b.start, scopeEnd: b.start + data.bucketSeconds }, false)}
              columns={[
                { header: 'Inbound', cell: (b) => formatBytes(b.inbound) },
                { header: 'Outbound', cell: (b) => formatBytes(b.outbound) },
                { header: 'Baseline average', cell: (b) => formatBytes(Math.round(b.baselineInbound + b.baselineOutbound)) },
              ]}
            />
          )}
          {overlay.error && <ErrorState error={overlay.error} retry={overlay.reload} what="The rows drawn over the chart" />}
          {!withDetails && <FlowRowsTable volume={data} />}
        </>
      )}
    </Panel>
  );
}

const rowAccessors: SortAccessors<FlowRow> = {
  peer: (r) => r.peerLabel,
  port: (r) => r.port,
  protocol: (r) => protocolName(r.protocol),
  direction: (r) => r.direction,
  action: (r) => r.action,
  bytes: (r) => r.bytes,
  packets: (r) => r.packets,
  firstSeen: (r) => r.firstSeen,
  lastSeen: (r) => r.lastSeen,
};

/** The volume panel's own rows, for servers without the details panel. */
function FlowRowsTable({ volume }: { volume: VPCFlowVolume }) {
  const { sorted, sort, toggle } = useSort(volume.rows, rowAccessors, { key: 'bytes', dir: 'desc' });
  if (volume.rows.length === 0) return <Empty>No flow in the scope.</Empty>;
  return (
    <div className="table-wrap scroll-y">
      {volume.truncated && (
        <p className="muted" data-testid="flow-rows-truncated">
          Showing the {formatCount(volume.rows.length)} largest of {formatCount(volume.totalRows)} rows.
        </p>
      )}
      <table className="table compact" data-testid="flow-table">
        <thead>
          <tr>
            <SortTh label="Peer" column="peer" sort={sort} onSort={toggle} firstDir="asc" />
            <SortTh label="Port" column="port" sort={sort} onSort={toggle} className="num" firstDir="asc" />
            <SortTh label="Protocol" column="protocol" sort={sort} onSort={toggle} firstDir="asc" />
            <SortTh label="Direction" column="direction" sort={sort} onSort={toggle} firstDir="asc" />
            <SortTh label="Action" column="action" sort={sort} onSort={toggle} firstDir="asc" />
            <SortTh label="Bytes" column="bytes" sort={sort} onSort={toggle} className="num" />
            <SortTh label="Packets" column="packets" sort={sort} onSort={toggle} className="num" />
            <SortTh label="First observed" column="firstSeen" sort={sort} onSort={toggle} />
            <SortTh label="Last observed" column="lastSeen" sort={sort} onSort={toggle} />
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={`${r.peerLabel}|${r.port}|${r.protocol}|${r.direction}|${r.action}`} data-peer={r.peerLabel} data-port={r.port}>
              <td className="wrap">{r.peer ? <EntityLink type={r.peer.type} id={r.peer.id} label={r.peerLabel} /> : r.peerLabel}</td>
              <td className="num">{r.port}</td>
              <td>{protocolName(r.protocol)}</td>
              <td>{r.direction === 'inbound' ? 'Inbound' : 'Outbound'}</td>
              <td>
                <span className={r.action === 'REJECT' ? 'tag tag-reject' : 'tag tag-accept'}>{r.action}</span>
              </td>
              <td className="num">{formatBytes(r.bytes)}</td>
              <td className="num">{formatCount(r.packets)}</td>
              <td>
                <Time value={r.firstSeen} />
              </td>
              <td>
                <Time value={r.lastSeen} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const flowProperties: FilterProperty[] = [
  { key: 'ip', label: 'Peer address is', placeholder: '203.0.113.7 or 10.0.0.0/8' },
  { key: 'notIp', label: 'Peer address is not', placeholder: '10.0.0.0/8' },
  { key: 'ipClass', label: 'Peer address class is', placeholder: 'public', suggestions: ['public', 'private', 'reserved', 'loopback', 'link-local'] },
  { key: 'instance', label: 'Peer instance is', placeholder: 'i-0123456789abcdef0' },
  { key: 'localPort', label: 'Local port is', placeholder: '22 or 1024-65535' },
  { key: 'remotePort', label: 'Remote port is', placeholder: '3333' },
  { key: 'port', label: 'Either port is', placeholder: '443' },
  { key: 'direction', label: 'Direction is', placeholder: 'inbound', suggestions: ['inbound', 'outbound'] },
  { key: 'protocol', label: 'Protocol is', placeholder: 'tcp', suggestions: ['tcp', 'udp', 'icmp', 'icmpv6'] },
  { key: 'action', label: 'Action is', placeholder: 'reject', suggestions: ['accept', 'reject'] },
];

const sortColumns: Record<string, 'asc' | 'desc'> = {
  peer: 'asc',
  localPort: 'asc',
  remotePort: 'asc',
  protocol: 'asc',
  direction: 'asc',
  inbound: 'desc',
  outbound: 'desc',
  packets: 'desc',
  accepted: 'desc',
  rejected: 'desc',
  firstSeen: 'desc',
  lastSeen: 'desc',
};

/** The VPC flow activity details panel. */
export function FlowDetailsPanel() {
  const { entity, scope, titles } = useProfile();
  const tz = useTimeZone();
  const st = useFlowState();
  const [limit, setLimit] = useState(1000);
  const sortKey = st.params.get('fsort') ?? 'inbound';
  const order = (st.params.get('forder') as 'asc' | 'desc' | null) ?? sortColumns[sortKey] ?? 'desc';
  const sortState: SortState = { key: sortKey, dir: order };
  const win = st.range ? { scopeStart: st.range.scopeStart, scopeEnd: st.range.scopeEnd } : { ...scope };
  const { data, error, loading, reload } = useApi<VPCFlowDetails>(
    urls.panel(entity.type, entity.id, 'vpc-flow-details', {
      ...win,
      bucket: st.range ? undefined : st.bucket,
      ...st.filters,
      sort: sortKey,
      order,
      limit,
      annotate: st.finding,
    }),
  );
  const checked = new Set(st.rows);
  function toggleRow(key: string) {
    const n = new Set(checked);
    if (n.has(key)) n.delete(key);
    else if (n.size < 3) n.add(key);
    st.setRows([...n]);
  }
  function onSort(key: string) {
    const dir = sortState.key === key ? (sortState.dir === 'asc' ? 'desc' : 'asc') : (sortColumns[key] ?? 'desc');
    st.set({ fsort: key === 'inbound' && dir === 'desc' ? undefined : key, forder: dir === (sortColumns[key] ?? 'desc') ? undefined : dir }, true);
  }
  const rowsWindow = data?.bucket ?? (st.range ? data?.scope : data?.window);
  const title = titles['vpc-flow-details'];

  function eventsReq(r: FlowDetailRow) {
    if (!rowsWindow) return undefined;
    const f: FlowFilters = { ...st.filters, localPort: String(r.localPort), remotePort: String(r.remotePort), protocol: String(r.protocol), direction: r.direction };
    if (r.peer.type === 'IpAddress') f.ip = r.peer.id;
    else if (r.peer.type === 'Ec2Instance') f.instance = r.peer.id;
    return { entity: data!.entity, label: entity.label, window: rowsWindow, source: 'vpcflow' as const, filters: f };
  }

  return (
    <Panel
      id="vpc-flow-details"
      title={title}
      description={
        <>
          {st.bucket !== undefined ? 'The flows of the selected interval' : st.range ? 'The flows of the selected range' : 'The flows of the scope'}
          {rowsWindow && `: ${formatWindow(rowsWindow, tz)}`}. One row per peer, ports, protocol and direction; tick rows to draw them over the chart.
        </>
      }
      actions={
        (st.bucket !== undefined || st.range) && (
          <button type="button" onClick={() => st.setSelection(undefined)}>
            Display details for scope time
          </button>
        )
      }
    >
      <Updating active={loading && !!data} />
      <FilterBar properties={flowProperties} filters={st.filters as Record<string, string | undefined>} onChange={st.setFilters} testId="flow-filters" />
      {st.finding && (
        <label className="check">
          <input
            type="checkbox"
            checked={st.filters.finding === st.finding}
            onChange={(e) => st.setFilters({ ...(st.filters as Record<string, string>), finding: e.target.checked ? st.finding! : '' })}
            data-testid="flow-only-finding"
          />
          Only traffic with the addresses and instances finding {st.finding} names
        </label>
      )}
      {error && <ErrorState error={error} retry={reload} what="The flow details" />}
      {!data && loading && <Loading />}
      {data && (
        <>
          <p className="totals">
            <strong>{formatCount(data.totalRows)}</strong> flows: inbound {formatBytes(data.totals.inboundBytes)}, outbound {formatBytes(data.totals.outboundBytes)},{' '}
            {formatCount(data.totals.accepted)} accepted and <span className={data.totals.rejected ? 'failure' : undefined}>{formatCount(data.totals.rejected)} rejected</span>{' '}
            records.
            {data.noDataRecords > 0 && <span className="muted"> {formatCount(data.noDataRecords)} records without traffic (NODATA, SKIPDATA) are not counted.</span>}
          </p>
          {data.truncated && (
            <Truncated>
              Showing {formatCount(data.rows.length)} of {formatCount(data.totalRows)} rows, in the order chosen.{' '}
              {limit < 10000 && (
                <button type="button" className="link-button" onClick={() => setLimit(10000)}>
                  Show up to 10,000
                </button>
              )}
            </Truncated>
          )}
          {data.overflow && <Truncated>The traffic of very many more rows is summed into the totals without rows of its own.</Truncated>}
          {data.rows.length === 0 ? (
            <Empty>No flow in this window{Object.keys(st.filters).length ? ' matches the filters' : ''}.</Empty>
          ) : (
            <div className="table-wrap scroll-y">
              <table className="table compact" data-testid="flow-table">
                <thead>
                  <tr>
                    <th scope="col">
                      <span className="visually-hidden">Draw on the chart</span>
                    </th>
                    <SortTh label="Peer" column="peer" sort={sortState} onSort={onSort} />
                    <SortTh label="Local port" column="localPort" sort={sortState} onSort={onSort} className="num" />
                    <SortTh label="Remote port" column="remotePort" sort={sortState} onSort={onSort} className="num" />
                    <SortTh label="Protocol" column="protocol" sort={sortState} onSort={onSort} />
                    <SortTh label="Direction" column="direction" sort={sortState} onSort={onSort} />
                    <SortTh label="Inbound" column="inbound" sort={sortState} onSort={onSort} className="num" />
                    <SortTh label="Outbound" column="outbound" sort={sortState} onSort={onSort} className="num" />
                    <SortTh label="Accepted" column="accepted" sort={sortState} onSort={onSort} className="num" />
                    <SortTh label="Rejected" column="rejected" sort={sortState} onSort={onSort} className="num" />
                    <SortTh label="First observed" column="firstSeen" sort={sortState} onSort={onSort} />
                    <SortTh label="Last observed" column="lastSeen" sort={sortState} onSort={onSort} />
                  </tr>
                </thead>
                <tbody>
                  {data.rows.map((r) => (
                    <tr
                      key={r.key}
                      className={checked.has(r.key) ? 'selected' : undefined}
                      data-peer={r.peerLabel}
                      data-port={r.remotePort}
                      data-local-port={r.localPort}
                      data-row-key={r.key}
                    >
                      <td>
                        <input
                          type="checkbox"
                          checked={checked.has(r.key)}
                          disabled={!checked.has(r.key) && checked.size >= 3}
                          onChange={() => toggleRow(r.key)}
                          aria-label={`Draw ${rowLabel(r)} on the chart`}
                          title="Draw this row's traffic over the chart (up to 3 rows)"
                        />
                      </td>
                      <td className="wrap">
                        <EntityLink type={r.peer.type} id={r.peer.id} label={r.peerLabel} />
                        {r.findingRelated && (
                          <span className="tag tag-new" title="The finding names this peer">
                            finding
                          </span>
                        )}
                      </td>
                      <td className="num">{r.localPort}</td>
                      <td className="num">{r.remotePort}</td>
                      <td>{(r.protocolName || protocolName(r.protocol)).toUpperCase()}</td>
                      <td>{r.direction === 'inbound' ? 'Inbound' : 'Outbound'}</td>
                      <td className="num">{formatBytes(r.inboundBytes)}</td>
                      <td className="num">{formatBytes(r.outboundBytes)}</td>
                      <td className="num">
                        <CountButton value={r.accepted} kind="success" req={eventsReq(r)} what={`accepted flow records of ${rowLabel(r)}`} />
                      </td>
                      <td className="num">
                        <CountButton value={r.rejected} kind="failure" req={eventsReq(r)} what={`rejected flow records of ${rowLabel(r)}`} />
                      </td>
                      <td>
                        <Time value={r.firstSeen} />
                      </td>
                      <td>
                        <Time value={r.lastSeen} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </Panel>
  );
}

/** Average VPC flow by common service ports. */
export function ServicePortsPanel() {
  const { entity, scope, titles } = useProfile();
  const { params, set } = useQueryState();
  const [all, setAll] = useState(false);
  const port = intParam(params.get('svcPort'));
  const { data, error, loading, reload } = useApi<VPCFlowServicePorts>(urls.panel(entity.type, entity.id, 'vpc-flow-service-ports', scope));
  const detail = useApi<VPCFlowServicePorts>(
    port !== undefined ? urls.panel(entity.type, entity.id, 'vpc-flow-service-ports', { ...scope, port: String(port) }) : null,
  );
  const portBuckets = useMemo<TimeBucket[]>(
    () =>
      (detail.data?.series?.buckets ?? []).map((b) => ({
        start: b.start,
        values: { inbound: b.inbound, outbound: b.outbound },
        baseline: b.baselineInbound + b.baselineOutbound,
      })),
    [detail.data],
  );
  const active = (p: ServicePortFlow) => p.inbound + p.outbound + p.baselineInbound + p.baselineOutbound > 0;
  const ports = (data?.ports ?? []).filter((p) => all || active(p));
  const max = Math.max(1, ...(data?.ports ?? []).flatMap((p) => [p.averageInbound, p.averageOutbound, p.baselineAverageInbound, p.baselineAverageOutbound]));
  const bar = (v: number, color: string) => (
    <span className="hbar" aria-hidden="true">
      <span style={{ width: `${Math.max(v > 0 ? 2 : 0, (v / max) * 100)}%`, background: color }} />
    </span>
  );
  const title = titles['vpc-flow-service-ports'];
  const sel = data?.ports.find((p) => p.port === port);
  return (
    <Panel
      id="vpc-flow-service-ports"
      title={title}
      description={
        data
          ? `Average bytes per interval of ${formatDuration(data.bucketSeconds)} on well-known service ports, during the scope and during the baseline. A port whose traffic departs from its habit stands out.`
          : 'Average bytes per interval on well-known service ports, during the scope and the baseline.'
      }
      actions={
        <label className="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          All ports
        </label>
      }
    >
      <Updating active={loading && !!data} />
      {error && <ErrorState error={error} retry={reload} />}
      {!data && loading && <Loading />}
      {data &&
        (ports.length === 0 ? (
          <Empty>No traffic on the well-known service ports during the scope or the baseline.</Empty>
        ) : (
          <div className="table-wrap scroll-y">
            <table className="table compact" data-testid="service-ports-table">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    Port
                  </th>
                  <th scope="col">Service</th>
                  <th scope="col">Average inbound (scope / baseline)</th>
                  <th scope="col">Average outbound (scope / baseline)</th>
                  <th scope="col" className="num">
                    Records
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Timeline</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...ports, ...(data.other.inbound + data.other.outbound > 0 ? [data.other] : [])].map((p) => (
                  <tr key={p.port + p.service} data-port={p.port} className={p.port === port ? 'selected' : undefined}>
                    <td className="num">{p.service === 'other' ? '–' : p.port}</td>
                    <td className={p.service.startsWith('Mining') ? 'failure' : undefined}>{p.service === 'other' ? 'Other traffic' : p.service}</td>
                    <td className="bars">
                      {bar(p.averageInbound, '#0ca678')} {formatBytes(Math.round(p.averageInbound))}
                      <span className="muted"> / {formatBytes(Math.round(p.baselineAverageInbound))}</span>
                    </td>
                    <td className="bars">
                      {bar(p.averageOutbound, '#f76707')} {formatBytes(Math.round(p.averageOutbound))}
                      <span className="muted"> / {formatBytes(Math.round(p.baselineAverageOutbound))}</span>
                    </td>
                    <td className="num">{formatCount(p.records)}</td>
                    <td>
                      {p.service !== 'other' && (
                        <button
                          type="button"
                          className="link-button"
                          aria-pressed={p.port === port}
                          onClick={() => set({ svcPort: p.port === port ? undefined : String(p.port) }, true)}
                          aria-label={`Timeline of port ${p.port}`}
                        >
                          Timeline
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {port !== undefined && (
        <section className="subsection" aria-label={`Port ${port} over time`}>
          <h3>
            Port {port} {sel ? `(${sel.service})` : ''} over time
          </h3>
          {detail.error && <ErrorState error={detail.error} retry={detail.reload} />}
          {!detail.data && detail.loading && <Loading />}
          {detail.data?.series && (
            <TimeBarsChart
              buckets={portBuckets}
              bucketSeconds={detail.data.bucketSeconds}
              series={series}
              baselineName="Baseline (average per interval)"
              scope={detail.data.window}
              format={formatChartBytes}
              height={180}
              ariaLabel={`Traffic on port ${port} per interval`}
            />
          )}
        </section>
      )}
    </Panel>
  );
}

/** The flow panels that apply to the profile, in Detective's order. */
export function FlowSection({ panels }: { panels: string[] }) {
  const withDetails = panels.includes('vpc-flow-details');
  return (
    <>
      {panels.includes('vpc-flow-volume') && <FlowVolumePanel withDetails={withDetails} />}
      {withDetails && <FlowDetailsPanel />}
      {panels.includes('vpc-flow-service-ports') && <ServicePortsPanel />}
    </>
  );
}
