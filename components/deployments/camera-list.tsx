'use client';

import { CAMERA_LIMITS, isInsideZone, type GeoPolygon } from '@/lib/geo/geometry';
import { Field, NumberInput, describedBy } from './fields';
import { SOURCE_HELP, SOURCE_KINDS, type CameraDraft, type CameraField, type FieldErrors } from './plan-draft';
import styles from './deployments.module.css';
import type { CameraSourceKind } from '@/lib/deployments/schema';

type CameraListProps = {
  cameras: CameraDraft[];
  zone: GeoPolygon | null;
  selectedKey: string | null;
  onSelect(key: string | null): void;
  onChange(key: string, patch: Partial<CameraDraft>): void;
  onRemove(key: string): void;
  /** The keyboard path for placing a camera: one in the middle of the zone, moved by its fields. */
  onAddAtCentre(): void;
  errors: FieldErrors;
  /** Shown under the heading: a problem with the cameras as a whole (none yet, outside the zone). */
  listError?: string | null;
  disabled?: boolean;
};

const fmt = (n: number, places = 0) => (Number.isFinite(n) ? n.toFixed(places) : '—');

/**
 * The plan's cameras as a list beside the map: each one a row that opens a small form (name,
 * position, heading, field of view, range, source). The map and this list edit the same
 * working copy: dragging on the map updates the numbers here, typing here moves the figure.
 */
