/**
 * Maps for deployment planning and the deployments overview. Import from here, not from the
 * component files: these are the browser-only, lazily loaded versions (see dynamic.tsx).
 *
 *   import { DeploymentPlanMap, StatusLegend, STATUS_COLOURS } from '@/components/map';
 *
 * Geometry (view cones, point in zone, types) lives in `@/lib/geo/geometry`.
 */
export { BaseMap, DeploymentPlanMap, DeploymentsOverviewMap } from './dynamic';
export type { BaseMapProps, TileLayerSpec } from './base-map';
export type { DeploymentPlanMapProps } from './deployment-plan-map';
export type { DeploymentsOverviewMapProps, OverviewDeployment } from './deployments-overview-map';
export { MapSkeleton } from './map-skeleton';
export { StatusLegend } from './status-legend';
export {
  MAP_STATUSES,
  STATUS_COLOURS,
  STATUS_STYLES,
  statusStyle,
  isMapStatus,
  type MapStatus,
  type StatusStyle,
} from './status-styles';
export { PLAN_SHORTCUTS, type PlanMode } from './plan-modes';
export type { CameraPlacement, GeoPolygon } from '@/lib/geo/geometry';
