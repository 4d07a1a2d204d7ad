'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { DayInput } from '@/components/ui/day-input';
import { plural } from '@/lib/format/plural';
import { CATEGORIES, type Category } from '@/lib/watchlists/schema';
import { CategoryOptions } from './category-chip';
import { checkEntry, groupProblems, type Issue, type Problems, type RowField, type SharedField } from './entry-problems';
import { FacePreview, type PreviewResult } from './face-preview';
import styles from './add-entries.module.css';
import { parseCsv, uploadForm } from './upload';
import { londonDay } from '@/lib/time/london';

/**
 * checking: the browser is opening the photo and looking for a face; unusable: it found it cannot
 * be used (not a picture, no face, several faces) and it is not sent; duplicate: the server found
 * someone like them already on the watchlist and saved nothing, waiting for the admin.
 */
type RowStatus = 'checking' | 'ready' | 'unusable' | 'uploading' | 'saved' | 'refused' | 'duplicate';
type Duplicate = { entryId: string; reference: string; name: string; distance: number };
type Row = {
  key: string;
  file: File;
  reference: string;
  name: string;
  category: Category;
  /** Chosen for this row (by hand or from the CSV): a later change of the batch's category leaves it. */
  categoryChosen: boolean;
  status: RowStatus;
  progress: number;
  message?: string;
  problems?: Problems['row'];
  duplicates?: Duplicate[];
};

type Shared = Record<SharedField, string> & { category: Category };

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
// London's calendar day, not UTC's: between midnight and 01:00 in summer they differ.
const today = () => londonDay(new Date().toISOString());
const inAYear = () => londonDay(new Date(Date.now() + 365 * 86_400_000).toISOString());
/** Rows "Add" sends: checked and usable, or refused before and perhaps corrected since. */
const sendable = (row: Row) => row.status === 'ready' || row.status === 'refused';

/** What the browser's check of a photo means for its row. */
function afterCheck(result: PreviewResult): Pick<Row, 'status' | 'message'> {
  if (result.kind === 'undecodable') return { status: 'unusable', message: 'Cannot be used: this file is not a picture, whatever its name says.' };
  if (result.kind === 'unavailable')
    return { status: 'ready', message: 'Ready. The face check could not run in this browser; the server checks the photo when it is sent.' };
  if (result.count === 0) return { status: 'unusable', message: 'Cannot be used: no face was found in this photo.' };
  if (result.count > 1)
    return { status: 'unusable', message: `Cannot be used: ${plural(result.count, 'face')} were found; each photo must show exactly one person.` };
  return { status: 'ready', message: undefined };
}

/**
 * Adds one entry per photo: choose one or many photos, see the faces the browser finds, fill
 * in (or import from a CSV) reference and name per photo, then upload with a progress bar and
 * the server's verdict per file. The shared fields apply to the whole batch; each row shows the
 * category it will be saved with. Photos the browser cannot use are marked and never sent, the
 * whole batch is checked before anything is sent, and a likely duplicate waits for the admin.
 */