export function CameraList({ cameras, zone, selectedKey, onSelect, onChange, onRemove, onAddAtCentre, errors, listError, disabled }: CameraListProps) {
  return (
    <section className={`panel ${styles.cameraPanel}`} aria-labelledby="cameras-heading" id="plan-cameras" tabIndex={-1} data-testid="camera-list">
      <div className={styles.sectionHead}>
        <h2 id="cameras-heading">
          Cameras <span className="muted small">({cameras.length})</span>
        </h2>
        <button
          type="button"
          className="button small-button"
          onClick={onAddAtCentre}
          disabled={disabled || !zone}
          title={zone ? 'Adds a camera in the middle of the zone; set its position and aim in its form' : 'Draw the zone first'}
        >
          Add camera at zone centre
        </button>
      </div>
      {listError ? (
        <p className={styles.fieldError} id="plan-cameras-error" data-testid="field-error">
          <span aria-hidden="true">⚠ </span>
          {listError}
        </p>
      ) : null}
      {cameras.length === 0 ? (
        <p className="muted small">
          {zone ? 'No cameras yet. Choose Place camera (C) and click inside the zone, or add one at its centre.' : 'Draw the zone first; cameras go inside it.'}
        </p>
      ) : (
        <ol className={styles.cameraList}>
          {cameras.map((camera, index) => {
            const open = camera.key === selectedKey;
            const outside = zone !== null && Number.isFinite(camera.lat) && Number.isFinite(camera.lng) && !isInsideZone(camera, zone);
            const has = (field: CameraField) => errors[`camera:${camera.key}:${field}`] ?? null;
            const problems = (['name', 'lat', 'lng', 'heading', 'fov', 'rangeM', 'sourceKind', 'sourceUrl'] as const).filter(has).length;
            const panelId = `camera-${camera.key}-form`;
            return (
              <li
                key={camera.key}
                className={`${styles.cameraItem} ${open ? styles.cameraItemOpen : ''}`}
                data-testid="camera-card"
                data-camera-key={camera.key}
                data-camera-name={camera.name}
              >
                <div className={styles.cameraHead}>
                  <button
                    type="button"
                    className={styles.cameraToggle}
                    aria-expanded={open}
                    aria-controls={panelId}
                    onClick={() => onSelect(open ? null : camera.key)}
                  >
                    <span className={styles.cameraIndex} aria-hidden="true">
                      {index + 1}
                    </span>
                    <span className={styles.cameraTitle}>
                      <strong>{camera.name || 'Unnamed camera'}</strong>
                      <span className="muted small mono">
                        {fmt(camera.heading)}° · {fmt(camera.fov)}° wide · {fmt(camera.rangeM)} m
                      </span>
                    </span>
                    {camera.id === null ? <span className={styles.chipInfo}>Not saved</span> : null}
                    {outside ? <span className={styles.chipWarn}>Outside the zone</span> : null}
                    {problems > 0 ? <span className={styles.chipDanger}>{problems === 1 ? '1 problem' : `${problems} problems`}</span> : null}
                  </button>
                  <button
                    type="button"
                    className="button small-button danger"
                    onClick={() => onRemove(camera.key)}
                    disabled={disabled}
                    aria-label={`Remove ${camera.name || 'this camera'}`}
                  >
                    Remove
                  </button>
                </div>
                {open ? <CameraForm camera={camera} id={panelId} errorOf={has} onChange={(patch) => onChange(camera.key, patch)} disabled={disabled} /> : null}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function CameraForm({
  camera,
  id,
  errorOf,
  onChange,
  disabled,
}: {
  camera: CameraDraft;
  id: string;
  errorOf(field: CameraField): string | null;
  onChange(patch: Partial<CameraDraft>): void;
  disabled?: boolean;
}) {
  const fid = (field: CameraField) => `camera-${camera.key}-${field}`;
  const source = SOURCE_HELP[camera.sourceKind];
  const number = (
    field: 'lat' | 'lng' | 'heading' | 'fov' | 'rangeM',
    label: string,
    span: string | undefined,
    props: { step?: number | 'any'; min?: number; max?: number; places?: number },
  ) => (
    <Field id={fid(field)} label={label} error={errorOf(field)} className={span}>
      <NumberInput
        id={fid(field)}
        value={camera[field]}
        onValue={(value) => onChange({ [field]: value })}
        invalid={Boolean(errorOf(field))}
        describedBy={describedBy(fid(field), { error: errorOf(field) })}
        readOnly={disabled}
        {...props}
      />
    </Field>
  );
  return (
    <fieldset id={id} className={styles.cameraForm} disabled={disabled}>
      <legend className="visually-hidden">{camera.name || 'Camera'}</legend>
      <Field id={fid('name')} label="Camera name" error={errorOf('name')} className={styles.span6}>
        <input
          id={fid('name')}
          value={camera.name}
          maxLength={80}
          aria-invalid={Boolean(errorOf('name')) || undefined}
          aria-describedby={describedBy(fid('name'), { error: errorOf('name') })}
          onChange={(e) => onChange({ name: e.target.value })}
        />
      </Field>
      {number('lat', 'Latitude', styles.span3, { step: 0.00001, min: -90, max: 90, places: 6 })}
      {number('lng', 'Longitude', styles.span3, { step: 0.00001, min: -180, max: 180, places: 6 })}
      {number('heading', 'Heading (°)', styles.span2, { step: 1, min: 0, max: 360 })}
      {number('fov', 'View (°)', styles.span2, { step: 1, min: CAMERA_LIMITS.minFov, max: CAMERA_LIMITS.maxFov })}
      {number('rangeM', 'Range (m)', styles.span2, { step: 1, min: CAMERA_LIMITS.minRangeM, max: CAMERA_LIMITS.maxRangeM })}
      <p className={`small muted ${styles.span6}`}>
        Heading is clockwise from north (90 is east); view is the field of view, {CAMERA_LIMITS.minFov}° to {CAMERA_LIMITS.maxFov}°; range is how far faces are
        usable.
      </p>
      <Field id={fid('sourceKind')} label="Source" error={errorOf('sourceKind')} className={styles.span6}>
        <select id={fid('sourceKind')} value={camera.sourceKind} onChange={(e) => onChange({ sourceKind: e.target.value as CameraSourceKind })}>
          {SOURCE_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {SOURCE_HELP[kind].label}
            </option>
          ))}
        </select>
      </Field>
      <Field id={fid('sourceUrl')} label={source.field} error={errorOf('sourceUrl')} className={styles.span6}>
        <input
          id={fid('sourceUrl')}
          value={camera.sourceUrl}
          placeholder={source.placeholder}
          maxLength={2000}
          spellCheck={false}
          aria-invalid={Boolean(errorOf('sourceUrl')) || undefined}
          aria-describedby={describedBy(fid('sourceUrl'), { error: errorOf('sourceUrl') })}
          onChange={(e) => onChange({ sourceUrl: e.target.value })}
        />
      </Field>
      <p className={`small muted ${styles.span6}`}>
        On the map: drag the camera to move it, the round handle to aim it and set its range, the diamond to widen or narrow its view.
      </p>
    </fieldset>
  );
}
