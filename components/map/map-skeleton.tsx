import './map.css';

/**
 * What a map's place shows while Leaflet loads (it is browser-only and loaded on demand): the
 * same size and frame as the map, so nothing below it jumps when it arrives.
 */
export function MapSkeleton({ height = 480, label = 'Loading map…' }: { height?: number | string; label?: string }) {
  return (
    <div className="sl-map sl-map--loading" style={{ height }} role="status" aria-live="polite" data-testid="map-loading">
      <span className="sl-map__loading-text">{label}</span>
    </div>
  );
}
