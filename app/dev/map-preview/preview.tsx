'use client';

/**
 * Development preview of the map components with sample data, every callback wired to local
 * state. For looking at the maps and for driving them with Playwright; not part of the product
 * (no sign-in, no database); served outside production only (page.tsx).
 */
import { useState } from 'react';
import { DeploymentPlanMap, DeploymentsOverviewMap, BaseMap, PLAN_SHORTCUTS, StatusLegend, statusStyle, type OverviewDeployment } from '@/components/map';
import { CAMERA_DEFAULTS, destinationPoint, latLngsToPolygon, type CameraPlacement, type GeoPolygon } from '@/lib/geo/geometry';

/** A rough rectangle of `w` × `h` metres centred on a point, turned by `turn` degrees. */
function zoneAround(lat: number, lng: number, w: number, h: number, turn = 0): GeoPolygon {
  const half = Math.hypot(w, h) / 2;
  const a = (Math.atan2(w, h) * 180) / Math.PI;
  return latLngsToPolygon([turn - a, turn + a, turn + 180 - a, turn + 180 + a].map((b) => destinationPoint(lat, lng, b, half)));
}

function camera(id: string, name: string, lat: number, lng: number, heading: number, fov = 60, rangeM = 25): CameraPlacement {
  return { id, name, lat, lng, heading, fov, rangeM };
}

const OXFORD_CIRCUS_ZONE: GeoPolygon = {
  type: 'Polygon',
  coordinates: [
    [
      [-0.14335, 51.5159],
      [-0.14215, 51.51618],
      [-0.14045, 51.51592],
      [-0.14025, 51.51472],
      [-0.1419, 51.51428],
      [-0.14318, 51.51462],
      [-0.14335, 51.5159],
    ],
  ],
};

const OXFORD_CIRCUS_CAMERAS: CameraPlacement[] = [
  camera('cam-1', 'Camera 1', 51.51548, -0.14262, 100, 60, 35),
  camera('cam-2', 'Camera 2', 51.51495, -0.14085, 285, 70, 30),
  camera('cam-3', 'Camera 3', 51.51648, -0.14168, 180, 50, 25), // deliberately outside the zone
];

const OVERVIEW: OverviewDeployment[] = [
  { id: 'd-oxford', name: 'Oxford Circus', status: 'live', zone: OXFORD_CIRCUS_ZONE, cameras: OXFORD_CIRCUS_CAMERAS },
  {
    id: 'd-stratford',
    name: 'Stratford Centre',
    status: 'authorised',
    zone: zoneAround(51.5425, -0.0035, 260, 160, 20),
    cameras: [camera('s1', 'S1', 51.5425, -0.0045, 60), camera('s2', 'S2', 51.5428, -0.0022, 200)],
  },
  {
    id: 'd-croydon',
    name: 'Croydon North End',
    status: 'submitted',
    zone: zoneAround(51.3745, -0.0995, 120, 320, 5),
    cameras: [camera('c1', 'C1', 51.3745, -0.0995, 0)],
  },
  { id: 'd-leicester', name: 'Leicester Square', status: 'draft', zone: zoneAround(51.5103, -0.1301, 180, 140), cameras: [] },
  {
    id: 'd-wembley',
    name: 'Wembley Park',
    status: 'ended',
    zone: zoneAround(51.5588, -0.2817, 300, 200, -15),
    cameras: [camera('w1', 'W1', 51.5588, -0.2817, 330)],
  },
  {
    id: 'd-kingsx',
    name: 'King’s Cross',
    status: 'suspended',
    zone: zoneAround(51.5308, -0.1238, 220, 150, 10),
    cameras: [camera('k1', 'K1', 51.5308, -0.124, 150)],
  },
  { id: 'd-romford', name: 'Romford Market', status: 'cancelled', zone: zoneAround(51.5768, 0.1801, 200, 200), cameras: [] },
  { id: 'd-camden', name: 'Camden Town', status: 'rejected', zone: zoneAround(51.5392, -0.1426, 160, 220, -20), cameras: [] },
  { id: 'd-nozone', name: 'Not yet placed', status: 'draft', zone: null, cameras: [] },
];

type LogEntry = { n: number; text: string };

