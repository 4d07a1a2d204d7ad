'use client';

import { useState, type ReactNode } from 'react';
import { DecisionPanel } from './decision-panel';
import { LifecycleActions } from './lifecycle-actions';
import { NoticeBanner, type Notice } from './notices';
import { PlanEditor } from './plan-editor';
import { PlanReadOnly } from './plan-read-only';
import type { DeploymentView, ViewerInfo, WatchlistOption } from './types';
import styles from './deployments.module.css';

type DeploymentWorkspaceProps = {
  /** The page's header (name, status, facts), drawn with this viewer's lifecycle buttons beside it. */
  header: ReactNode;
  /** The record's standing (rejection reasons, suspension reason, authoriser's notes), under the header. */
  banners?: ReactNode;
  view: DeploymentView;
  watchlists: WatchlistOption[] | null;
  viewer: ViewerInfo;
};

/**
 * One deployment, as this viewer may work on it now:
 * - a draft they may change: the plan editor (map, cameras, justification, save and submit);
 * - a plan awaiting a decision they may take (second officer): the whole plan read-only with
 *   the authorise/reject panel beside it;
 * - anything else: the plan read-only, with the lifecycle buttons their role allows.
 * A submitted or authorised plan can be opened for changes too, after a warning that saving
 * withdraws the submission or the authorisation.
 */
export function DeploymentWorkspace({ header, banners, view, watchlists, viewer }: DeploymentWorkspaceProps) {
  const [notice, setNotice] = useState<Notice | null>(null);
  const [editingAnyway, setEditingAnyway] = useState(false);
  const canEdit = view.actions.includes('edit');
  const editing = canEdit && (view.status === 'draft' || editingAnyway);
  const decides = view.actions.includes('authorise') || view.actions.includes('reject');

  return (
    <div className={styles.workspace}>
      <div className={styles.headerRow}>
        {header}
        <LifecycleActions view={view} editing={editing} onEdit={() => setEditingAnyway(true)} onNotice={setNotice} />
      </div>
      {notice ? <NoticeBanner notice={notice} onDismiss={() => setNotice(null)} /> : null}
      {/* The withdrawal notice says what the "back in draft" banner would, and more. */}
      {notice?.tone === 'withdrawn' ? null : banners}
      {editing ? (
        <>
          {view.status !== 'draft' ? (
            <p className={`${styles.banner} ${styles.bannerWarn}`} role="note">
              You are changing a plan that is {view.status === 'submitted' ? 'awaiting a decision' : view.status}. Saving any change
              {view.status === 'submitted' ? ' withdraws the submission' : ' withdraws the authorisation'} and makes it a draft again.
            </p>
          ) : null}
          <PlanEditor
            view={view}
            watchlists={watchlists}
            onNotice={setNotice}
            onStopEditing={view.status !== 'draft' ? () => setEditingAnyway(false) : undefined}
          />
        </>
      ) : (
        <PlanReadOnly
          view={view}
          watchlists={watchlists}
          before={decides ? <DecisionPrompt /> : <StandingNote view={view} viewer={viewer} />}
          after={decides ? <DecisionPanel view={view} onNotice={setNotice} /> : null}
        />
      )}
    </div>
  );
}

/** Above the plan for the officer who may decide: read first, then decide below. */
function DecisionPrompt() {
  return (
    <section className={`panel ${styles.standing} ${styles.prompt}`} data-testid="decision-prompt">
      <p className="eyebrow">Awaiting your decision</p>
      <p>
        Read the plan below and check the map, then authorise or reject it. <a href="#decision-heading">Go to the decision</a>
      </p>
    </section>
  );
}

/** Why there is nothing to decide here, for a submitted plan the viewer may not decide on. */
function StandingNote({ view, viewer }: { view: DeploymentView; viewer: ViewerInfo }) {
  if (view.status !== 'submitted') return null;
  return (
    <section className={`panel ${styles.standing}`} data-testid="awaiting-decision">
      <p className="eyebrow">Awaiting a decision</p>
      {viewer.decides ? (
        <p>You wrote or changed this plan, so you cannot authorise or reject it: another senior officer must decide (the two-person rule).</p>
      ) : (
        <p>A senior officer who did not write this plan must authorise or reject it.</p>
      )}
    </section>
  );
}
