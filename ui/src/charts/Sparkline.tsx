// A tiny bar chart drawn in SVG, for activity in table rows: cheap enough
// for a hundred rows, where a chart library instance per row is not.

import { formatCount } from '../lib/format';

export interface SparkPoint {
  success: number;
  failure: number;
}

/** Bars of successful (blue) and failed (red) calls per bucket. */
export function Sparkline({ points, width = 96, height = 22, label }: { points: SparkPoint[]; width?: number; height?: number; label: string }) {
  const max = Math.max(1, ...points.map((p) => p.success + p.failure));
  const n = Math.max(points.length, 1);
  const bw = width / n;
  const total = points.reduce((s, p) => s + p.success + p.failure, 0);
  const bars = { success: '', failure: '' };
  points.forEach((p, i) => {
    const hs = ((p.success / max) * (height - 2)) | 0;
    const hf = ((p.failure / max) * (height - 2)) | 0;
    const x = i * bw + 1;
    const w = Math.max(1, bw - 2);
    const rect = (y: number, h: number) => `M${x} ${y}h${w}v${h}h${-w}z`;
    if (p.success > 0) bars.success += rect(height - 1 - Math.max(1, hs), Math.max(1, hs));
    if (p.failure > 0) bars.failure += rect(height - 1 - Math.max(1, hs) * (p.success > 0 ? 1 : 0) - Math.max(1, hf), Math.max(1, hf));
  });
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${label}: ${formatCount(total)} calls over ${points.length} intervals`}
    >
      <line x1={0} y1={height - 0.5} x2={width} y2={height - 0.5} stroke="#dee2e6" />
      {/* One path per series rather than a rectangle per bar: a table of sparklines stays a few elements per row. */}
      <path d={bars.success} fill="#1c7ed6" />
      <path d={bars.failure} fill="#e03131" />
    </svg>
  );
}
