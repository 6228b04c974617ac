// The geolocation map: Natural Earth country shapes from world-atlas
// (bundled, no network), with markers for places, newly observed ones
// standing out from previously observed ones. This module is loaded
// lazily with its topology, so pages without a map do not pay for it.

import { useMemo, useRef } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries from 'world-atlas/countries-110m.json';
import { escapeHtml } from '../lib/escapeHtml';
import { formatCount } from '../lib/format';
import { EChart } from './EChart';
import { echarts, type ECharts } from './echarts';

/** A place on the map. */
export interface MapPoint {
  key: string;
  /** City, region, country. */
  name: string;
  countryName?: string;
  latitude: number;
  longitude: number;
  success: number;
  failure: number;
  isNew: boolean;
  /** A second line for the tooltip (who called from there). */
  detail?: string;
}

type Ring = number[][];
type PolygonCoords = Ring[];

/** Country shapes by name, as polygons (lists of rings) in longitude/latitude. */
let shapes: Map<string, PolygonCoords[]> | undefined;

/**
 * How far a simplified border may stray from the original, in degrees: a
 * fifth of a degree is under half a pixel on the map as drawn, and drops
 * about a quarter of the 9,900 points drawn, which the map's drawing cost
 * follows.
 */
const simplifyDegrees = 0.2;

/**
 * Simplifies the topology's arcs (Douglas-Peucker, in its quantized
 * coordinates). Borders are arcs shared by the countries on both sides,
 * so simplifying them keeps neighbours touching. Closed arcs (islands)
 * keep at least four points.
 */
function simplified(topo: Topology): Topology {
  const transform = topo.transform;
  if (!transform) return topo;
  const tol = simplifyDegrees / transform.scale[0];
  const tol2 = tol * tol;
  const arcs = topo.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    const abs = arc.map(([dx, dy]) => [(x += dx), (y += dy)]);
    const n = abs.length;
    if (n <= 4) return arc;
    const keep = new Uint8Array(n);
    keep[0] = keep[n - 1] = 1;
    const stack: [number, number][] = [[0, n - 1]];
    while (stack.length) {
      const [a, b] = stack.pop()!;
      const [ax, ay] = abs[a];
      const [bx, by] = abs[b];
      const vx = bx - ax;
      const vy = by - ay;
      const len = vx * vx + vy * vy;
      let far = -1;
      let farD = -1;
      for (let i = a + 1; i < b; i++) {
        const [px, py] = abs[i];
        const t = len ? Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / len)) : 0;
        const d = (px - ax - t * vx) ** 2 + (py - ay - t * vy) ** 2;
        if (d > farD) {
          farD = d;
          far = i;
        }
      }
      if (farD > tol2) {
        keep[far] = 1;
        stack.push([a, far], [far, b]);
      }
    }
    const kept = abs.filter((_, i) => keep[i]);
    const closed = abs[0][0] === abs[n - 1][0] && abs[0][1] === abs[n - 1][1];
    if (closed && kept.length < 4) return arc;
    let px = 0;
    let py = 0;
    return kept.map(([ax, ay]) => {
      const d = [ax - px, ay - py];
      px = ax;
      py = ay;
      return d;
    });
  });
  return { ...topo, arcs } as Topology;
}

/** Decodes the bundled topology into country shapes, once. */
function countryShapes(): Map<string, PolygonCoords[]> {
  if (shapes) return shapes;
  const topo = simplified(countries as unknown as Topology) as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const geo = feature(topo, topo.objects.countries);
  const out = new Map<string, PolygonCoords[]>();
  for (const f of geo.features) {
    const name = f.properties?.name;
    // Antarctica takes a sixth of the map and no one calls from it.
    if (!name || name === 'Antarctica') continue;
    const g = f.geometry;
    const polys = (g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : []) as PolygonCoords[];
    // Rings crossing the antimeridian (Russia, Fiji) would be drawn across
    // the whole map: fold their far side onto the 180th meridian.
    for (const poly of polys) {
      for (const ring of poly) {
        const lons = ring.map((p) => p[0]);
        if (Math.min(...lons) < -150 && Math.max(...lons) > 150) {
          for (const p of ring) if (p[0] < 0) p[0] = 180;
        }
      }
    }
    out.set(name, [...(out.get(name) ?? []), ...polys]);
  }
  shapes = out;
  return out;
}

