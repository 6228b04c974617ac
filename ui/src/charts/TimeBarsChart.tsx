// A timeline of bars per bucket, as Detective's profile panels draw them:
// stacked series (successful and failed calls, inbound and outbound
// bytes), the baseline's average per bucket as a dashed line, the scope
// highlighted among peripheral buckets before and after it, and the
// selected window highlighted. Clicking a bucket or brushing a range
// selects it.

import { useEffect, useMemo, useRef } from 'react';
import type { Scope } from '../api/types';
import { escapeHtml } from '../lib/escapeHtml';
import { formatClock, formatDate, formatTime, zoneLabel } from '../lib/format';
import { useTimeZone, type TimeZoneMode } from '../lib/prefs';
import { EChart } from './EChart';
import { echarts, type ECharts } from './echarts';

/** One bucket: its start, a value per series, and the baseline's average. */
export interface TimeBucket {
  start: number;
  values: Record<string, number>;
  baseline?: number;
  /** True for peripheral buckets outside the scope. */
  outside?: boolean;
}

export interface TimeSeriesSpec {
  key: string;
  name: string;
  color: string;
  /** Series with the same stack are stacked; default: all stacked. */
  stack?: string;
}

export interface Overlay {
  start: number;
  end: number;
  label: string;
}

/** A line drawn over the bars (a flow row's traffic, overlaid). */
export interface OverlayLine {
  name: string;
  color: string;
  /** Values by bucket start; missing buckets are zero. */
  values: Record<number, number>;
}

export interface TimeBarsChartProps {
  buckets: TimeBucket[];
  bucketSeconds: number;
  series: TimeSeriesSpec[];
  baselineName?: string;
  scope?: Scope;
  selection?: Scope | null;
  overlays?: Overlay[];
  lines?: OverlayLine[];
  /** The window shown at first; the rest is reached by zooming. */
  initialZoom?: Scope;
  format: (n: number) => string;
  height?: number;
  ariaLabel: string;
  onSelect?: (range: Scope, outside: boolean) => void;
  brushActive?: boolean;
  onBrush?: (range: Scope) => void;
  testId?: string;
}

/** What the option of a timeline depends on. */
type TimeBarsOptionInput = Pick<
  TimeBarsChartProps,
  'buckets' | 'bucketSeconds' | 'series' | 'baselineName' | 'scope' | 'selection' | 'overlays' | 'lines' | 'initialZoom' | 'format' | 'brushActive'
>;

