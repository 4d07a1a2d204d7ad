'use client';

import { createContext, useContext, type ReactNode } from 'react';
import type { TileLayerSpec } from '@/lib/map/spec';

/**
 * The installation's map tiles (from server configuration, lib/config/map.ts), available to every
 * map below the shell without threading a prop through each page. A map given its own
 * `tileLayer` prop uses that instead.
 */
const MapTilesContext = createContext<TileLayerSpec | null>(null);

export function MapConfigProvider({ tileLayer, children }: { tileLayer: TileLayerSpec | null; children: ReactNode }) {
  return <MapTilesContext.Provider value={tileLayer}>{children}</MapTilesContext.Provider>;
}

export function useConfiguredTiles(): TileLayerSpec | null {
  return useContext(MapTilesContext);
}
