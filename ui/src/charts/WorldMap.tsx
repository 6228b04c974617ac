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

let registered = false;

function registerWorld() {
  if (registered) return;
  const topo = countries as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const geo = feature(topo, topo.objects.countries);
  // Antarctica takes a sixth of the map and no one calls from it.
  geo.features = geo.features.filter((f) => f.properties?.name !== 'Antarctica');
  // Rings crossing the antimeridian (Russia, Fiji) would be drawn across
  // the whole map: fold their far side onto the 180th meridian.
  for (const f of geo.features) {
    const g = f.geometry;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
    for (const poly of polys) {
      for (const ring of poly) {
        const lons = ring.map((p) => p[0]);
        if (Math.min(...lons) < -150 && Math.max(...lons) > 150) {
          for (const p of ring) if (p[0] < 0) p[0] = 180;
        }
      }
    }
  }
  echarts.registerMap('world', geo as unknown as Parameters<typeof echarts.registerMap>[1]);
  registered = true;
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

/** A world map with place markers; click a marker to select its place. */
export default function WorldMap({ points, selectedKey, onSelect, height = 340, ariaLabel }: WorldMapProps) {
  registerWorld();
  const selectRef = useRef(onSelect);
  selectRef.current = onSelect;
  const option = useMemo(() => {
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
        map: 'world',
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
  }, [points, selectedKey]);

  function onReady(chart: ECharts) {
    chart.on('click', (p: unknown) => {
      const name = (p as { name?: string; componentType?: string }).name;
      if ((p as { componentType?: string }).componentType === 'series' && name) selectRef.current?.(name);
    });
  }

  return (
    <figure className="map-figure">
      <EChart option={option} height={height} ariaLabel={ariaLabel} onReady={onReady} testId="world-map" />
      <figcaption className="map-caption">
        Locations are approximate.{' '}
        <a href="https://db-ip.com" target="_blank" rel="noopener noreferrer">
          IP Geolocation by DB-IP
        </a>
      </figcaption>
    </figure>
  );
}
