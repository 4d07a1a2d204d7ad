/**
 * Finding a place by name without street tiles: London's 33 boroughs (their outlines, shipped in
 * public/geo/london-boroughs.geojson) and the named places inside them (public/geo/london-places.json,
 * from the GeoNames gazetteer, CC BY 4.0; scripts/build-london-places.ts writes it). Pure: the
 * map loads the files and asks here; no Leaflet, no fetching.
 */

export type GazetteerEntry = {
  name: string;
  kind: 'borough' | 'place';
  lat: number;
  lng: number;
  /** The borough a place lies in (none for a borough itself). */
  borough?: string;
};

/** Letters and digits only, lower case, accents and apostrophes dropped: "King's Cross" → "kings cross". */
export function normaliseName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * How well a name answers a query: 0 the whole name, 1 the name starts with it, 2 a word of the
 * name starts with it, 3 it appears inside the name; null when it does not match.
 */
function rank(name: string, query: string): number | null {
  if (name === query) return 0;
  if (name.startsWith(query)) return 1;
  if (` ${name}`.includes(` ${query}`)) return 2;
  if (name.includes(query)) return 3;
  return null;
}

/**
 * The entries best answering `query` (at least two letters), best first: by how the name
 * matches, boroughs before places on a tie (a borough is the wider answer), then by name.
 */
export function searchGazetteer(entries: readonly GazetteerEntry[], query: string, limit = 8): GazetteerEntry[] {
  const q = normaliseName(query);
  if (q.length < 2) return [];
  return entries
    .flatMap((entry) => {
      const r = rank(normaliseName(entry.name), q);
      return r === null ? [] : [{ entry, r }];
    })
    .sort((a, b) => a.r - b.r || (a.entry.kind === b.entry.kind ? 0 : a.entry.kind === 'borough' ? -1 : 1) || a.entry.name.localeCompare(b.entry.name, 'en-GB'))
    .slice(0, limit)
    .map(({ entry }) => entry);
}

/** An entry as a line in the results: "Camden Town — Camden", "Camden (borough)". */
export function describeEntry(entry: GazetteerEntry): string {
  return entry.kind === 'borough' ? `${entry.name} (borough)` : `${entry.name} — ${entry.borough ?? 'London'}`;
}