const registered = new Set<string>();

/**
 * Registers with ECharts a world map in which the named countries are
 * regions of their own (to be filled) and every other country is part of
 * one region: ECharts builds a model, a path and a label for each region,
 * which for 176 countries was about a third of the cost of drawing the
 * map. Returns the map's name.
 */
function registerWorld(highlighted: Iterable<string> = []): string {
  const all = countryShapes();
  const own = [...new Set(highlighted)].filter((n) => all.has(n)).sort();
  const name = ['world', ...own].join('|');
  if (registered.has(name)) return name;
  const separate = new Set(own);
  const rest: PolygonCoords[] = [];
  for (const [country, polys] of all) if (!separate.has(country)) rest.push(...polys);
  const features = [
    { type: 'Feature', properties: { name: otherCountries }, geometry: { type: 'MultiPolygon', coordinates: rest } },
    ...own.map((country) => ({ type: 'Feature', properties: { name: country }, geometry: { type: 'MultiPolygon', coordinates: all.get(country)! } })),
  ];
  echarts.registerMap(name, { type: 'FeatureCollection', features } as unknown as Parameters<typeof echarts.registerMap>[1]);
  registered.add(name);
  return name;
}

/** The region of every country not filled. */
const otherCountries = 'Other countries';

/**
 * Decodes the country shapes, then runs the map's drawing code once off
 * screen, on a two-square map (the code is what costs the first time, not
 * the shapes), so that the first map drawn for an answer runs code the
 * browser has already compiled: the first map of a page costs two to three
 * times what the next one does. preloadWorldMap calls it while the browser
 * is idle; pause() comes before the drawing, so that an answer arriving
 * meanwhile waits for a few tens of milliseconds at most. It does its work
 * once per page load, and not at all when a map has been drawn for an
 * answer meanwhile.
 */
export async function prepareWorldMap(pause: () => Promise<void>) {
  if (warmedUp || preparing) return;
  preparing = true;
  try {
    countryShapes();
    const square = (x: number, y: number) => [[[x, y], [x + 20, y], [x + 20, y + 20], [x, y + 20], [x, y]]];
    echarts.registerMap('warm-up', {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'Other countries' }, geometry: { type: 'Polygon', coordinates: square(-60, 0) } },
        { type: 'Feature', properties: { name: 'France' }, geometry: { type: 'Polygon', coordinates: square(0, 30) } },
      ],
    } as unknown as Parameters<typeof echarts.registerMap>[1]);
    const option = worldMapOption(
      [
        { key: 'a', name: 'a', countryName: 'France', latitude: 40, longitude: 10, success: 5, failure: 1, isNew: true },
        { key: 'b', name: 'b', latitude: 10, longitude: -50, success: 9, failure: 0, isNew: false },
      ],
      'a',
      'warm-up',
    );
    await pause();
    if (warmedUp) return;
    const chart = echarts.init(document.createElement('div'), undefined, { renderer: 'canvas', width: 400, height: 200 });
    try {
      chart.setOption(option, { notMerge: true, lazyUpdate: false });
    } finally {
      chart.dispose();
    }
    warmedUp = true;
  } finally {
    preparing = false;
  }
}

let warmedUp = false;
let preparing = false;

/** Whether a map has been drawn on this page already (prepared, or for an answer): drawing another costs a fraction of the first. */
export function isWorldMapWarm(): boolean {
  return warmedUp;
}

/** Country names that DB-IP and Natural Earth spell differently. */
const countryAliases: Record<string, string> = {
  'United States': 'United States of America',
  'Czech Republic': 'Czechia',
  'Russian Federation': 'Russia',
  'Republic of Korea': 'South Korea',
  'North Macedonia': 'Macedonia',
  'Bosnia and Herzegovina': 'Bosnia and Herz.',
  'Dominican Republic': 'Dominican Rep.',
  'Central African Republic': 'Central African Rep.',
  'Democratic Republic of the Congo': 'Dem. Rep. Congo',
  'Congo Republic': 'Congo',
  'South Sudan': 'S. Sudan',
  'Ivory Coast': "Côte d'Ivoire",
};

