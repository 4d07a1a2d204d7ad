-- CreateTable
CREATE TABLE "Watchlist" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Watchlist_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WatchlistEntry" (
    "id" TEXT NOT NULL,
    "watchlistId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "imageSource" TEXT NOT NULL,
    "legalBasis" TEXT NOT NULL,
    "imageTakenOn" TIMESTAMP(3) NOT NULL,
    "reviewBy" TIMESTAMP(3) NOT NULL,
    "notes" TEXT NOT NULL DEFAULT '',
    "addedById" TEXT NOT NULL,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WatchlistEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReferenceImage" (
    "id" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "boxX" DOUBLE PRECISION NOT NULL,
    "boxY" DOUBLE PRECISION NOT NULL,
    "boxWidth" DOUBLE PRECISION NOT NULL,
    "boxHeight" DOUBLE PRECISION NOT NULL,
    "detectionScore" DOUBLE PRECISION NOT NULL,
    "descriptor" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReferenceImage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WatchlistSnapshot" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "entryCount" INTEGER NOT NULL,
    "imageCount" INTEGER NOT NULL,

    CONSTRAINT "WatchlistSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SnapshotImage" (
    "id" TEXT NOT NULL,
    "snapshotId" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "referenceImageId" TEXT NOT NULL,
    "watchlistId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "descriptor" BYTEA NOT NULL,

    CONSTRAINT "SnapshotImage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Deployment" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "zone" TEXT,
    "startsAt" TIMESTAMP(3),
    "endsAt" TIMESTAMP(3),
    "locationRationale" TEXT NOT NULL DEFAULT '',
    "intelligenceCase" TEXT NOT NULL DEFAULT '',
    "necessityProportionality" TEXT NOT NULL DEFAULT '',
    "watchlistIds" TEXT NOT NULL DEFAULT '[]',
    "categories" TEXT NOT NULL DEFAULT '[]',
    "threshold" DOUBLE PRECISION NOT NULL DEFAULT 0.6,
    "signageConfirmed" BOOLEAN NOT NULL DEFAULT false,
    "plannerId" TEXT NOT NULL,
    "authoriserId" TEXT,
    "decisionNotes" TEXT,
    "submittedAt" TIMESTAMP(3),
    "decidedAt" TIMESTAMP(3),
    "wentLiveAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    "statusReason" TEXT,
    "snapshotPurgedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Camera" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "lat" DOUBLE PRECISION NOT NULL,
    "lng" DOUBLE PRECISION NOT NULL,
    "heading" DOUBLE PRECISION NOT NULL,
    "fov" DOUBLE PRECISION NOT NULL,
    "rangeM" DOUBLE PRECISION NOT NULL,
    "sourceKind" TEXT NOT NULL,
    "sourceUrl" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Camera_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Watchlist" ADD CONSTRAINT "Watchlist_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchlistEntry" ADD CONSTRAINT "WatchlistEntry_watchlistId_fkey" FOREIGN KEY ("watchlistId") REFERENCES "Watchlist"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchlistEntry" ADD CONSTRAINT "WatchlistEntry_addedById_fkey" FOREIGN KEY ("addedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferenceImage" ADD CONSTRAINT "ReferenceImage_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "WatchlistEntry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchlistSnapshot" ADD CONSTRAINT "WatchlistSnapshot_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SnapshotImage" ADD CONSTRAINT "SnapshotImage_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "WatchlistSnapshot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_plannerId_fkey" FOREIGN KEY ("plannerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_authoriserId_fkey" FOREIGN KEY ("authoriserId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Camera" ADD CONSTRAINT "Camera_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
