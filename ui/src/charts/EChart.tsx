// A React host for one ECharts instance: it follows its container's size
// and replaces the option when it changes. Charts are drawn on a canvas,
// so log text in axis labels and legends is never markup; tooltips are
// HTML and their formatters escape every value (lib/escapeHtml).
//
// A chart is drawn once per option: the instance is created and its first
// option drawn in the same effect (so its canvas never shows empty; the
// console benchmark counts on it for the world map), and the size
// observer redraws only when the size really changed, not for its first
// report of the size the chart was created with.

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
  const drawn = useRef<Record<string, unknown> | null>(null);
  const readyRef = useRef(onReady);
  readyRef.current = onReady;
  const optionRef = useRef(option);
  optionRef.current = option;

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const c = echarts.init(node, undefined, { renderer: 'canvas' });
    chart.current = c;
    const cleanup = readyRef.current?.(c);
    c.setOption(optionRef.current, { notMerge: true, lazyUpdate: false });
    drawn.current = optionRef.current;
    const ro = new ResizeObserver(() => {
      if (node.clientWidth === c.getWidth() && node.clientHeight === c.getHeight()) return;
      c.resize();
    });
    ro.observe(node);
    return () => {
      ro.disconnect();
      if (typeof cleanup === 'function') cleanup();
      c.dispose();
      chart.current = null;
      drawn.current = null;
    };
  }, []);

  useEffect(() => {
    if (!chart.current || drawn.current === option) return;
    chart.current.setOption(option, { notMerge: true, lazyUpdate: false });
    drawn.current = option;
  }, [option]);

  return <div ref={el} className="chart" style={{ height }} role="img" aria-label={ariaLabel} data-testid={testId} />;
}
