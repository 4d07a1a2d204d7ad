'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { CATEGORIES, type Category } from '@/lib/watchlists/schema';
import { CategoryOptions } from './category-chip';
import { FacePreview } from './face-preview';
import { parseCsv, uploadForm } from './upload';

type RowStatus = 'ready' | 'uploading' | 'saved' | 'refused';
type Duplicate = { entryId: string; reference: string; name: string; distance: number };
type Row = {
  key: string;
  file: File;
  reference: string;
  name: string;
  category: Category;
  status: RowStatus;
  progress: number;
  message?: string;
  duplicates?: Duplicate[];
};

const today = () => new Date().toISOString().slice(0, 10);
const inAYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);

/**
 * Adds one entry per photo: choose one or many photos, see the faces the browser finds, fill
 * in (or import from a CSV) reference and name per photo, then upload with a progress bar and
 * the server's verdict per file. The shared fields apply to the whole batch.
 */
export function AddEntriesPanel({ watchlistId }: { watchlistId: string }) {
  const router = useRouter();
  const ids = useId();
  const [rows, setRows] = useState<Row[]>([]);
  const [shared, setShared] = useState({
    category: 'wanted_by_court' as Category,
    imageSource: '',
    legalBasis: '',
    imageTakenOn: today(),
    reviewBy: inAYear(),
    notes: '',
  });
  const [busy, setBusy] = useState(false);
  const [csvNote, setCsvNote] = useState<string | null>(null);

  const update = (key: string, patch: Partial<Row>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  function addFiles(files: FileList | null) {
    if (!files) return;
    const added = [...files].map((file, i) => ({
      key: `${Date.now()}-${i}-${file.name}`,
      file,
      reference: '',
      name: file.name.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' '),
      category: shared.category,
      status: 'ready' as const,
      progress: 0,
    }));
    setRows((all) => [...all, ...added]);
  }

  async function applyCsv(file: File | undefined) {
    if (!file) return;
    const records = parseCsv(await file.text());
    const matched = rows.filter((row) => records.some((r) => r.file === row.file.name)).length;
    setRows((all) =>
      all.map((row) => {
        const record = records.find((r) => r.file === row.file.name);
        if (!record) return row;
        const category = (CATEGORIES as readonly string[]).includes(record.category ?? '') ? (record.category as Category) : row.category;
        return { ...row, reference: record.reference || row.reference, name: record.name || row.name, category };
      }),
    );
    setCsvNote(`${records.length} CSV rows read, ${matched} matched a photo by file name (columns: file, reference, name, category).`);
  }

  async function uploadAll() {
    setBusy(true);
    for (const row of rows) {
      if (row.status === 'saved') continue;
      update(row.key, { status: 'uploading', progress: 0, message: undefined, duplicates: undefined });
      const form = new FormData();
      form.set('reference', row.reference);
      form.set('name', row.name);
      form.set('category', row.category);
      for (const [key, value] of Object.entries(shared)) if (key !== 'category') form.set(key, value);
      form.append('images', row.file, row.file.name);
      try {
        const { status, body } = await uploadForm(`/api/watchlists/${watchlistId}/entries`, form, (p) => update(row.key, { progress: p }));
        if (status === 201) {
          update(row.key, { status: 'saved', progress: 1, message: 'Saved', duplicates: (body.duplicates as Duplicate[]) ?? [] });
        } else {
          update(row.key, { status: 'refused', message: String(body.message ?? `Refused (${status})`) });
        }
      } catch (error) {
        update(row.key, { status: 'refused', message: error instanceof Error ? error.message : 'Upload failed' });
      }
    }
    setBusy(false);
    router.refresh();
  }

  const pending = rows.filter((r) => r.status !== 'saved');
  return (
    <section className="panel add-entries" aria-labelledby={`${ids}-h`}>
      <h2 id={`${ids}-h`}>Add people</h2>
      <p className="muted small">
        One entry per photo. Each photo must show exactly one face, at least 80 px across, sharp and well lit; the server checks every file and says why it
        refuses one.
      </p>
      <div className="form-grid compact">
        <div className="field">
          <label htmlFor={`${ids}-cat`}>Category for new rows</label>
          <select id={`${ids}-cat`} value={shared.category} onChange={(e) => setShared({ ...shared, category: e.target.value as Category })}>
            <CategoryOptions />
          </select>
        </div>
        <label className="field">
          <span>Image source</span>
          <input
            value={shared.imageSource}
            onChange={(e) => setShared({ ...shared, imageSource: e.target.value })}
            placeholder="e.g. custody record 2025/123"
            required
          />
        </label>
        <label className="field">
          <span>Legal basis</span>
          <input
            value={shared.legalBasis}
            onChange={(e) => setShared({ ...shared, legalBasis: e.target.value })}
            placeholder="e.g. PACE Code D; warrant"
            required
          />
        </label>
        <label className="field">
          <span>Image taken on</span>
          <input type="date" value={shared.imageTakenOn} max={today()} onChange={(e) => setShared({ ...shared, imageTakenOn: e.target.value })} />
        </label>
        <label className="field">
          <span>Review by</span>
          <input type="date" value={shared.reviewBy} onChange={(e) => setShared({ ...shared, reviewBy: e.target.value })} />
        </label>
        <label className="field">
          <span>Notes (optional)</span>
          <input value={shared.notes} onChange={(e) => setShared({ ...shared, notes: e.target.value })} />
        </label>
        <label className="field">
          <span>Photos (JPEG, PNG or WebP, ≤ 10 MB each)</span>
          <input
            type="file"
            accept="image/jpeg,image/png,image/webp"
            multiple
            onChange={(e) => {
              addFiles(e.target.files);
              e.target.value = '';
            }}
          />
        </label>
        <label className="field">
          <span>Names from a CSV (optional)</span>
          <input type="file" accept=".csv,text/csv" onChange={(e) => void applyCsv(e.target.files?.[0])} disabled={rows.length === 0} />
          {csvNote && <small className="muted">{csvNote}</small>}
        </label>
      </div>

      {rows.length > 0 && (
        <ul className="upload-rows" aria-label="Photos to add">
          {rows.map((row) => (
            <li key={row.key} className={`upload-row status-${row.status}`} data-testid="upload-row" data-status={row.status}>
              <FacePreview file={row.file} />
              <div className="upload-fields">
                <label className="field">
                  <span>Reference</span>
                  <input
                    value={row.reference}
                    disabled={row.status === 'saved'}
                    onChange={(e) => update(row.key, { reference: e.target.value })}
                    placeholder="warrant / case number"
                  />
                </label>
                <label className="field">
                  <span>Name</span>
                  <input value={row.name} disabled={row.status === 'saved'} onChange={(e) => update(row.key, { name: e.target.value })} />
                </label>
                <div className="field">
                  <label htmlFor={`${row.key}-cat`}>Category</label>
                  <select
                    id={`${row.key}-cat`}
                    value={row.category}
                    disabled={row.status === 'saved'}
                    onChange={(e) => update(row.key, { category: e.target.value as Category })}
                  >
                    <CategoryOptions />
                  </select>
                </div>
                <progress max={1} value={row.progress} aria-label={`Upload of ${row.file.name}`} />
                <p
                  className={row.status === 'refused' ? 'form-error small' : row.status === 'saved' ? 'ok-text small' : 'muted small'}
                  role={row.status === 'refused' ? 'alert' : undefined}
                >
                  {row.message ?? (row.status === 'uploading' ? 'Uploading and checking…' : 'Ready')}
                </p>
                {row.duplicates && row.duplicates.length > 0 && (
                  <p className="warn-text small" role="status">
                    Possible duplicate of {row.duplicates.map((d) => `${d.name} (${d.reference}, distance ${d.distance.toFixed(2)})`).join('; ')} — check before
                    relying on both.
                  </p>
                )}
                {row.status !== 'saved' && (
                  <button type="button" className="button small-button" onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))} disabled={busy}>
                    Remove
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <div className="form-actions">
        <button type="button" className="button primary" disabled={busy || pending.length === 0} onClick={() => void uploadAll()}>
          {busy ? 'Uploading…' : pending.length > 1 ? `Add ${pending.length} people` : 'Add person'}
        </button>
        {rows.some((r) => r.status === 'saved') && (
          <button type="button" className="button" disabled={busy} onClick={() => setRows((all) => all.filter((r) => r.status !== 'saved'))}>
            Clear saved rows
          </button>
        )}
      </div>
    </section>
  );
}
