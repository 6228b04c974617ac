// A React host for one ECharts instance: it follows its container's size
// and replaces the option when it changes. Charts are drawn on a canvas,
// so log text in axis labels and legends is never markup; tooltips are
// HTML and their formatters escape every value (lib/escapeHtml).

import { useEffect, useRef } from 'react';
import { echarts, type ECharts } from './echarts';

export interface EChartProps {
  option: Record<string, unknown>;
  height: number;
  /** Says what the chart shows, for screen readers (the data is also in a table). */
  ariaLabel: string;
  /** Called once with the instance, to attach events. */
  onReady?: (chart: ECharts) => void | (() => void);
  testId?: string;
}

/** One chart. */
export function EChart({ option, height, ariaLabel, onReady, testId }: EChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const readyRef = useRef(onReady);
  readyRef.current = onReady;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const cleanup = readyRef.current?.(c);
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      if (typeof cleanup === 'function') cleanup();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true, lazyUpdate: false });
  }, [option]);

  return <div ref={el} className="chart" style={{ height }} role="img" aria-label={ariaLabel} data-testid={testId} />;
}
