// The world map, loaded on first use with its country shapes. The first
// map a page draws is the most expensive thing it does (the chart code runs
// for the first time), so pages likely to show one fetch its chunk and run
// its drawing code once off screen while the browser is idle
// (preloadWorldMap).
// Then the map is drawn with the panel around it; before that, the panel is
// painted first with a placeholder of the map's size and the map drawn in
// a commit of its own after that paint.

import { useEffect, useState } from 'react';
import { afterNextPaint, commitAlone, whenIdleBetweenAnswers, whenSettled } from '../api/useApi';
import { Empty, Loading } from '../components/States';
import type { WorldMapProps } from './WorldMap';

type MapModule = typeof import('./WorldMap');

let mapModule: Promise<MapModule> | undefined;
let loaded: MapModule | undefined;
const loadMap = () => (mapModule ??= import('./WorldMap').then((m) => (loaded = m)));

let preloading: Promise<void> | undefined;

/**
 * Fetches the map's chunk at once, then decodes its country shapes and
 * runs its drawing code once off screen (prepareWorldMap) when the browser
 * is idle between answers. With settled, both wait until the view's
 * answers are in: for pages that
 * show the map later (a profile's New behavior tab), so that preparing it
 * never delays the answers on screen. It does its work once.
 */
export function preloadWorldMap(settled = false): Promise<void> {
  preloading ??= (settled ? whenSettled(150) : Promise.resolve())
    .then(loadMap)
    .then((m) => m.prepareWorldMap(settled ? () => whenSettled(150) : whenIdleBetweenAnswers))
    .catch(() => undefined);
  return preloading;
}

/**
 * Preloads the world map when enabled: at once for a page whose first
 * view shows it (the summary), once the view has settled otherwise.
 */
export function usePreloadWorldMap(enabled: boolean, settled: boolean) {
  useEffect(() => {
    if (enabled) void preloadWorldMap(settled);
  }, [enabled, settled]);
}

/**
 * The world map. Once its code has run on the page (preloadWorldMap, or an
 * earlier map), drawing it costs a few tens of milliseconds and it is drawn
 * with the panel around it, in the same commit; otherwise that panel is
 * painted first, with a placeholder, and the map drawn after.
 */
export function LazyWorldMap(props: WorldMapProps) {
  const [state, setState] = useState<'waiting' | 'ready' | 'failed'>(() => (loaded?.isWorldMapWarm() ? 'ready' : 'waiting'));
  useEffect(() => {
    if (state !== 'waiting') return;
    let live = true;
    afterNextPaint(() => {
      loadMap().then(
        () => {
          if (live) commitAlone(() => live && setState('ready'));
        },
        () => {
          if (live) setState('failed');
        },
      );
    });
    return () => {
      live = false;
    };
    // Only the first state matters: the map never goes back to waiting.
  }, []);
  const height = props.height ?? defaultMapHeight;
  const WorldMap = loaded?.default;
  return (
    <figure className="map-figure">
      {state === 'ready' && WorldMap ? (
        <WorldMap {...props} />
      ) : (
        <div className="map-placeholder" style={{ height }}>
          {state === 'failed' ? <Empty>The map could not be loaded; the places are listed beside it.</Empty> : <Loading label="Drawing the map…" />}
        </div>
      )}
      <figcaption className="map-caption">
        Locations are approximate.{' '}
        <a href="https://db-ip.com" target="_blank" rel="noopener noreferrer">
          IP Geolocation by DB-IP
        </a>
      </figcaption>
    </figure>
  );
}

/** The map's height unless a page chooses another. */
export const defaultMapHeight = 340;

export type { MapPoint } from './WorldMap';