export function MapPreview() {
  const [zone, setZone] = useState<GeoPolygon | null>(OXFORD_CIRCUS_ZONE);
  const [cameras, setCameras] = useState<CameraPlacement[]>(OXFORD_CIRCUS_CAMERAS);
  const [selected, setSelected] = useState<string | null>('cam-1');
  const [editable, setEditable] = useState(true);
  const [overviewSelected, setOverviewSelected] = useState<string | null>('d-oxford');
  const [log, setLog] = useState<LogEntry[]>([]);

  const record = (text: string) => setLog((l) => [{ n: (l[0]?.n ?? 0) + 1, text }, ...l].slice(0, 8));
  const selectedCamera = cameras.find((c) => c.id === selected) ?? null;
  const updateCamera = (next: CameraPlacement) => setCameras((cs) => cs.map((c) => (c.id === next.id ? next : c)));

  return (
    <main className="content page" id="main">
      <header className="page-header">
        <p className="eyebrow">Development preview</p>
        <h1>Map components</h1>
        <p className="lead muted">Sample data, callbacks wired to local state. Base layer: London borough outlines (offline). Nothing here is saved.</p>
      </header>

      <section className="panel" aria-labelledby="plan-heading">
        <div className="row-controls" style={{ justifyContent: 'space-between' }}>
          <h2 id="plan-heading">DeploymentPlanMap</h2>
          <label className="row-controls small">
            <input type="checkbox" checked={editable} onChange={(e) => setEditable(e.target.checked)} style={{ minHeight: 0 }} /> editable
          </label>
        </div>
        <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) 300px', gap: '1rem', alignItems: 'start' }}>
          <DeploymentPlanMap
            zone={zone}
            cameras={cameras}
            editable={editable}
            selectedCameraId={selected}
            onZoneChange={(z) => {
              setZone(z);
              record(z ? `zone: ${z.coordinates[0]!.length - 1} points` : 'zone: deleted');
            }}
            onCameraAdd={(at) => {
              const n = cameras.reduce((max, c) => Math.max(max, Number(c.id.replace(/\D/g, '')) || 0), 0) + 1;
              const added = { id: `cam-${n}`, name: `Camera ${n}`, ...at, ...CAMERA_DEFAULTS };
              setCameras((cs) => [...cs, added]);
              setSelected(added.id);
              record(`camera added: ${added.name} at ${at.lat.toFixed(5)}, ${at.lng.toFixed(5)}`);
            }}
            onCameraChange={(c) => {
              updateCamera(c);
              record(`camera changed: ${c.name} heading ${c.heading}° fov ${c.fov}° range ${c.rangeM} m`);
            }}
            onCameraSelect={(id) => {
              setSelected(id);
              record(`camera selected: ${id ?? 'none'}`);
            }}
          />
          <aside className="form-stack" style={{ marginTop: 0 }} aria-label="Selected camera">
            {selectedCamera ? (
              <fieldset className="form-stack" style={{ margin: 0, border: '1px solid var(--panel-border)', borderRadius: 8 }}>
                <legend className="small">{selectedCamera.name}</legend>
                {(['heading', 'fov', 'rangeM'] as const).map((field) => (
                  <label key={field} className="field">
                    <span>{field === 'rangeM' ? 'Range (m)' : field === 'fov' ? 'Field of view (°)' : 'Heading (°)'}</span>
                    <input
                      type="number"
                      value={selectedCamera[field]}
                      data-testid={`camera-${field}`}
                      onChange={(e) => updateCamera({ ...selectedCamera, [field]: Number(e.target.value) })}
                    />
                  </label>
                ))}
              </fieldset>
            ) : (
              <p className="muted small">No camera selected.</p>
            )}
            <div>
              <h3 className="small muted">Callbacks</h3>
              <ol className="small mono" data-testid="preview-log" style={{ paddingLeft: '1.2rem', margin: 0 }}>
                {log.map((e) => (
                  <li key={e.n}>{e.text}</li>
                ))}
              </ol>
            </div>
            <details className="small">
              <summary>Keyboard shortcuts</summary>
              <ul>
                {PLAN_SHORTCUTS.map((s) => (
                  <li key={s.keys + s.does}>
                    <kbd>{s.keys}</kbd> {s.does}
                    {s.when ? <span className="muted"> ({s.when})</span> : null}
                  </li>
                ))}
              </ul>
            </details>
          </aside>
        </div>
        <pre className="small mono muted" data-testid="preview-state" style={{ whiteSpace: 'pre-wrap', maxHeight: 120, overflow: 'auto' }}>
          {JSON.stringify({ zone, cameras })}
        </pre>
      </section>

      <section className="panel" aria-labelledby="readonly-heading">
        <h2 id="readonly-heading">DeploymentPlanMap, read-only</h2>
        <div data-testid="readonly-plan">
          <DeploymentPlanMap zone={zone} cameras={cameras} editable={false} selectedCameraId={selected} onCameraSelect={setSelected} height={360} />
        </div>
      </section>

      <section className="panel" aria-labelledby="overview-heading">
        <h2 id="overview-heading">DeploymentsOverviewMap</h2>
        <div style={{ display: 'grid', gridTemplateColumns: '260px minmax(0, 1fr)', gap: '1rem', alignItems: 'start' }}>
          <div>
            <ul style={{ listStyle: 'none', padding: 0, margin: '0 0 1rem', display: 'flex', flexDirection: 'column', gap: '0.3rem' }}>
              {OVERVIEW.map((d) => (
                <li key={d.id}>
                  <button
                    type="button"
                    className="button"
                    aria-pressed={d.id === overviewSelected}
                    style={{ width: '100%', justifyContent: 'space-between', borderColor: d.id === overviewSelected ? 'var(--accent)' : undefined }}
                    onClick={() => setOverviewSelected(d.id)}
                  >
                    <span>{d.name}</span>
                    {/* The list beside the map uses the map's colours and words for each status. */}
                    <span className="small" style={{ color: statusStyle(d.status).colour }}>
                      {statusStyle(d.status).label}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
            <StatusLegend layout="row" />
          </div>
          <DeploymentsOverviewMap deployments={OVERVIEW} selectedId={overviewSelected} onSelect={setOverviewSelected} />
        </div>
      </section>

      <section className="panel" aria-labelledby="base-heading">
        <h2 id="base-heading">BaseMap</h2>
        <BaseMap height={320} />
      </section>
    </main>
  );
}