/** The ECharts option of a timeline. */
function timeBarsOption(
  { buckets, bucketSeconds, series, baselineName, scope, selection, overlays, lines, initialZoom, format, brushActive }: TimeBarsOptionInput,
  tz: TimeZoneMode,
): Record<string, unknown> {
  const half = (bucketSeconds * 1000) / 2;
  const label = (ms: number) => {
    const t = ms / 1000;
    if (bucketSeconds >= 86400) return formatDate(t, tz).slice(5);
    const first = buckets[0]?.start ?? t;
    const last = buckets[buckets.length - 1]?.start ?? t;
    return last - first > 86400 ? `${formatDate(t, tz).slice(5)} ${formatClock(t, tz)}` : formatClock(t, tz);
  };
  const bucketRange = (b: TimeBucket) => {
    const end = b.start + bucketSeconds;
    // Seconds show when intervals do not start on a minute (a finding's window).
    const sec = b.start % 60 !== 0 || bucketSeconds < 60;
    return `${formatTime(b.start, tz, sec)} – ${bucketSeconds >= 86400 ? formatTime(end, tz) : formatClock(end, tz, sec)} ${zoneLabel(tz, b.start)}`;
  };
  const bands: unknown[] = [];
  if (scope) {
    bands.push([
      { xAxis: scope.scopeStart * 1000, name: 'Scope', itemStyle: { color: 'rgba(255, 196, 0, 0.10)' } },
      { xAxis: scope.scopeEnd * 1000 },
    ]);
  }
  for (const o of overlays ?? []) {
    bands.push([
      { xAxis: o.start * 1000, itemStyle: { color: 'rgba(112, 72, 232, 0.13)', borderColor: 'rgba(112, 72, 232, 0.5)', borderWidth: 1 } },
      { xAxis: o.end * 1000 },
    ]);
  }
  if (selection) {
    bands.push([
      {
        xAxis: selection.scopeStart * 1000,
        name: 'Selected',
        itemStyle: { color: 'rgba(28, 126, 214, 0.16)', borderColor: 'rgba(28, 126, 214, 0.8)', borderWidth: 1 },
      },
      { xAxis: selection.scopeEnd * 1000 },
    ]);
  }
  const hasOutside = buckets.some((b) => b.outside);
  const zoom = initialZoom && hasOutside ? initialZoom : undefined;
  const minX = buckets.length ? buckets[0].start * 1000 : undefined;
  const maxX = buckets.length ? (buckets[buckets.length - 1].start + bucketSeconds) * 1000 : undefined;
  return {
    animation: false,
    useUTC: tz === 'utc',
    // The margins hold the labels: no measuring of labels to fit them.
    grid: { left: 60, right: 16, top: 30, bottom: zoom ? 62 : 26, outerBoundsMode: 'none' },
    legend: {
      top: 0,
      left: 0,
      itemWidth: 12,
      itemHeight: 10,
      data: [...series.map((s) => s.name), ...(baselineName ? [baselineName] : []), ...(lines ?? []).map((l) => l.name)],
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      confine: true,
      formatter: (params: unknown) => {
        const ps = (Array.isArray(params) ? params : [params]) as {
          dataIndex: number;
          seriesName: string;
          marker: string;
          value: [number, number];
        }[];
        const first = ps[0];
        if (!first) return '';
        const b = buckets[first.dataIndex];
        if (!b) return '';
        const lines = ps
          .filter((p) => p.seriesName !== '')
          .map((p) => `${p.marker}${escapeHtml(p.seriesName)}: <b>${escapeHtml(format(Number(p.value?.[1] ?? 0)))}</b>`);
        return (
          `<div class="chart-tip"><b>${escapeHtml(bucketRange(b))}</b>` +
          (b.outside ? `<br/><i>${escapeHtml('outside the scope')}</i>` : '') +
          `<br/>${lines.join('<br/>')}<br/><span class="chart-tip-hint">${escapeHtml('Click for the activity of this interval')}</span></div>`
        );
      },
    },
    xAxis: {
      type: 'time',
      min: minX,
      max: maxX,
      axisLabel: { formatter: label, hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format(v) }, splitLine: { lineStyle: { color: '#eef0f3' } } },
    dataZoom: zoom
      ? [
          { type: 'inside', xAxisIndex: 0, startValue: zoom.scopeStart * 1000, endValue: zoom.scopeEnd * 1000, zoomOnMouseWheel: 'shift' },
          {
            type: 'slider',
            xAxisIndex: 0,
            height: 18,
            bottom: 8,
            startValue: zoom.scopeStart * 1000,
            endValue: zoom.scopeEnd * 1000,
            labelFormatter: (v: number) => label(v),
            brushSelect: false,
          },
        ]
      : [],
    // The brush only while "Select range" is on: the chart draws faster
    // without it, the first time above all (its code is not run at all).
    brush: brushActive
      ? {
          xAxisIndex: 0,
          brushType: 'lineX',
          brushMode: 'single',
          transformable: false,
          brushStyle: { color: 'rgba(28, 126, 214, 0.15)', borderColor: 'rgba(28, 126, 214, 0.8)', borderWidth: 1 },
        }
      : undefined,
    series: [
      ...series.map((s, i) => ({
        type: 'bar',
        name: s.name,
        stack: s.stack ?? 'all',
        barMaxWidth: 36,
        barCategoryGap: '15%',
        itemStyle: { color: s.color },
        emphasis: { disabled: true },
        data: buckets.map((b) => ({
          value: [b.start * 1000 + half, b.values[s.key] ?? 0],
          itemStyle: b.outside ? { opacity: 0.35 } : undefined,
        })),
        markArea: i === 0 && bands.length ? { silent: true, data: bands, label: { show: true, position: 'insideTopLeft', color: '#6b5500', fontSize: 10 } } : undefined,
      })),
      ...(baselineName
        ? [
            {
              type: 'line',
              name: baselineName,
              step: 'middle',
              symbol: 'none',
              lineStyle: { type: 'dashed', width: 1.5, color: '#343a40' },
              itemStyle: { color: '#343a40' },
              emphasis: { disabled: true },
              data: buckets.map((b) => [b.start * 1000 + half, b.baseline ?? 0]),
            },
          ]
        : []),
      ...(lines ?? []).map((l) => ({
        type: 'line',
        name: l.name,
        symbol: 'circle',
        symbolSize: 4,
        lineStyle: { width: 2, color: l.color },
        itemStyle: { color: l.color },
        emphasis: { disabled: true },
        data: buckets.map((b) => [b.start * 1000 + half, l.values[b.start] ?? 0]),
      })),
    ],
  };
}

/**
 * Draws a timeline once off screen, so that the first chart the page
 * draws for an answer runs code the browser has already compiled: the
 * first chart of a page costs two to three times what the next one does.
 * Pages that will draw timelines call it when the browser is idle, before
 * their answers arrive; it works in two steps with pause() between them,
 * so that an answer arriving meanwhile waits for one step at most. It does
 * its work once per page load, and stops when a chart has been drawn for
 * an answer meanwhile.
 */
