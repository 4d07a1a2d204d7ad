/**
 * What the deployment pages hand their client components. Types only: the data itself is read
 * on the server (lib/deployments/data.ts, lib/watchlists/data.ts) and passed down as props.
 */
import type { Category } from '@/lib/watchlists/schema';

export type { CameraView, DeploymentSummary, DeploymentView, HistoryItem } from '@/lib/deployments/data';

/** A watchlist as the plan's picker shows it: names and counts only, never entries. */
export type WatchlistOption = { id: string; name: string; entryCount: number; byCategory: Record<Category, number> };

/** Who is looking, as far as the client components need to know. */
export type ViewerInfo = {
  id: string;
  /** May plan, edit and submit (deployment:plan). */
  plans: boolean;
  /** May authorise or reject other people's plans (deployment:authorise). */
  decides: boolean;
  /** Sees drafts and submissions (senior officers, auditors). */
  seesPlans: boolean;
};
