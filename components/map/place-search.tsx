'use client';

import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { polygonCentroid, type GeoPolygon } from '@/lib/geo/geometry';
import { describeEntry, searchGazetteer, type GazetteerEntry } from '@/lib/geo/gazetteer';
import { loadBoroughs } from './borough-layer';

/** Named places inside the boroughs (scripts/build-london-places.ts writes it from GeoNames). */
export const PLACES_URL = '/geo/london-places.json';
/** The credit the gazetteer's licence (CC BY 4.0) asks for, shown in the map's attribution. */
export const PLACES_ATTRIBUTION = 'Places: GeoNames (CC BY 4.0)';

type PlacesFile = { places: { name: string; lat: number; lng: number; borough: string }[] };

let gazetteerRequest: Promise<GazetteerEntry[]> | null = null;

/** Boroughs (from the outlines every map loads anyway) and places, once per page. */
function loadGazetteer(): Promise<GazetteerEntry[]> {
  gazetteerRequest ??= Promise.all([
    loadBoroughs(),
    fetch(PLACES_URL).then((r) => {
      if (!r.ok) throw new Error(`places: HTTP ${r.status}`);
      return r.json() as Promise<PlacesFile>;
    }),
  ])
    .then(([boroughs, file]) => [
      ...boroughs.features.flatMap((f): GazetteerEntry[] =>
        f.geometry.type === 'Polygon' ? [{ name: f.properties.name, kind: 'borough', ...polygonCentroid(f.geometry as GeoPolygon) }] : [],
      ),
      ...file.places.map((p): GazetteerEntry => ({ ...p, kind: 'place' })),
    ])
    .catch((error: unknown) => {
      gazetteerRequest = null;
      throw error;
    });
  return gazetteerRequest;
}

/**
 * "Find a place": a search over London's boroughs and the places in them, shipped with the app,
 * so a planner can find Camden or Canary Wharf on a map with no street tiles. Enter takes the
 * first answer; the arrow keys move through them.
 */
export function PlaceSearch({ onChoose }: { onChoose(entry: GazetteerEntry): void }) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [entries, setEntries] = useState<GazetteerEntry[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [active, setActive] = useState(0);

  useEffect(() => {
    let live = true;
    loadGazetteer().then(
      (loaded) => live && setEntries(loaded),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);

  const results = useMemo(() => (entries ? searchGazetteer(entries, query) : []), [entries, query]);
  const open = query.trim().length >= 2;

  function choose(entry: GazetteerEntry | undefined) {
    if (!entry) return;
    onChoose(entry);
    setQuery('');
    setActive(0);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter') {
      e.preventDefault();
      choose(results[active]);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = results.length;
      if (n) setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (e.key === 'Escape' && query) {
      e.preventDefault();
      setQuery('');
    }
  }

  return (
    <div className="sl-place-search" data-testid="place-search">
      <label htmlFor={`${id}-q`} className="sl-place-search__label">
        Find a place
      </label>
      <input
        id={`${id}-q`}
        type="search"
        value={query}
        autoComplete="off"
        placeholder="Borough or area, e.g. Camden"
        role="combobox"
        aria-expanded={open && results.length > 0}
        aria-controls={open && results.length > 0 ? `${id}-list` : undefined}
        aria-activedescendant={open && results[active] ? `${id}-opt-${active}` : undefined}
        aria-describedby={`${id}-help`}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <span id={`${id}-help`} className="visually-hidden">
        London boroughs and the places in them. Enter centres the map on the first answer.
      </span>
      {open && results.length === 0 ? (
        <p className="sl-place-search__list sl-place-search__empty" role="status">
          {failed ? 'The place list could not be loaded.' : !entries ? 'Loading places…' : 'No borough or place of that name.'}
        </p>
      ) : null}
      {open && results.length > 0 ? (
        <ul id={`${id}-list`} role="listbox" aria-label="Places found" className="sl-place-search__list">
          {results.map((entry, i) => (
            <li
              key={`${entry.kind}:${entry.name}:${entry.borough ?? ''}`}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'is-active' : undefined}
              // mousedown, not click: the input keeps focus and the list does not vanish first.
              onMouseDown={(e) => {
                e.preventDefault();
                choose(entry);
              }}
            >
              {describeEntry(entry)}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