export function AddEntriesPanel({ watchlistId }: { watchlistId: string }) {
  const router = useRouter();
  const ids = useId();
  const [rows, setRows] = useState<Row[]>([]);
  const [shared, setShared] = useState<Shared>({
    category: 'wanted_by_court',
    imageSource: '',
    legalBasis: '',
    imageTakenOn: today(),
    reviewBy: inAYear(),
    notes: '',
  });
  const [sharedProblems, setSharedProblems] = useState<Problems['shared']>({});
  const [summary, setSummary] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [csvNote, setCsvNote] = useState<string | null>(null);

  const update = (key: string, patch: Partial<Row>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  function setSharedField(field: SharedField, value: string) {
    setShared((s) => ({ ...s, [field]: value }));
    setSharedProblems(({ [field]: _fixed, ...rest }) => rest);
  }

  function setBatchCategory(category: Category) {
    setShared((s) => ({ ...s, category }));
    // Rows not given their own category follow the batch's: what each row shows is what is saved.
    setRows((all) => all.map((r) => (r.categoryChosen || r.status === 'saved' ? r : { ...r, category })));
  }

  function addFiles(files: FileList | null) {
    if (!files) return;
    const added: Row[] = [...files].map((file, i) => {
      const wrongType = !PHOTO_TYPES.includes(file.type);
      const tooBig = file.size > MAX_PHOTO_BYTES;
      return {
        key: `${Date.now()}-${i}-${file.name}`,
        file,
        // Never guessed from the file name ("notes", "IMG_0042"): a person is named by someone who knows.
        reference: '',
        name: '',
        category: shared.category,
        categoryChosen: false,
        status: wrongType || tooBig ? 'unusable' : 'checking',
        progress: 0,
        message: wrongType ? 'Cannot be used: not a photo. Choose JPEG, PNG or WebP files.' : tooBig ? 'Cannot be used: larger than 10 MB.' : undefined,
      };
    });
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
        const fromCsv = (CATEGORIES as readonly string[]).includes(record.category ?? '');
        return {
          ...row,
          reference: record.reference || row.reference,
          name: record.name || row.name,
          category: fromCsv ? (record.category as Category) : row.category,
          categoryChosen: row.categoryChosen || fromCsv,
        };
      }),
    );
    setCsvNote(`${records.length} CSV rows read, ${matched} matched a photo by file name (columns: file, reference, name, category).`);
  }

  /** Every row to send checked against the server's own rules first: nothing is sent while anything is wrong. */
  function checkBatch(toSend: Row[]): boolean {
    const sharedFound: Problems['shared'] = {};
    let rowsWrong = 0;
    for (const row of toSend) {
      const problems = checkEntry({ ...shared, reference: row.reference, name: row.name, category: row.category });
      Object.assign(sharedFound, { ...problems.shared, ...sharedFound });
      if (Object.keys(problems.row).length > 0) rowsWrong++;
      update(row.key, { problems: problems.row });
    }
    setSharedProblems(sharedFound);
    const sharedWrong = Object.keys(sharedFound).length;
    if (sharedWrong === 0 && rowsWrong === 0) return true;
    const parts = [sharedWrong > 0 ? `${plural(sharedWrong, 'shared field')} above` : null, rowsWrong > 0 ? plural(rowsWrong, 'photo') : null];
    setSummary(`Nothing was sent. Fix the highlighted ${parts.filter(Boolean).join(' and ')}.`);
    return false;
  }

  async function send(row: Row, confirmDuplicate: boolean) {
    update(row.key, { status: 'uploading', progress: 0, message: undefined, problems: undefined, duplicates: undefined });
    const form = new FormData();
    form.set('reference', row.reference);
    form.set('name', row.name);
    form.set('category', row.category);
    for (const [key, value] of Object.entries(shared)) if (key !== 'category') form.set(key, value);
    if (confirmDuplicate) form.set('confirmDuplicate', 'true');
    form.append('images', row.file, row.file.name);
    try {
      const { status, body } = await uploadForm(`/api/watchlists/${watchlistId}/entries`, form, (p) => update(row.key, { progress: p }));
      const details = (body.details ?? {}) as { duplicates?: Duplicate[]; issues?: Issue[] };
      if (status === 201) {
        update(row.key, { status: 'saved', progress: 1, message: confirmDuplicate ? 'Saved, as you confirmed' : 'Saved' });
      } else if (status === 409 && body.error === 'possible_duplicate') {
        update(row.key, { status: 'duplicate', progress: 0, duplicates: details.duplicates ?? [], message: 'Not saved yet.' });
      } else if (status === 422 && details.issues) {
        const problems = groupProblems(details.issues);
        setSharedProblems((s) => ({ ...problems.shared, ...s }));
        update(row.key, { status: 'refused', progress: 0, problems: problems.row, message: 'Not saved: see the highlighted fields.' });
      } else {
        update(row.key, { status: 'refused', progress: 0, message: String(body.message ?? `Refused (${status})`) });
      }
    } catch (error) {
      update(row.key, { status: 'refused', message: error instanceof Error ? error.message : 'Upload failed' });
    }
  }

  async function uploadAll() {
    const toSend = rows.filter(sendable);
    setSummary(null);
    if (!checkBatch(toSend)) return;
    setBusy(true);
    for (const row of toSend) await send(row, false);
    setBusy(false);
    router.refresh();
  }

  async function addAnyway(row: Row) {
    setBusy(true);
    await send(row, true);
    setBusy(false);
    router.refresh();
  }

  const ready = rows.filter(sendable).length;
  const checking = rows.some((r) => r.status === 'checking');
  const unusable = rows.filter((r) => r.status === 'unusable').length;
  const sharedInput = (field: SharedField) => ({
    value: shared[field],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setSharedField(field, e.target.value),
    'aria-invalid': sharedProblems[field] ? true : undefined,
    'aria-describedby': sharedProblems[field] ? `${ids}-${field}-problem` : undefined,
  });
  const sharedProblem = (field: SharedField) =>
    sharedProblems[field] && (
      <small className="form-error small field-problem" id={`${ids}-${field}-problem`}>
        {sharedProblems[field]}
      </small>
    );
  return (
    <section className={`panel add-entries ${styles.panel}`} aria-labelledby={`${ids}-h`}>
      <h2 id={`${ids}-h`}>Add people</h2>
      <p className="muted small">
        One entry per photo. Each photo must show exactly one face, at least 80 px across, sharp and well lit; the server checks every file and says why it
        refuses one.
      </p>
      <div className="form-grid compact">
        <div className="field">
          <label htmlFor={`${ids}-cat`}>Category for new rows</label>
          <select id={`${ids}-cat`} value={shared.category} onChange={(e) => setBatchCategory(e.target.value as Category)}>
            <CategoryOptions />
          </select>
        </div>
        <label className="field">
          <span>Image source</span>
          <input {...sharedInput('imageSource')} placeholder="e.g. custody record 2025/123" aria-required="true" />
          {sharedProblem('imageSource')}
        </label>
        <label className="field">
          <span>Legal basis</span>
          <input {...sharedInput('legalBasis')} placeholder="e.g. PACE Code D; warrant" aria-required="true" />
          {sharedProblem('legalBasis')}
        </label>
        <label className="field">
          <span>Image taken on</span>
          <DayInput {...sharedInput('imageTakenOn')} />
          {sharedProblem('imageTakenOn')}
        </label>
        <label className="field">
          <span>Review by</span>
          <DayInput {...sharedInput('reviewBy')} />
          {sharedProblem('reviewBy')}
        </label>
        <label className="field">
          <span>Notes (optional)</span>
          <input {...sharedInput('notes')} />
          {sharedProblem('notes')}
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
            <UploadRow
              key={row.key}
              row={row}
              busy={busy}
              onChange={(patch) => update(row.key, { ...patch, problems: withoutFixed(row.problems, patch) })}
              onChecked={(result) => update(row.key, row.status === 'checking' ? afterCheck(result) : {})}
              onRemove={() => setRows((all) => all.filter((r) => r.key !== row.key))}
              onAddAnyway={() => void addAnyway(row)}
            />
          ))}
        </ul>
      )}
      {summary && (
        <p className="form-error" role="alert" data-testid="batch-problems">
          {summary}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button primary" disabled={busy || checking || ready === 0} onClick={() => void uploadAll()}>
          {busy ? 'Uploading…' : checking ? 'Checking photos…' : ready === 0 ? 'Add people' : `Add ${plural(ready, 'person')}`}
        </button>
        {unusable > 0 && (
          <span className="muted small" data-testid="unusable-count">
            {plural(unusable, 'photo')} cannot be used and will not be sent.
          </span>
        )}
        {rows.some((r) => r.status === 'saved' || r.status === 'unusable') && (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => setRows((all) => all.filter((r) => r.status !== 'saved' && r.status !== 'unusable'))}
          >
            Clear saved and unusable rows
          </button>
        )}
      </div>
    </section>
  );
}

