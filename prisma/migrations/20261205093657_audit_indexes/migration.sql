-- CreateTable
CREATE TABLE "AuditHead" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "contiguousFrom" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "AuditEvent_subjectType_subjectId_seq_idx" ON "AuditEvent"("subjectType", "subjectId", "seq");

-- ---------------------------------------------------------------------------------------------
-- Written by hand, not generated. The head starts at the newest event already stored (none in a
-- new database: the first event written creates it); events after it are numbered from it,
-- one after another (lib/audit/mutations.ts), so a gap in the numbers from "contiguousFrom" on
-- is a removed event.
-- ---------------------------------------------------------------------------------------------
INSERT INTO "AuditHead" ("id", "seq", "hash", "contiguousFrom")
SELECT 1, "seq", "hash", "seq" + 1 FROM "AuditEvent" ORDER BY "seq" DESC LIMIT 1;

-- The head is one row that moves forward one event at a time and is never removed: the database
-- refuses anything else, as it refuses edits of "AuditEvent". Prisma does not model triggers, so
-- schema diffs neither see nor drop them; tests/integration/migrate.test.ts fails if they go missing.
CREATE TRIGGER "AuditHead_one_row" BEFORE INSERT ON "AuditHead"
WHEN NEW."id" <> 1
BEGIN
    SELECT RAISE(ABORT, 'AuditHead has one row, id 1');
END;

CREATE TRIGGER "AuditHead_forward_only" BEFORE UPDATE ON "AuditHead"
WHEN NEW."id" <> OLD."id" OR NEW."seq" <> OLD."seq" + 1 OR NEW."contiguousFrom" <> OLD."contiguousFrom"
BEGIN
    SELECT RAISE(ABORT, 'AuditHead only moves forward, one event at a time');
END;

CREATE TRIGGER "AuditHead_no_delete" BEFORE DELETE ON "AuditHead"
BEGIN
    SELECT RAISE(ABORT, 'AuditHead cannot be removed');
END;
