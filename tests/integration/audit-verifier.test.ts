/**
 * The audit verifier against tampering behind the app's back (both kinds of database, in this
 * process): events numbered from the recorded head without gaps, the newest events removed with
 * and without a later write, a removed event the attacker re-linked around, and the index the
 * deployment views and socket joins read the trail by.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AUDIT_HEAD_ID, GENESIS_HASH, hashEvent } from '@/lib/audit/chain';
import { verifyAuditChain } from '@/lib/audit/data';
import { recordAuditEvent } from '@/lib/audit/mutations';
import { getDb } from '@/lib/db/client';
import { rawQuery } from '../support/raw-db';
import { useFreshDatabase } from '../support/in-process-db';

useFreshDatabase();

const url = () => process.env.DATABASE_URL!;
const sqlite = () => url().startsWith('file:');
const record = (n: number) => recordAuditEvent({ action: 'settings.changed', subjectType: 'setting', subjectId: 'x', details: { n } });
const seqs = async () => (await getDb().auditEvent.findMany({ orderBy: { seq: 'asc' }, select: { seq: true } })).map((e) => e.seq);

/** What an attacker with database rights does first: remove the append-only guard of the events (not of the head). */
async function dropEventGuard() {
  if (sqlite()) {
    await rawQuery(url(), 'DROP TRIGGER IF EXISTS "AuditEvent_no_update"');
    await rawQuery(url(), 'DROP TRIGGER IF EXISTS "AuditEvent_no_delete"');
  } else {
    await rawQuery(url(), 'DROP TRIGGER IF EXISTS "AuditEvent_no_update_or_delete" ON "AuditEvent"');
  }
}

/** An event stored directly, hashed as the app would, with the number given (as the sequence gave before there was a head). */
async function insertLinked(seq: number, prevHash: string, n: number): Promise<string> {
  const fields = {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    actorId: null,
    actorEmail: null,
    action: 'settings.changed',
    subjectType: null,
    subjectId: null,
    details: `{"n":${n}}`,
    ip: null,
  };
  const hash = hashEvent(prevHash, fields);
  await getDb().auditEvent.create({ data: { seq, ...fields, prevHash, hash } });
  return hash;
}