/** The row's problems without those of the fields just edited. */
function withoutFixed(problems: Problems['row'] | undefined, patch: Partial<Row>): Problems['row'] | undefined {
  if (!problems) return problems;
  return Object.fromEntries(Object.entries(problems).filter(([field]) => !(field in patch))) as Problems['row'];
}

type RowProps = {
  row: Row;
  busy: boolean;
  onChange(patch: Partial<Pick<Row, 'reference' | 'name' | 'category' | 'categoryChosen'>>): void;
  onChecked(result: PreviewResult): void;
  onRemove(): void;
  onAddAnyway(): void;
};

function UploadRow({ row, busy, onChange, onChecked, onRemove, onAddAnyway }: RowProps) {
  // An unusable photo is never sent: nothing to fill in for it.
  const locked = row.status === 'saved' || row.status === 'uploading' || row.status === 'unusable';
  const problemId = (field: RowField) => `${row.key}-${field}-problem`;
  const invalid = (field: RowField) => ({
    'aria-invalid': row.problems?.[field] ? true : undefined,
    'aria-describedby': row.problems?.[field] ? problemId(field) : undefined,
  });
  const problem = (field: RowField) =>
    row.problems?.[field] && (
      <small className="form-error small field-problem" id={problemId(field)}>
        {row.problems[field]}
      </small>
    );
  const statusText = row.message ?? (row.status === 'checking' ? 'Checking the photo…' : row.status === 'uploading' ? 'Uploading and checking…' : 'Ready');
  const statusClass = row.status === 'refused' || row.status === 'unusable' ? 'form-error small' : row.status === 'saved' ? 'ok-text small' : 'muted small';
  return (
    <li
      className={`upload-row status-${row.status} ${row.status === 'unusable' ? styles.unusable : row.status === 'duplicate' ? styles.duplicate : ''}`}
      data-testid="upload-row"
      data-status={row.status}
    >
      {PHOTO_TYPES.includes(row.file.type) ? (
        <FacePreview file={row.file} onResult={onChecked} />
      ) : (
        <figure className={`face-preview ${styles.noPreview}`} data-testid="face-preview">
          <figcaption className="small danger-text">{row.file.name}: not a photo</figcaption>
        </figure>
      )}
      <div className="upload-fields">
        <label className="field">
          <span>Reference</span>
          <input
            value={row.reference}
            disabled={locked}
            onChange={(e) => onChange({ reference: e.target.value })}
            placeholder="warrant / case number"
            aria-required="true"
            {...invalid('reference')}
          />
          {problem('reference')}
        </label>
        <label className="field">
          <span>Name</span>
          <input value={row.name} disabled={locked} onChange={(e) => onChange({ name: e.target.value })} aria-required="true" {...invalid('name')} />
          {problem('name')}
        </label>
        <div className="field">
          <label htmlFor={`${row.key}-cat`}>Category</label>
          <select
            id={`${row.key}-cat`}
            value={row.category}
            disabled={locked}
            onChange={(e) => onChange({ category: e.target.value as Category, categoryChosen: true })}
            {...invalid('category')}
          >
            <CategoryOptions />
          </select>
          {problem('category')}
        </div>
        <progress max={1} value={row.progress} aria-label={`Upload of ${row.file.name}`} />
        <p className={statusClass} role={row.status === 'refused' ? 'alert' : undefined} data-testid="row-status">
          {statusText}
        </p>
        {row.status === 'duplicate' && row.duplicates && (
          <div className={`warn-text small ${styles.duplicateWarning}`} role="alert">
            <p>
              This photo looks like {row.duplicates.map((d) => `${d.name} (${d.reference}, distance ${d.distance.toFixed(2)})`).join('; ')}, already on this
              watchlist. Check that they are different people before adding; adding anyway is recorded in the audit trail.
            </p>
            <button type="button" className="button small-button" onClick={onAddAnyway} disabled={busy}>
              Add anyway
            </button>
          </div>
        )}
        {row.status !== 'saved' && (
          <button type="button" className="button small-button" onClick={onRemove} disabled={busy}>
            Remove
          </button>
        )}
      </div>
    </li>
  );
}