export interface WorldMapProps {
  points: MapPoint[];
  selectedKey?: string;
  onSelect?: (key: string) => void;
  height?: number;
  ariaLabel: string;
}

/** The ECharts option of a map of points. */
function worldMapOption(points: MapPoint[], selectedKey: string | undefined, mapName?: string): Record<string, unknown> {
  const max = Math.max(1, ...points.map((p) => p.success + p.failure));
  const size = (p: MapPoint) => 8 + 16 * Math.sqrt((p.success + p.failure) / max);
  const data = (isNew: boolean) =>
    points
      .filter((p) => p.isNew === isNew)
      .map((p) => ({
        name: p.key,
        value: [p.longitude, p.latitude, p.success + p.failure],
        symbolSize: size(p),
        itemStyle:
          p.key === selectedKey ? { borderColor: '#111', borderWidth: 2.5 } : { borderColor: '#fff', borderWidth: 1 },
      }));
  const byKey = new Map(points.map((p) => [p.key, p]));
  const newCountries = new Set(points.filter((p) => p.isNew && p.countryName).map((p) => countryAliases[p.countryName!] ?? p.countryName!));
  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (params: { name: string }) => {
        const p = byKey.get(params.name);
        if (!p) return escapeHtml(params.name);
        return (
          `<div class="chart-tip"><b>${escapeHtml(p.name)}</b>` +
          `<br/>${escapeHtml(p.isNew ? 'Newly observed' : 'Previously observed')}` +
          `<br/>${escapeHtml(`Successful calls: ${formatCount(p.success)}`)}` +
          `<br/>${escapeHtml(`Failed calls: ${formatCount(p.failure)}`)}` +
          (p.detail ? `<br/>${escapeHtml(p.detail)}` : '') +
          `</div>`
        );
      },
    },
    legend: {
      bottom: 4,
      left: 8,
      data: ['Newly observed', 'Previously observed'],
      itemWidth: 12,
      itemHeight: 12,
    },
    geo: {
      map: mapName ?? registerWorld(newCountries),
      roam: true,
      scaleLimit: { min: 1, max: 12 },
      zoom: 1,
      top: 6,
      bottom: 28,
      itemStyle: { areaColor: '#e9ecef', borderColor: '#adb5bd', borderWidth: 0.5 },
      emphasis: { disabled: true },
      select: { disabled: true },
      regions: [...newCountries].map((name) => ({ name, itemStyle: { areaColor: '#ffe3d6' } })),
      tooltip: { show: false },
    },
    series: [
      {
        type: 'scatter',
        name: 'Previously observed',
        coordinateSystem: 'geo',
        data: data(false),
        itemStyle: { color: '#4dabf7' },
        z: 2,
      },
      {
        type: 'scatter',
        name: 'Newly observed',
        coordinateSystem: 'geo',
        data: data(true),
        itemStyle: { color: '#f03e3e' },
        z: 3,
      },
    ],
  };
}

/** A world map with place markers; click a marker to select its place. */
export default function WorldMap({ points, selectedKey, onSelect, height = 340, ariaLabel }: WorldMapProps) {
  // A map drawn for an answer warms the code up as well as prepareWorldMap would.
  warmedUp = true;
  const selectRef = useRef(onSelect);
  selectRef.current = onSelect;
  const option = useMemo(() => worldMapOption(points, selectedKey), [points, selectedKey]);

  function onReady(chart: ECharts) {
    chart.on('click', (p: unknown) => {
      const name = (p as { name?: string; componentType?: string }).name;
      if ((p as { componentType?: string }).componentType === 'series' && name) selectRef.current?.(name);
    });
  }

  return <EChart option={option} height={height} ariaLabel={ariaLabel} onReady={onReady} testId="world-map" />;
}
