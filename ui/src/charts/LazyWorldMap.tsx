// The world map, loaded on first use with its country shapes.

import { lazy, Suspense } from 'react';
import { Loading } from '../components/States';
import type { WorldMapProps } from './WorldMap';

const WorldMap = lazy(() => import('./WorldMap'));

/** The world map, loaded lazily. */
export function LazyWorldMap(props: WorldMapProps) {
  return (
    <Suspense fallback={<Loading label="Loading the map…" />}>
      <WorldMap {...props} />
    </Suspense>
  );
}

export type { MapPoint } from './WorldMap';
