-- AlterTable
ALTER TABLE "Alert" ADD COLUMN "firstClaimedAt" DATETIME;
ALTER TABLE "Alert" ADD COLUMN "firstDecidedAt" DATETIME;

-- CreateTable
CREATE TABLE "CoverageMinute" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deploymentId" TEXT NOT NULL,
    "cameraId" TEXT NOT NULL,
    "minute" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Deployment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "zone" TEXT,
    "startsAt" DATETIME,
    "endsAt" DATETIME,
    "locationRationale" TEXT NOT NULL DEFAULT '',
    "intelligenceCase" TEXT NOT NULL DEFAULT '',
    "necessityProportionality" TEXT NOT NULL DEFAULT '',
    "watchlistIds" TEXT NOT NULL DEFAULT '[]',
    "categories" TEXT NOT NULL DEFAULT '[]',
    "threshold" REAL,
    "verifierId" TEXT,
    "verifyThreshold" REAL,
    "signageConfirmed" BOOLEAN NOT NULL DEFAULT false,
    "submittedForecast" TEXT,
    "submitOverrideReason" TEXT,
    "authorisedForecast" TEXT,
    "authoriseOverrideReason" TEXT,
    "plannerId" TEXT NOT NULL,
    "authoriserId" TEXT,
    "decisionNotes" TEXT,
    "submittedAt" DATETIME,
    "decidedAt" DATETIME,
    "wentLiveAt" DATETIME,
    "endedAt" DATETIME,
    "statusReason" TEXT,
    "snapshotPurgedAt" DATETIME,
    "facesProcessed" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Deployment_plannerId_fkey" FOREIGN KEY ("plannerId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Deployment_authoriserId_fkey" FOREIGN KEY ("authoriserId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Deployment" ("authoriseOverrideReason", "authorisedForecast", "authoriserId", "categories", "createdAt", "decidedAt", "decisionNotes", "endedAt", "endsAt", "id", "intelligenceCase", "locationRationale", "name", "necessityProportionality", "plannerId", "signageConfirmed", "snapshotPurgedAt", "startsAt", "status", "statusReason", "submitOverrideReason", "submittedAt", "submittedForecast", "threshold", "updatedAt", "verifierId", "verifyThreshold", "watchlistIds", "wentLiveAt", "zone") SELECT "authoriseOverrideReason", "authorisedForecast", "authoriserId", "categories", "createdAt", "decidedAt", "decisionNotes", "endedAt", "endsAt", "id", "intelligenceCase", "locationRationale", "name", "necessityProportionality", "plannerId", "signageConfirmed", "snapshotPurgedAt", "startsAt", "status", "statusReason", "submitOverrideReason", "submittedAt", "submittedForecast", "threshold", "updatedAt", "verifierId", "verifyThreshold", "watchlistIds", "wentLiveAt", "zone" FROM "Deployment";
DROP TABLE "Deployment";
ALTER TABLE "new_Deployment" RENAME TO "Deployment";
CREATE INDEX "Deployment_status_idx" ON "Deployment"("status");
CREATE INDEX "Deployment_startsAt_idx" ON "Deployment"("startsAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "CoverageMinute_deploymentId_minute_idx" ON "CoverageMinute"("deploymentId", "minute");

-- CreateIndex
CREATE UNIQUE INDEX "CoverageMinute_cameraId_minute_key" ON "CoverageMinute"("cameraId", "minute");

-- Backfill (hand-written): the figures of deployments and alerts recorded before these columns existed.
UPDATE "Deployment" SET "facesProcessed" = COALESCE((SELECT SUM("count") FROM "FaceCount" WHERE "FaceCount"."deploymentId" = "Deployment"."id"), 0);
UPDATE "Alert" SET "firstDecidedAt" = (SELECT MIN("at") FROM "AlertDecision" WHERE "AlertDecision"."alertId" = "Alert"."id" AND "AlertDecision"."kind" = 'decision');
UPDATE "Alert" SET "firstClaimedAt" = (SELECT MIN("at") FROM "AuditEvent" WHERE "AuditEvent"."subjectType" = 'alert' AND "AuditEvent"."subjectId" = "Alert"."id" AND "AuditEvent"."action" = 'alert.claimed');
