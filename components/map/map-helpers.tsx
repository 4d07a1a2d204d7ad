'use client';

import { useEffect, useRef, type RefObject } from 'react';
import { useMap } from 'react-leaflet';
import { latLngBounds, type LeafletKeyboardEvent } from 'leaflet';
import type { LatLngTuple } from '@/lib/geo/geometry';

/**
 * Mirrors the map's view onto its wrapper as data attributes (`data-center="lat,lng"`,
 * `data-zoom`, `data-ready`). CSS uses the zoom (borough labels hide when zoomed far out) and
 * the end-to-end page objects use centre and zoom to turn coordinates into pixels without
 * reaching into Leaflet. Written to the DOM directly: a React re-render per pan would be waste.
 */
export function ViewReporter({ target }: { target: RefObject<HTMLElement | null> }) {
  const map = useMap();
  useEffect(() => {
    const report = () => {
      const el = target.current;
      if (!el) return;
      const c = map.getCenter();
      el.dataset.center = `${c.lat},${c.lng}`;
      el.dataset.zoom = String(map.getZoom());
      el.dataset.ready = 'true';
    };
    map.whenReady(report);
    map.on('moveend zoomend resize', report);
    return () => {
      map.off('moveend zoomend resize', report);
    };
  }, [map, target]);
  return null;
}

type Box = { left: number; right: number; top: number; bottom: number };
const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * Keeps map labels from piling up: after each zoom or pan, hides every label that would cover a
 * label already shown or the `obstacle` (e.g. a pin's dot) of an item of equal or higher
 * `data-priority`. Items are taken highest priority first, then in document order. Hiding is
 * a class on the item (`is-label-hidden`); the CSS decides what hidden means (for deployment
 * pins: visually hidden but still read by screen readers, and shown again on hover or focus).
 *
 * DOM work rather than React state: it depends on pixel positions only Leaflet knows, and
 * re-rendering every marker after every pan would be waste. `version` re-runs it after content
 * changes.
 */
export function LabelDeclutter({ item, label, obstacle, version }: { item: string; label?: string; obstacle?: string; version: string }) {
  const map = useMap();
  useEffect(() => {
    const declutter = () => {
      const items = Array.from(map.getContainer().querySelectorAll<HTMLElement>(item)).map((el) => {
        el.classList.remove('is-label-hidden');
        return { el, priority: Number(el.dataset.priority ?? 0), obstacle: obstacle ? el.querySelector(obstacle)?.getBoundingClientRect() : undefined };
      });
      items.sort((a, b) => b.priority - a.priority); // stable: ties keep document order
      const shown: Box[] = [];
      for (const it of items) {
        const r = (label ? it.el.querySelector(label) : it.el)?.getBoundingClientRect();
        if (!r || r.width === 0) continue;
        const box = { left: r.left - 2, right: r.right + 2, top: r.top - 2, bottom: r.bottom + 2 };
        const blocked =
          shown.some((s) => overlaps(s, box)) || items.some((o) => o !== it && o.priority >= it.priority && o.obstacle && overlaps(o.obstacle, box));
        if (blocked) it.el.classList.add('is-label-hidden');
        else shown.push(box);
      }
    };
    // After Leaflet has positioned the markers this render added.
    const frame = requestAnimationFrame(declutter);
    map.on('zoomend moveend', declutter);
    return () => {
      cancelAnimationFrame(frame);
      map.off('zoomend moveend', declutter);
    };
  }, [map, item, label, obstacle, version]);
  return null;
}

/**
 * Fits the view to `points` whenever `fitKey` changes (not on every render: a planner who has
 * zoomed in must not be thrown back out because a camera moved). A single point is shown at
 * `singlePointZoom`. Nothing happens without points.
 */
export function FitToBounds({
  points,
  fitKey,
  maxZoom = 18,
  singlePointZoom = 17,
  paddingTopLeft = [40, 40],
  paddingBottomRight = [40, 40],
}: {
  points: LatLngTuple[];
  fitKey: string;
  maxZoom?: number;
  singlePointZoom?: number;
  /** Room kept clear at the edges, in pixels: e.g. for labels that extend right of their pins. */
  paddingTopLeft?: [number, number];
  paddingBottomRight?: [number, number];
}) {
  const map = useMap();
  const latest = useRef(points);
  useEffect(() => {
    latest.current = points;
  });
  useEffect(() => {
    const pts = latest.current;
    if (pts.length === 0) return;
    if (pts.length === 1) {
      map.setView(pts[0]!, singlePointZoom, { animate: false });
      return;
    }
    const bounds = latLngBounds(pts);
    if (bounds.isValid()) map.fitBounds(bounds, { paddingTopLeft, paddingBottomRight, maxZoom, animate: false });
    // Padding arrays are usually literals, new on every render: they are read, not watched.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- see above
  }, [map, fitKey, maxZoom, singlePointZoom]);
  return null;
}

/**
 * Leaflet makes markers focusable buttons (role, tabindex) but does not press them with the
 * keyboard; this does, for Enter and Space, like a real button.
 */
export function activateWithKeyboard(activate: () => void) {
  return (e: LeafletKeyboardEvent) => {
    if (e.originalEvent.key !== 'Enter' && e.originalEvent.key !== ' ') return;
    e.originalEvent.preventDefault(); // not also a plan-map shortcut, nor a page scroll
    activate();
  };
}
