'use client';

import { useId, useState } from 'react';
import type { GeoPolygon } from '@/lib/geo/geometry';
import { ZONE_RADIUS_M, zoneFromCircle, zoneFromCorners } from '@/lib/geo/zone-entry';

type Shape = 'corners' | 'circle';

/**
 * The zone typed as numbers, for when there is nothing on the map to draw against (no street
 * tiles) or the outline was surveyed: its corners, or a centre and a radius. Refusals say what to
 * correct and nothing changes until the numbers make a zone.
 */
export function ZoneCoordinates({ onZone, disabled }: { onZone(zone: GeoPolygon, how: string): void; disabled?: boolean }) {
  const id = useId();
  const [shape, setShape] = useState<Shape>('circle');
  const [corners, setCorners] = useState('');
  const [centre, setCentre] = useState('');
  const [radius, setRadius] = useState('150');
  const [error, setError] = useState<string | null>(null);

  function apply() {
    const result = shape === 'corners' ? zoneFromCorners(corners) : zoneFromCircle(centre, radius.trim() === '' ? NaN : Number(radius));
    if (!result.ok) return setError(result.error);
    setError(null);
    onZone(result.zone, shape === 'corners' ? 'from the corners given' : `of ${Number(radius)} m around the centre given`);
  }

  return (
    <details className="sl-zone-entry" data-testid="zone-coordinates">
      <summary>Enter the zone by coordinates</summary>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <fieldset className="sl-zone-entry__shape">
          <legend>Shape</legend>
          <label>
            <input type="radio" name={`${id}-shape`} checked={shape === 'circle'} onChange={() => setShape('circle')} /> A circle: centre and radius
          </label>
          <label>
            <input type="radio" name={`${id}-shape`} checked={shape === 'corners'} onChange={() => setShape('corners')} /> Corners, one a line
          </label>
        </fieldset>
        {shape === 'circle' ? (
          <div className="sl-zone-entry__row">
            <div className="field">
              <label htmlFor={`${id}-centre`}>Centre (latitude, longitude)</label>
              <input id={`${id}-centre`} value={centre} placeholder="51.5154, -0.1419" autoComplete="off" onChange={(e) => setCentre(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-radius`}>Radius (metres)</label>
              <input
                id={`${id}-radius`}
                type="number"
                inputMode="numeric"
                min={ZONE_RADIUS_M.min}
                max={ZONE_RADIUS_M.max}
                value={radius}
                onChange={(e) => setRadius(e.target.value)}
              />
            </div>
          </div>
        ) : (
          <div className="field">
            <label htmlFor={`${id}-corners`}>Corners (latitude, longitude — one a line, in order around the zone)</label>
            <textarea
              id={`${id}-corners`}
              rows={5}
              value={corners}
              placeholder={'51.5160, -0.1430\n51.5160, -0.1405\n51.5146, -0.1405\n51.5146, -0.1430'}
              onChange={(e) => setCorners(e.target.value)}
            />
          </div>
        )}
        {error ? (
          <p className="form-error" role="alert" data-testid="zone-coordinates-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button" disabled={disabled}>
          Use as the zone
        </button>
      </form>
    </details>
  );
}
