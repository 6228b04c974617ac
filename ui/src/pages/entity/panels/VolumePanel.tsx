// Overall API call volume and its activity details. The timeline shows
// successful and failed calls per interval against the baseline, the
// scope highlighted among the intervals before and after it; clicking an
// interval (or brushing a range) opens the calls of that time below,
// grouped by IP address, API and caller. The selection is in the URL, so
// the view can be shared.

import { useMemo, useState } from 'react';
import { getJSON, urls } from '../../../api/client';
import { activityFilterKeys, type ActivityDetails, type ActivityFilters, type APICallVolume, type Scope } from '../../../api/types';
import { useApi, useLoader } from '../../../api/useApi';
import { IntervalTable } from '../../../charts/IntervalTable';
import { TimeBarsChart, type TimeBucket } from '../../../charts/TimeBarsChart';
import { Panel } from '../../../components/Panel';
import { ErrorState, Loading, Updating } from '../../../components/States';
import { TabPanel, Tabs } from '../../../components/Tabs';
import { Time } from '../../../components/Time';
import { CountButton } from '../../../events/CountButton';
import { formatCompact, formatCount, formatDuration, formatWindow } from '../../../lib/format';
import { useTimeZone } from '../../../lib/prefs';
import { useDataEnd } from '../../../scope/dataEnd';
import { ActivityFilterBar } from './ActivityFilterBar';
import { ActivityTable } from './ActivityTable';
import { filterParam, useProfile, useQueryState, useUrlChoice } from '../usePanel';

/** The selected window of the timeline. */
export type Selection = { kind: 'scope' } | { kind: 'bucket'; start: number } | { kind: 'range'; start: number; end: number };

function intParam(v: string | null): number | undefined {
  return v && /^\d{1,12}$/.test(v) ? Number(v) : undefined;
}

/** Reads the selection from the URL (bucket, or dstart/dend). */
export function useSelection(): [Selection, (s: Selection) => void] {
  const { params, set } = useQueryState();
  const bucket = intParam(params.get('bucket'));
  const ds = intParam(params.get('dstart'));
  const de = intParam(params.get('dend'));
  const sel: Selection =
    bucket !== undefined ? { kind: 'bucket', start: bucket } : ds !== undefined && de !== undefined && de > ds ? { kind: 'range', start: ds, end: de } : { kind: 'scope' };
  const setSel = (s: Selection) =>
    set({
      bucket: s.kind === 'bucket' ? String(s.start) : undefined,
      dstart: s.kind === 'range' ? String(s.start) : undefined,
      dend: s.kind === 'range' ? String(s.end) : undefined,
    });
  return [sel, setSel];
}

/** Reads the activity filters from the URL. */
export function useActivityFilters(): [ActivityFilters, (f: ActivityFilters) => void] {
  const { params, set } = useQueryState();
  const filters: ActivityFilters = {};
  for (const k of activityFilterKeys) {
    const v = params.get(filterParam(k));
    if (v) filters[k] = v;
  }
  const setFilters = (f: ActivityFilters) => set(Object.fromEntries(activityFilterKeys.map((k) => [filterParam(k), f[k]])));
  return [filters, setFilters];
}

const series = [
  { key: 'success', name: 'Successful calls', color: '#1c7ed6' },
  { key: 'failure', name: 'Failed calls', color: '#e03131' },
];

function toBuckets(v: APICallVolume, outside: boolean): TimeBucket[] {
  return v.buckets.map((b) => ({
    start: b.start,
    values: { success: b.success, failure: b.failure },
    baseline: b.baselineSuccess + b.baselineFailure,
    outside,
  }));
}

