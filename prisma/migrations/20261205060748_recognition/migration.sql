-- AlterTable
ALTER TABLE "Alert" ADD COLUMN "candidateThreshold" REAL;
ALTER TABLE "Alert" ADD COLUMN "verifierId" TEXT;
ALTER TABLE "Alert" ADD COLUMN "verifierVersion" TEXT;
ALTER TABLE "Alert" ADD COLUMN "verifyMetric" TEXT;
ALTER TABLE "Alert" ADD COLUMN "verifyScore" REAL;
ALTER TABLE "Alert" ADD COLUMN "verifyThreshold" REAL;

-- CreateTable
CREATE TABLE "FaceTemplate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "referenceImageId" TEXT NOT NULL,
    "engineId" TEXT NOT NULL,
    "engineVersion" TEXT NOT NULL,
    "dims" INTEGER NOT NULL,
    "vector" BLOB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FaceTemplate_referenceImageId_fkey" FOREIGN KEY ("referenceImageId") REFERENCES "ReferenceImage" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SnapshotTemplate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "snapshotImageId" TEXT NOT NULL,
    "engineId" TEXT NOT NULL,
    "engineVersion" TEXT NOT NULL,
    "dims" INTEGER NOT NULL,
    "vector" BLOB NOT NULL,
    CONSTRAINT "SnapshotTemplate_snapshotImageId_fkey" FOREIGN KEY ("snapshotImageId") REFERENCES "SnapshotImage" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updatedById" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Calibration" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL,
    "progress" REAL NOT NULL DEFAULT 0,
    "message" TEXT,
    "engineIds" TEXT NOT NULL DEFAULT '[]',
    "result" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Deployment_plannerId_fkey" FOREIGN KEY ("plannerId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Deployment_authoriserId_fkey" FOREIGN KEY ("authoriserId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
-- Hand-written: existing plans keep their threshold, now the face-api verification threshold too.
INSERT INTO "new_Deployment" ("authoriserId", "categories", "createdAt", "decidedAt", "decisionNotes", "endedAt", "endsAt", "id", "intelligenceCase", "locationRationale", "name", "necessityProportionality", "plannerId", "signageConfirmed", "snapshotPurgedAt", "startsAt", "status", "statusReason", "submittedAt", "threshold", "verifierId", "verifyThreshold", "updatedAt", "watchlistIds", "wentLiveAt", "zone") SELECT "authoriserId", "categories", "createdAt", "decidedAt", "decisionNotes", "endedAt", "endsAt", "id", "intelligenceCase", "locationRationale", "name", "necessityProportionality", "plannerId", "signageConfirmed", "snapshotPurgedAt", "startsAt", "status", "statusReason", "submittedAt", "threshold", 'faceapi-128', "threshold", "updatedAt", "watchlistIds", "wentLiveAt", "zone" FROM "Deployment";
DROP TABLE "Deployment";
ALTER TABLE "new_Deployment" RENAME TO "Deployment";
CREATE INDEX "Deployment_status_idx" ON "Deployment"("status");
CREATE TABLE "new_ReferenceImage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "entryId" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "bytes" BLOB NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "boxX" REAL NOT NULL,
    "boxY" REAL NOT NULL,
    "boxWidth" REAL NOT NULL,
    "boxHeight" REAL NOT NULL,
    "detectionScore" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReferenceImage_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "WatchlistEntry" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Hand-written: each stored face-api descriptor becomes that image's faceapi-128 template.
INSERT INTO "FaceTemplate" ("id", "referenceImageId", "engineId", "engineVersion", "dims", "vector", "createdAt") SELECT lower(hex(randomblob(16))), "id", 'faceapi-128', '1.7.15', 128, "descriptor", "createdAt" FROM "ReferenceImage";
INSERT INTO "new_ReferenceImage" ("boxHeight", "boxWidth", "boxX", "boxY", "bytes", "createdAt", "detectionScore", "entryId", "height", "id", "mediaType", "width") SELECT "boxHeight", "boxWidth", "boxX", "boxY", "bytes", "createdAt", "detectionScore", "entryId", "height", "id", "mediaType", "width" FROM "ReferenceImage";
DROP TABLE "ReferenceImage";
ALTER TABLE "new_ReferenceImage" RENAME TO "ReferenceImage";
CREATE INDEX "ReferenceImage_entryId_idx" ON "ReferenceImage"("entryId");
CREATE TABLE "new_SnapshotImage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "snapshotId" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "referenceImageId" TEXT NOT NULL,
    "watchlistId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    CONSTRAINT "SnapshotImage_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "WatchlistSnapshot" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Hand-written: likewise for the templates frozen in snapshots.
INSERT INTO "SnapshotTemplate" ("id", "snapshotImageId", "engineId", "engineVersion", "dims", "vector") SELECT lower(hex(randomblob(16))), "id", 'faceapi-128', '1.7.15', 128, "descriptor" FROM "SnapshotImage";
INSERT INTO "new_SnapshotImage" ("category", "entryId", "id", "name", "reference", "referenceImageId", "snapshotId", "watchlistId") SELECT "category", "entryId", "id", "name", "reference", "referenceImageId", "snapshotId", "watchlistId" FROM "SnapshotImage";
DROP TABLE "SnapshotImage";
ALTER TABLE "new_SnapshotImage" RENAME TO "SnapshotImage";
CREATE INDEX "SnapshotImage_snapshotId_idx" ON "SnapshotImage"("snapshotId");
CREATE INDEX "SnapshotImage_snapshotId_entryId_idx" ON "SnapshotImage"("snapshotId", "entryId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "FaceTemplate_engineId_engineVersion_idx" ON "FaceTemplate"("engineId", "engineVersion");

-- CreateIndex
CREATE UNIQUE INDEX "FaceTemplate_referenceImageId_engineId_key" ON "FaceTemplate"("referenceImageId", "engineId");

-- CreateIndex
CREATE UNIQUE INDEX "SnapshotTemplate_snapshotImageId_engineId_key" ON "SnapshotTemplate"("snapshotImageId", "engineId");

-- CreateIndex
CREATE INDEX "Calibration_createdAt_idx" ON "Calibration"("createdAt");
