'use client';

/**
 * The maps as pages should use them: loaded on demand in the browser only (Leaflet touches
 * `window` when imported, so it must never run during server rendering), with a skeleton of the
 * same height meanwhile. `dynamic(..., { ssr: false })` is only allowed in a client module,
 * hence this file; server pages can import these components like any other.
 */
import dynamic from 'next/dynamic';
import { createContext, useContext } from 'react';
import type { BaseMapProps } from './base-map';
import type { DeploymentPlanMapProps } from './deployment-plan-map';
import type { DeploymentsOverviewMapProps } from './deployments-overview-map';
import { MapSkeleton } from './map-skeleton';

// next/dynamic's loading component cannot see the props; the wrappers below pass the height
// through context so the skeleton is exactly as tall as the map that replaces it.
const SkeletonHeight = createContext<number | string>(480);
const Loading = () => <MapSkeleton height={useContext(SkeletonHeight)} />;

const LazyBaseMap = dynamic<BaseMapProps>(() => import('./base-map').then((m) => m.BaseMap), { ssr: false, loading: Loading });
const LazyPlanMap = dynamic<DeploymentPlanMapProps>(() => import('./deployment-plan-map').then((m) => m.DeploymentPlanMap), {
  ssr: false,
  loading: Loading,
});
const LazyOverviewMap = dynamic<DeploymentsOverviewMapProps>(() => import('./deployments-overview-map').then((m) => m.DeploymentsOverviewMap), {
  ssr: false,
  loading: Loading,
});

export function BaseMap(props: BaseMapProps) {
  return (
    <SkeletonHeight.Provider value={props.height ?? 480}>
      <LazyBaseMap {...props} />
    </SkeletonHeight.Provider>
  );
}

export function DeploymentPlanMap(props: DeploymentPlanMapProps) {
  // The plan map's toolbar sits above the map; the skeleton reserves the map's part.
  return (
    <SkeletonHeight.Provider value={props.height ?? 520}>
      <LazyPlanMap {...props} />
    </SkeletonHeight.Provider>
  );
}

export function DeploymentsOverviewMap(props: DeploymentsOverviewMapProps) {
  return (
    <SkeletonHeight.Provider value={props.height ?? 520}>
      <LazyOverviewMap {...props} />
    </SkeletonHeight.Provider>
  );
}