describe('the audit verifier', () => {
  it('ignores gaps from before the head was recorded (a PostgreSQL sequence skips rolled-back numbers), and numbers from the head on', async () => {
    // As a database written before this version: numbers 1, 2, 4 (3 rolled back), no head.
    let prev = await insertLinked(1, GENESIS_HASH, 1);
    prev = await insertLinked(2, prev, 2);
    await insertLinked(4, prev, 4);
    expect(await verifyAuditChain()).toMatchObject({ ok: false, gaps: [], recordedHead: { seq: null, status: 'absent' } });

    await record(5);
    await record(6);
    expect(await getDb().auditHead.findUnique({ where: { id: AUDIT_HEAD_ID } })).toMatchObject({ seq: 6, contiguousFrom: 5 });
    expect(await seqs()).toEqual([1, 2, 4, 5, 6]);
    expect(await verifyAuditChain()).toEqual({
      ok: true,
      count: 5,
      firstBrokenId: null,
      gaps: [],
      recordedHead: { seq: 6, status: 'present' },
      head: { seq: 6, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      anchor: null,
    });
  });

  it('keeps the recorded head moving forward one event at a time: the database refuses anything else', async () => {
    await expect(rawQuery(url(), 'UPDATE "AuditHead" SET "seq" = 3')).rejects.toThrow(/AuditHead only moves forward/);
    await expect(rawQuery(url(), `UPDATE "AuditHead" SET "hash" = $1`, ['0'.repeat(64)])).rejects.toThrow(/AuditHead only moves forward/);
    await expect(rawQuery(url(), 'DELETE FROM "AuditHead"')).rejects.toThrow(/AuditHead cannot be removed/);
    await expect(rawQuery(url(), `INSERT INTO "AuditHead" ("id", "seq", "hash", "contiguousFrom") VALUES (2, 99, 'x', 1)`)).rejects.toThrow(
      /AuditHead has one row/,
    );
    expect((await verifyAuditChain()).ok).toBe(true);
  });

  it('reports the newest event removed, with nothing written after it, and again once the app writes one more', async () => {
    await record(7);
    const before = await verifyAuditChain();
    expect(before).toMatchObject({ ok: true, head: { seq: 7 } });

    await dropEventGuard();
    await rawQuery(url(), 'CREATE TABLE "removed_events" AS SELECT * FROM "AuditEvent" WHERE "seq" = 7');
    await rawQuery(url(), 'DELETE FROM "AuditEvent" WHERE "seq" = 7');

    // The chain left is a valid chain, but not the one recorded: the head names what is gone.
    expect(await verifyAuditChain()).toEqual({
      ok: false,
      count: 5,
      firstBrokenId: null,
      gaps: [{ from: 7, to: 7 }],
      recordedHead: { seq: 7, status: 'missing' },
      head: { seq: 6, hash: expect.any(String) },
      anchor: null,
    });

    // The app writes on: the new event is #8, linked to the removed #7, so the gap stays in plain sight.
    await record(8);
    expect(await seqs()).toEqual([1, 2, 4, 5, 6, 8]);
    expect(await verifyAuditChain()).toEqual({
      ok: false,
      count: 6,
      firstBrokenId: 8,
      gaps: [{ from: 7, to: 7 }],
      recordedHead: { seq: 8, status: 'present' },
      head: null,
      anchor: null,
    });

    // Put back, the chain is whole again.
    await rawQuery(url(), 'INSERT INTO "AuditEvent" SELECT * FROM "removed_events"');
    await rawQuery(url(), 'DROP TABLE "removed_events"');
    expect(await verifyAuditChain()).toMatchObject({ ok: true, count: 7, gaps: [], recordedHead: { seq: 8, status: 'present' } });
  });

  it('reports a removed event even when the rest of the chain was re-linked around it', async () => {
    await dropEventGuard();
    await rawQuery(url(), 'DELETE FROM "AuditEvent" WHERE "seq" = 5');
    // Rewrite every later event to link to the one before the gap, hashes recomputed.
    const events = await getDb().auditEvent.findMany({ where: { seq: { gte: 4 } }, orderBy: { seq: 'asc' } });
    let prev = events[0]!.hash;
    for (const event of events.slice(1)) {
      const hash = hashEvent(prev, event);
      await rawQuery(url(), 'UPDATE "AuditEvent" SET "prevHash" = $1, "hash" = $2 WHERE "seq" = $3', [prev, hash, event.seq]);
      prev = hash;
    }

    const result = await verifyAuditChain();
    expect(result).toMatchObject({ ok: false, firstBrokenId: null, gaps: [{ from: 5, to: 5 }], recordedHead: { seq: 8, status: 'different' } });
  });
});

describe('the index for audit queries by subject', () => {
  const INDEX = 'AuditEvent_subjectType_subjectId_seq_idx';

  it('exists on (subjectType, subjectId, seq)', async () => {
    if (sqlite()) {
      const columns = await rawQuery<{ name: string }>(url(), `SELECT name FROM pragma_index_info('${INDEX}') ORDER BY seqno`);
      expect(columns.map((c) => c.name)).toEqual(['subjectType', 'subjectId', 'seq']);
    } else {
      const [index] = await rawQuery<{ indexdef: string }>(url(), 'SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexname = $2', [
        'AuditEvent',
        INDEX,
      ]);
      expect(index?.indexdef).toMatch(/\("subjectType", "subjectId", seq\)/);
    }
  });

  it('serves a deployment’s history in chain order without scanning the trail', async () => {
    const sql = `SELECT * FROM "AuditEvent" WHERE "subjectType" = 'deployment' AND "subjectId" = 'd1' ORDER BY "seq"`;
    if (sqlite()) {
      const plan = await rawQuery<{ detail: string }>(url(), `EXPLAIN QUERY PLAN ${sql}`);
      expect(plan.map((p) => p.detail).join('\n')).toMatch(new RegExp(`SEARCH AuditEvent USING INDEX ${INDEX} \\(subjectType=\\? AND subjectId=\\?\\)`));
      expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/TEMP B-TREE/);
    } else {
      // A handful of rows make a sequential scan cheapest; forbid it to see what the index can serve.
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query('SET enable_seqscan = off');
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`);
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toContain(`Index Scan using "${INDEX}" on "AuditEvent"`);
        expect(plan).not.toMatch(/Sort/);
      } finally {
        await client.end();
      }
    }
  });
});
