-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deploymentId" TEXT NOT NULL,
    "cameraId" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "referenceImageId" TEXT NOT NULL,
    "watchlistId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "distance" REAL NOT NULL,
    "firstSeenAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    "sightings" INTEGER NOT NULL DEFAULT 1,
    "crop" BLOB,
    "cropDeletedAt" DATETIME,
    "retained" BOOLEAN NOT NULL DEFAULT false,
    "retainReason" TEXT,
    "retainedById" TEXT,
    "status" TEXT NOT NULL DEFAULT 'new',
    "claimedById" TEXT,
    "claimedAt" DATETIME,
    "claimActivityAt" DATETIME,
    "decision" TEXT,
    "outcome" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Alert_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Alert_cameraId_fkey" FOREIGN KEY ("cameraId") REFERENCES "Camera" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Alert_claimedById_fkey" FOREIGN KEY ("claimedById") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AlertDecision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "alertId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "byId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AlertDecision_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "Alert" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AlertDecision_byId_fkey" FOREIGN KEY ("byId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FaceCount" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deploymentId" TEXT NOT NULL,
    "cameraId" TEXT NOT NULL,
    "minute" DATETIME NOT NULL,
    "count" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "Alert_deploymentId_createdAt_idx" ON "Alert"("deploymentId", "createdAt");

-- CreateIndex
CREATE INDEX "Alert_updatedAt_idx" ON "Alert"("updatedAt");

-- CreateIndex
CREATE INDEX "Alert_deploymentId_cameraId_entryId_lastSeenAt_idx" ON "Alert"("deploymentId", "cameraId", "entryId", "lastSeenAt");

-- CreateIndex
CREATE INDEX "AlertDecision_alertId_at_idx" ON "AlertDecision"("alertId", "at");

-- CreateIndex
CREATE INDEX "FaceCount_deploymentId_minute_idx" ON "FaceCount"("deploymentId", "minute");

-- CreateIndex
CREATE UNIQUE INDEX "FaceCount_cameraId_minute_key" ON "FaceCount"("cameraId", "minute");
