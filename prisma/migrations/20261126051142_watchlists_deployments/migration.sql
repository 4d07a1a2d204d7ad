-- CreateTable
CREATE TABLE "Watchlist" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Watchlist_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WatchlistEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "watchlistId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "imageSource" TEXT NOT NULL,
    "legalBasis" TEXT NOT NULL,
    "imageTakenOn" DATETIME NOT NULL,
    "reviewBy" DATETIME NOT NULL,
    "notes" TEXT NOT NULL DEFAULT '',
    "addedById" TEXT NOT NULL,
    "addedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WatchlistEntry_watchlistId_fkey" FOREIGN KEY ("watchlistId") REFERENCES "Watchlist" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WatchlistEntry_addedById_fkey" FOREIGN KEY ("addedById") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReferenceImage" (
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
    "descriptor" BLOB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReferenceImage_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "WatchlistEntry" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WatchlistSnapshot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deploymentId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "entryCount" INTEGER NOT NULL,
    "imageCount" INTEGER NOT NULL,
    CONSTRAINT "WatchlistSnapshot_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SnapshotImage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "snapshotId" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "referenceImageId" TEXT NOT NULL,
    "watchlistId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "descriptor" BLOB NOT NULL,
    CONSTRAINT "SnapshotImage_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "WatchlistSnapshot" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Deployment" (
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
    "threshold" REAL NOT NULL DEFAULT 0.6,
    "signageConfirmed" BOOLEAN NOT NULL DEFAULT false,
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

-- CreateTable
CREATE TABLE "Camera" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deploymentId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "lat" REAL NOT NULL,
    "lng" REAL NOT NULL,
    "heading" REAL NOT NULL,
    "fov" REAL NOT NULL,
    "rangeM" REAL NOT NULL,
    "sourceKind" TEXT NOT NULL,
    "sourceUrl" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Camera_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Watchlist_name_key" ON "Watchlist"("name");

-- CreateIndex
CREATE INDEX "WatchlistEntry_watchlistId_category_idx" ON "WatchlistEntry"("watchlistId", "category");

-- CreateIndex
CREATE INDEX "WatchlistEntry_watchlistId_reviewBy_idx" ON "WatchlistEntry"("watchlistId", "reviewBy");

-- CreateIndex
CREATE UNIQUE INDEX "WatchlistEntry_watchlistId_reference_key" ON "WatchlistEntry"("watchlistId", "reference");

-- CreateIndex
CREATE INDEX "ReferenceImage_entryId_idx" ON "ReferenceImage"("entryId");

-- CreateIndex
CREATE UNIQUE INDEX "WatchlistSnapshot_deploymentId_key" ON "WatchlistSnapshot"("deploymentId");

-- CreateIndex
CREATE INDEX "SnapshotImage_snapshotId_idx" ON "SnapshotImage"("snapshotId");

-- CreateIndex
CREATE INDEX "Deployment_status_idx" ON "Deployment"("status");

-- CreateIndex
CREATE INDEX "Camera_deploymentId_idx" ON "Camera"("deploymentId");