/** The timeline and the activity details under it. */
export function VolumeAndActivity() {
  const { entity, scope, titles } = useProfile();
  const dataEnd = useDataEnd();
  const [sel, setSel] = useSelection();
  const [brush, setBrush] = useState(false);
  const [asTable, setAsTable] = useState(false);
  const { data, error, loading, reload } = useApi<APICallVolume>(urls.panel(entity.type, entity.id, 'api-call-volume', scope));

  // Peripheral context: the same number of intervals before and after the
  // scope, asked separately so that they share the scope's interval size.
  const periphKey = data && dataEnd !== undefined ? `${data.scope.scopeStart}-${data.buckets.length}-${data.bucketSeconds}-${dataEnd}` : null;
  const periph = useLoader<{ before?: APICallVolume; after?: APICallVolume }>(periphKey, async (signal) => {
    const d = data!;
    const len = d.buckets.length * d.bucketSeconds;
    const s = d.scope.scopeStart;
    const ask = (w: Scope) => getJSON<APICallVolume>(urls.panel(entity.type, entity.id, 'api-call-volume', w), signal);
    const [before, after] = await Promise.all([
      ask({ scopeStart: s - len, scopeEnd: s }).catch(() => undefined),
      s + len < (dataEnd ?? 0) ? ask({ scopeStart: s + len, scopeEnd: s + 2 * len }).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    return { before, after };
  }, undefined, { background: true });

  const buckets = useMemo<TimeBucket[]>(() => {
    if (!data) return [];
    const p = periph.data;
    const ok = (v?: APICallVolume) => v && v.bucketSeconds === data.bucketSeconds;
    return [...(ok(p?.before) ? toBuckets(p!.before!, true) : []), ...toBuckets(data, false), ...(ok(p?.after) ? toBuckets(p!.after!, true) : [])];
  }, [data, periph.data]);

  // The same object while the selection is the same: a new one draws the chart again.
  const selStart = sel.kind === 'scope' ? undefined : sel.start;
  const selEnd = sel.kind === 'range' ? sel.end : undefined;
  const selection = useMemo<Scope | null>(
    () =>
      !data || selStart === undefined
        ? null
        : selEnd === undefined
          ? { scopeStart: selStart, scopeEnd: selStart + data.bucketSeconds }
          : { scopeStart: selStart, scopeEnd: selEnd },
    [data, selStart, selEnd],
  );
  const zoom = useMemo<Scope | undefined>(() => {
    if (!data) return undefined;
    const len = data.scope.scopeEnd - data.scope.scopeStart;
    return { scopeStart: data.scope.scopeStart - len / 4, scopeEnd: data.scope.scopeEnd + len / 4 };
  }, [data]);

  function select(range: Scope, outside: boolean) {
    if (!data) return;
    const inScope = !outside && data.buckets.some((b) => b.start === range.scopeStart);
    if (sel.kind === 'bucket' && sel.start === range.scopeStart) setSel({ kind: 'scope' });
    else if (inScope) setSel({ kind: 'bucket', start: range.scopeStart });
    else setSel({ kind: 'range', start: range.scopeStart, end: range.scopeEnd });
  }

  const title = titles['api-call-volume'];
  return (
    <>
      <Panel
        id="api-call-volume"
        title={title}
        description="Successful and failed API calls per interval, against the baseline's average. Click an interval, or select a range, to see its calls below."
        actions={
          <>
            <button type="button" aria-pressed={brush} onClick={() => setBrush((b) => !b)} data-testid="volume-brush" title="Drag across the chart to select a range of intervals">
              Select range
            </button>
            <button type="button" aria-pressed={asTable} onClick={() => setAsTable((t) => !t)} data-testid="volume-table-toggle">
              Table
            </button>
          </>
        }
      >
        <Updating active={loading && !!data} />
        {error && <ErrorState error={error} retry={reload} what="The call volume" />}
        {!data && loading && <Loading />}
        {data && (
          <>
            <p className="totals" data-testid="volume-totals">
              <strong>{formatCount(data.totals.success + data.totals.failure)}</strong> calls in scope:{' '}
              <CountButton
                value={data.totals.success}
                kind="success"
                what="successful calls in scope"
                req={{ entity: data.entity, label: entity.label, window: data.scope }}
              />{' '}
              successful,{' '}
              <CountButton
                value={data.totals.failure}
                kind="failure"
                what="failed calls in scope"
                req={{ entity: data.entity, label: entity.label, window: data.scope }}
              />{' '}
              failed. <span className="muted">Baseline ({formatDuration(data.baseline.scopeEnd - data.baseline.scopeStart)} before):{' '}
              {formatCount(data.baselineTotals.success)} successful, {formatCount(data.baselineTotals.failure)} failed. Intervals of{' '}
              {formatDuration(data.bucketSeconds)}.</span>
            </p>
            <TimeBarsChart
              buckets={buckets}
              bucketSeconds={data.bucketSeconds}
              series={series}
              baselineName="Baseline (average per interval)"
              scope={data.scope}
              selection={selection}
              initialZoom={zoom}
              format={formatCompact}
              ariaLabel={`${title} of ${entity.label || entity.id}: ${formatCount(data.totals.success)} successful and ${formatCount(data.totals.failure)} failed calls`}
              onSelect={select}
              brushActive={brush}
              onBrush={(r) => {
                setBrush(false);
                setSel({ kind: 'range', start: r.scopeStart, end: r.scopeEnd });
              }}
              testId="volume-chart"
            />
            {asTable && (
              <IntervalTable
                buckets={data.buckets}
                bucketSeconds={data.bucketSeconds}
                caption="Calls per interval"
                testId="volume-table"
                selected={sel.kind === 'bucket' ? sel.start : undefined}
                onDetails={(b) => select({ scopeStart: b.start, scopeEnd: b.start + data.bucketSeconds }, false)}
                columns={[
                  { header: 'Successful', cell: (b) => formatCount(b.success) },
                  { header: 'Failed', cell: (b) => formatCount(b.failure), className: (b) => (b.failure ? ' failure' : '') },
                  { header: 'Baseline average', cell: (b) => (b.baselineSuccess + b.baselineFailure).toFixed(2) },
                ]}
              />
            )}
          </>
        )}
      </Panel>
      <ActivityPanel selection={sel} bucketSeconds={data?.bucketSeconds} onClear={() => setSel({ kind: 'scope' })} />
    </>
  );
}

/** The names of the caller level, as Detective names them. */
export function callerHeader(callerType: ActivityDetails['callerType'], entityType: string): { tab: string; header: string } {
  if (callerType === 'accessKey') return { tab: 'Access key ID', header: 'Access key' };
  if (callerType === 'session') return { tab: 'Role session', header: 'Role session' };
  return { tab: entityType === 'AwsAccount' ? 'User or role' : 'Resource', header: 'Caller' };
}

/** The activity details of the selected window. */
function ActivityPanel({ selection, bucketSeconds, onClear }: { selection: Selection; bucketSeconds?: number; onClear: () => void }) {
  const { entity, scope, titles } = useProfile();
  const tz = useTimeZone();
  const [filters, setFilters] = useActivityFilters();
  // An address's calls all come from itself: its details start at the APIs.
  const isAddress = entity.type === 'IpAddress';
  const [chosenView, chooseView] = useUrlChoice('view', isAddress ? 'api' : 'ip');
  const views = isAddress ? (['api', 'caller'] as const) : (['ip', 'api', 'caller'] as const);
  const view = views.find((v) => v === chosenView) ?? views[0];
  const extra =
    selection.kind === 'bucket'
      ? { ...scope, bucket: selection.start }
      : selection.kind === 'range'
        ? { scopeStart: selection.start, scopeEnd: selection.end }
        : { ...scope };
  const { data, error, loading, reload } = useApi<ActivityDetails>(urls.panel(entity.type, entity.id, 'activity-details', { ...extra, ...filters }));
  const caller = callerHeader(data?.callerType ?? 'principal', entity.type);
  const tabs = [
    { id: 'ip', label: 'Observed IP addresses' },
    { id: 'api', label: 'API method by service' },
    { id: 'caller', label: caller.tab },
  ].filter((t) => (views as readonly string[]).includes(t.id));
  const win = data?.window;
  const idPrefix = 'activity';
  return (
    <Panel
      id="activity-details"
      title={titles['activity-details']}
      description={
        <>
          {selection.kind === 'scope' ? 'The calls of the whole scope' : selection.kind === 'bucket' ? 'The calls of the selected interval' : 'The calls of the selected range'}
          {win && (
            <>
              {': '}
              <span data-testid="activity-window" data-window-start={win.scopeStart} data-window-end={win.scopeEnd}>
                {formatWindow(win, tz)}
              </span>
            </>
          )}
          .
        </>
      }
      actions={
        selection.kind !== 'scope' && (
          <button type="button" onClick={onClear} data-testid="activity-scope">
            Display details for scope time
          </button>
        )
      }
    >
      <Updating active={loading && !!data} />
      <ActivityFilterBar filters={filters} onChange={setFilters} />
      {error && <ErrorState error={error} retry={reload} what="The activity details" />}
      {!data && loading && <Loading />}
      {data && (
        <>
          <p className="totals">
            <strong>{formatCount(data.totals.success + data.totals.failure)}</strong> calls:{' '}
            <span className="success">{formatCount(data.totals.success)} successful</span>,{' '}
            <span className={data.totals.failure ? 'failure' : undefined}>{formatCount(data.totals.failure)} failed</span>
            {bucketSeconds && selection.kind === 'bucket' && <span className="muted"> in an interval of {formatDuration(bucketSeconds)}</span>}
            {data.window.scopeStart !== data.scope.scopeStart || data.window.scopeEnd !== data.scope.scopeEnd ? (
              <span className="muted">
                {' '}
                (scope <Time value={data.scope.scopeStart} /> → <Time value={data.scope.scopeEnd} />)
              </span>
            ) : null}
          </p>
          <Tabs tabs={tabs} active={view} onChange={chooseView} label="Group the calls by" idPrefix={idPrefix} testId="activity-tabs" />
          <TabPanel idPrefix={idPrefix} tab={view}>
            <ActivityTable
              key={`${view}-${data.window.scopeStart}-${data.window.scopeEnd}-${JSON.stringify(filters)}`}
              rows={view === 'ip' ? data.byIp : view === 'api' ? data.byApi : data.byCaller}
              nameHeader={view === 'ip' ? 'IP address' : view === 'api' ? 'API method' : caller.header}
              entity={data.entity}
              entityLabel={entity.label}
              window={data.window}
              filters={filters}
              testId={`activity-table-${view}`}
            />
          </TabPanel>
        </>
      )}
    </Panel>
  );
}
