-- CreateTable
CREATE TABLE "AuditHead" (
    "id" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "contiguousFrom" INTEGER NOT NULL,

    CONSTRAINT "AuditHead_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditEvent_subjectType_subjectId_seq_idx" ON "AuditEvent"("subjectType", "subjectId", "seq");

-- ---------------------------------------------------------------------------------------------
-- Written by hand, not generated. The head starts at the newest event already stored (none in a
-- new database: the first event written creates it); events after it are numbered from it,
-- one after another (lib/audit/mutations.ts), so a gap in the numbers from "contiguousFrom" on
-- is a removed event. Before it, the sequence may have skipped numbers of rolled-back transactions.
-- ---------------------------------------------------------------------------------------------
INSERT INTO "AuditHead" ("id", "seq", "hash", "contiguousFrom")
SELECT 1, "seq", "hash", "seq" + 1 FROM "AuditEvent" ORDER BY "seq" DESC LIMIT 1;

-- The head is one row that moves forward one event at a time and is never removed: the database
-- refuses anything else, as it refuses edits of "AuditEvent". Prisma does not model functions or
-- triggers, so schema diffs neither see nor drop them; tests/integration/migrate.test.ts fails if
-- they go missing.
CREATE FUNCTION "AuditHead_forward_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'AuditHead cannot be removed';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW."id" <> 1 THEN
            RAISE EXCEPTION 'AuditHead has one row, id 1';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW."id" <> OLD."id" OR NEW."seq" <> OLD."seq" + 1 OR NEW."contiguousFrom" <> OLD."contiguousFrom" THEN
        RAISE EXCEPTION 'AuditHead only moves forward, one event at a time';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER "AuditHead_guard" BEFORE INSERT OR UPDATE OR DELETE ON "AuditHead"
FOR EACH ROW EXECUTE FUNCTION "AuditHead_forward_only"();

CREATE TRIGGER "AuditHead_no_truncate" BEFORE TRUNCATE ON "AuditHead"
FOR EACH STATEMENT EXECUTE FUNCTION "AuditHead_forward_only"();