export async function warmUpTimeline(pause: () => Promise<void>) {
  if (warmedUp || warming) return;
  warming = true;
  try {
    const start = 1_700_000_000;
    const buckets: TimeBucket[] = Array.from({ length: 24 }, (_, i) => ({
      start: start + i * 3600,
      values: { success: (i * 37) % 50, failure: i % 3 },
      baseline: 20,
    }));
    const option = timeBarsOption(
      {
        buckets,
        bucketSeconds: 3600,
        series: [
          { key: 'success', name: 'Successful', color: '#1c7ed6' },
          { key: 'failure', name: 'Failed', color: '#e03131' },
        ],
        baselineName: 'Baseline',
        scope: { scopeStart: start, scopeEnd: start + 24 * 3600 },
        selection: { scopeStart: start + 3600, scopeEnd: start + 7200 },
        format: String,
      },
      'utc',
    );
    await pause();
    if (warmedUp) return;
    const chart = echarts.init(document.createElement('div'), undefined, { renderer: 'canvas', width: 600, height: 220 });
    try {
      // The axes, then the bars, then the whole chart with its legend,
      // baseline, bands and brush: steps of a few tens of milliseconds.
      const steps = [
        { animation: false, grid: option.grid, xAxis: option.xAxis, yAxis: option.yAxis },
        { animation: false, grid: option.grid, xAxis: option.xAxis, yAxis: option.yAxis, series: (option.series as unknown[]).slice(0, 2) },
        option,
      ];
      for (const step of steps) {
        await pause();
        if (warmedUp) return;
        chart.setOption(step, { notMerge: true, lazyUpdate: false });
      }
    } finally {
      chart.dispose();
    }
    warmedUp = true;
  } finally {
    warming = false;
  }
}

let warmedUp = false;
let warming = false;

/** A bucketed timeline. */
export function TimeBarsChart(props: TimeBarsChartProps) {
  // A chart drawn for an answer warms the code up as well as warmUpTimeline would.
  warmedUp = true;
  const tz = useTimeZone();
  const {
    buckets,
    bucketSeconds,
    series,
    baselineName,
    scope,
    selection,
    overlays,
    lines,
    initialZoom,
    format,
    height = 220,
    ariaLabel,
    brushActive,
    testId,
  } = props;
  const chartRef = useRef<ECharts | null>(null);
  const latest = useRef(props);
  latest.current = props;

  const option = useMemo(
    () => timeBarsOption({ buckets, bucketSeconds, series, baselineName, scope, selection, overlays, lines, initialZoom, format, brushActive }, tz),
    [buckets, bucketSeconds, series, baselineName, scope, selection, overlays, lines, initialZoom, format, brushActive, tz],
  );

  // The brush takes the pointer while "Select range" is on (again after
  // each new option, which resets it); without it, the option has no brush.
  useEffect(() => {
    if (!brushActive) return;
    chartRef.current?.dispatchAction({
      type: 'takeGlobalCursor',
      key: 'brush',
      brushOption: { brushType: 'lineX', brushMode: 'single' },
    });
  }, [brushActive, option]);

  function onReady(chart: ECharts) {
    chartRef.current = chart;
    const zr = chart.getZr();
    const onClick = (e: { offsetX: number; offsetY: number }) => {
      const p = latest.current;
      if (p.brushActive || !p.onSelect) return;
      const px = [e.offsetX, e.offsetY];
      if (!chart.containPixel({ gridIndex: 0 }, px)) return;
      const [ms] = chart.convertFromPixel({ gridIndex: 0 }, px) as number[];
      const t = ms / 1000;
      const b = p.buckets.find((x) => t >= x.start && t < x.start + p.bucketSeconds);
      if (b) p.onSelect({ scopeStart: b.start, scopeEnd: b.start + p.bucketSeconds }, !!b.outside);
    };
    zr.on('click', onClick);
    zr.on('mousemove', (e: { offsetX: number; offsetY: number }) => {
      zr.setCursorStyle(chart.containPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY]) && !latest.current.brushActive ? 'pointer' : 'default');
    });
    chart.on('brushEnd', (ev: unknown) => {
      const p = latest.current;
      const areas = (ev as { areas?: { coordRange?: number[] }[] }).areas ?? [];
      const range = areas[0]?.coordRange;
      chart.dispatchAction({ type: 'brush', areas: [] });
      if (!range || !p.onBrush || !p.buckets.length) return;
      const lo = range[0] / 1000;
      const hi = range[1] / 1000;
      const bs = p.bucketSeconds;
      const first = p.buckets[0].start;
      const startIdx = Math.max(0, Math.floor((lo - first) / bs));
      const endIdx = Math.max(startIdx + 1, Math.ceil((hi - first) / bs));
      const last = p.buckets[p.buckets.length - 1].start + bs;
      p.onBrush({ scopeStart: first + startIdx * bs, scopeEnd: Math.min(last, first + endIdx * bs) });
    });
    return () => {
      zr.off('click', onClick);
    };
  }

  return <EChart option={option} height={height} ariaLabel={ariaLabel} onReady={onReady} testId={testId} />;
}
