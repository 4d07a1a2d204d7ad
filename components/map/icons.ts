import { divIcon, type DivIcon } from 'leaflet';

/**
 * Marker icons as HTML (L.divIcon), styled by map.css. Leaflet's default image icons resolve
 * their URLs from CSS at run time and break under bundlers; these need no images at all.
 *
 * Anything a user typed (camera and deployment names) goes through `escapeHtml`: divIcon puts
 * its html straight into innerHTML.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A square handle centred on its point. */
function handleIcon(className: string, html: string, size: number): DivIcon {
  return divIcon({ className, html, iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
}

/**
 * A camera: a dot, its name, and a "!" badge when it is outside the zone. `labelSide` puts the
 * name on the side away from where the camera looks, so it never covers the cone or its handles.
 */
export function cameraIcon(
  camera: { id: string; name: string },
  state: { selected: boolean; outside: boolean; draggable: boolean; labelSide: 'left' | 'right' },
): DivIcon {
  const classes = ['sl-cam', `label-${state.labelSide}`, state.selected && 'is-selected', state.outside && 'is-outside', state.draggable && 'is-draggable']
    .filter(Boolean)
    .join(' ');
  // The badge is the non-colour cue for "outside the zone"; the hidden text gives it a name.
  const badge = state.outside ? '<span class="sl-cam__badge" aria-hidden="true">!</span><span class="visually-hidden"> (outside the zone)</span>' : '';
  return divIcon({
    className: 'sl-cam-icon',
    html: `<span class="${classes}" data-testid="camera-marker" data-camera-id="${escapeHtml(camera.id)}"><span class="sl-cam__dot"></span>${badge}<span class="sl-cam__label">${escapeHtml(camera.name)}</span></span>`,
    iconSize: [20, 20],
    iconAnchor: [10, 10],
  });
}

// Handles never change, so each is one shared icon: react-leaflet replaces a marker's icon
// whenever it receives a new object, and a replaced icon drops the drag in progress.
let headingHandle: DivIcon | undefined;
let fovHandle: DivIcon | undefined;

export const headingHandleIcon = () =>
  (headingHandle ??= handleIcon('sl-handle-icon', '<span class="sl-handle sl-handle--heading" data-testid="camera-heading-handle"></span>', 20));

export const fovHandleIcon = () =>
  (fovHandle ??= handleIcon('sl-handle-icon', '<span class="sl-handle sl-handle--fov" data-testid="camera-fov-handle"></span>', 18));

// Vertex icons depend only on a few small values: cache them so each look is one object.
const vertexIcons = new Map<string, DivIcon>();

export function vertexIcon(index: number, state: { selected?: boolean; closable?: boolean; kind: 'draw' | 'edit' }): DivIcon {
  const key = `${state.kind}|${index}|${Boolean(state.selected)}|${Boolean(state.closable)}`;
  let icon = vertexIcons.get(key);
  if (!icon) {
    const classes = ['sl-vertex', state.selected && 'is-selected', state.closable && 'is-closable'].filter(Boolean).join(' ');
    icon = handleIcon('sl-vertex-icon', `<span class="${classes}" data-testid="${state.kind}-vertex" data-index="${index}"></span>`, 18);
    vertexIcons.set(key, icon);
  }
  return icon;
}

export function midpointIcon(index: number): DivIcon {
  const key = `mid|${index}`;
  let icon = vertexIcons.get(key);
  if (!icon) {
    icon = handleIcon('sl-vertex-icon', `<span class="sl-midpoint" data-testid="zone-midpoint" data-index="${index}"></span>`, 14);
    vertexIcons.set(key, icon);
  }
  return icon;
}

/**
 * A deployment's pin with its name and status in words. `priority` decides whose label survives
 * when labels collide (see LabelDeclutter in the overview map).
 */
export function deploymentPinIcon(deployment: {
  id: string;
  name: string;
  statusLabel: string;
  colour: string;
  phase: string;
  selected: boolean;
  priority: number;
}): DivIcon {
  const classes = ['sl-pin', `sl-pin--${deployment.phase}`, deployment.selected && 'is-selected'].filter(Boolean).join(' ');
  return divIcon({
    className: 'sl-pin-icon',
    html:
      `<span class="${classes}" style="--pin:${deployment.colour}" data-testid="deployment-pin" data-deployment-id="${escapeHtml(deployment.id)}" data-priority="${deployment.priority}">` +
      `<span class="sl-pin__dot"></span><span class="sl-pin__label"><span class="sl-pin__name">${escapeHtml(deployment.name)}</span>` +
      `<span class="sl-pin__status">${escapeHtml(deployment.statusLabel)}</span></span></span>`,
    iconSize: [16, 16],
    iconAnchor: [8, 8],
  });
}
