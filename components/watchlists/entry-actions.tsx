'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { ApiError, sendJson } from '@/components/ui/api';
import { useConfirm } from '@/components/ui/confirm-dialog';
import { DayInput } from '@/components/ui/day-input';
import type { Category } from '@/lib/watchlists/schema';
import { CategoryOptions } from './category-chip';
import { plainProblem, type Issue } from './entry-problems';
import { uploadForm } from './upload';

type Duplicate = { entryId: string; reference: string; name: string; distance: number };

type Entry = {
  id: string;
  watchlistId: string;
  reference: string;
  name: string;
  category: Category;
  imageSource: string;
  legalBasis: string;
  imageTakenOn: string;
  reviewBy: string;
  notes: string;
};

/** Edit, add a photo to, or delete one entry — each confirmed, each audited on the server. */
export function EntryActions({ entry }: { entry: Entry }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** A photo refused as looking like someone else on the watchlist, held until added anyway or dismissed. */
  const [duplicate, setDuplicate] = useState<{ file: File; matches: Duplicate[] } | null>(null);
  const [ask, confirmDialog] = useConfirm();

  async function save(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    const changed = Object.fromEntries(Object.entries(data).filter(([key, value]) => entry[key as keyof Entry] !== value));
    if (Object.keys(changed).length === 0) return dialog.current?.close();
    setBusy(true);
    setError(null);
    try {
      await sendJson(`/api/watchlists/${entry.watchlistId}/entries/${entry.id}`, 'PATCH', changed);
      dialog.current?.close();
      router.refresh();
    } catch (e) {
      const issues = e instanceof ApiError ? (e.details as { issues?: Issue[] } | undefined)?.issues : undefined;
      setError(issues ? [...new Set(issues.map(plainProblem))].join(' ') : e instanceof Error ? e.message : 'Could not save');
    } finally {
      setBusy(false);
    }
  }

  async function addPhoto(file: File | undefined, confirmDuplicate = false) {
    if (!file) return;
    setBusy(true);
    setError(null);
    setDuplicate(null);
    const form = new FormData();
    if (confirmDuplicate) form.set('confirmDuplicate', 'true');
    form.append('images', file, file.name);
    try {
      const { status, body } = await uploadForm(`/api/watchlists/${entry.watchlistId}/entries/${entry.id}/images`, form, () => {});
      if (status === 201) router.refresh();
      else if (status === 409 && body.error === 'possible_duplicate') {
        // Nothing was saved: the admin checks the people named, then adds anyway or leaves it.
        setDuplicate({ file, matches: ((body.details ?? {}) as { duplicates?: Duplicate[] }).duplicates ?? [] });
      } else setError(String(body.message ?? `Refused (${status})`));
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Upload failed');
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    const yes = await ask({
      title: `Delete ${entry.name} (${entry.reference})?`,
      body: 'The entry and all their photos are deleted for good. Watchlist snapshots already taken for deployments keep theirs.',
      confirmLabel: 'Delete for good',
      danger: true,
    });
    if (!yes) return;
    setBusy(true);
    try {
      await sendJson(`/api/watchlists/${entry.watchlistId}/entries/${entry.id}`, 'DELETE');
      router.refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not delete');
      setBusy(false);
    }
  }

  return (
    <div className="entry-actions">
      <button type="button" className="button small-button" onClick={() => dialog.current?.showModal()}>
        Edit
      </button>
      <label className="button small-button">
        Add photo
        <input
          type="file"
          accept="image/jpeg,image/png,image/webp"
          className="visually-hidden"
          onChange={(e) => void addPhoto(e.target.files?.[0])}
          disabled={busy}
        />
      </label>
      <button type="button" className="button small-button danger" onClick={() => void remove()} disabled={busy}>
        Delete
      </button>
      {error && (
        <p className="form-error small" role="alert">
          {error}
        </p>
      )}
      {duplicate && (
        <div className="warn-text small" role="alert" data-testid="photo-duplicate">
          <p>
            This photo looks like {duplicate.matches.map((d) => `${d.name} (${d.reference}, distance ${d.distance.toFixed(2)})`).join('; ') || 'someone else'},
            already on this watchlist. Nothing was saved. Check that they are different people before adding; adding anyway is recorded in the audit trail.
          </p>
          <button type="button" className="button small-button" onClick={() => void addPhoto(duplicate.file, true)} disabled={busy}>
            Add anyway
          </button>{' '}
          <button type="button" className="button small-button" onClick={() => setDuplicate(null)} disabled={busy}>
            Don&apos;t add
          </button>
        </div>
      )}
      {confirmDialog}
      <dialog ref={dialog} className="panel dialog" aria-label={`Edit ${entry.name}`}>
        <form onSubmit={(event) => void save(event)} className="form-grid compact" noValidate>
          <h2>Edit {entry.name}</h2>
          {error && (
            <p className="form-error small" role="alert">
              {error}
            </p>
          )}
          <label className="field">
            <span>Reference</span>
            <input name="reference" defaultValue={entry.reference} required />
          </label>
          <label className="field">
            <span>Name</span>
            <input name="name" defaultValue={entry.name} required />
          </label>
          <div className="field">
            <label htmlFor={`cat-${entry.id}`}>Category</label>
            <select id={`cat-${entry.id}`} name="category" defaultValue={entry.category}>
              <CategoryOptions />
            </select>
          </div>
          <label className="field">
            <span>Image source</span>
            <input name="imageSource" defaultValue={entry.imageSource} required />
          </label>
          <label className="field">
            <span>Legal basis</span>
            <input name="legalBasis" defaultValue={entry.legalBasis} required />
          </label>
          <label className="field">
            <span>Image taken on</span>
            <DayInput name="imageTakenOn" defaultValue={entry.imageTakenOn} aria-required="true" />
          </label>
          <label className="field">
            <span>Review by</span>
            <DayInput name="reviewBy" defaultValue={entry.reviewBy} aria-required="true" />
          </label>
          <label className="field">
            <span>Notes</span>
            <input name="notes" defaultValue={entry.notes} />
          </label>
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={busy}>
              Save
            </button>
            <button type="button" className="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}
