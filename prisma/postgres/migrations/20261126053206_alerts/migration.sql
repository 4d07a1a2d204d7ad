-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "cameraId" TEXT NOT NULL,
    "entryId" TEXT NOT NULL,
    "referenceImageId" TEXT NOT NULL,
    "watchlistId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "distance" DOUBLE PRECISION NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "sightings" INTEGER NOT NULL DEFAULT 1,
    "crop" BYTEA,
    "cropDeletedAt" TIMESTAMP(3),
    "retained" BOOLEAN NOT NULL DEFAULT false,
    "retainReason" TEXT,
    "retainedById" TEXT,
    "status" TEXT NOT NULL DEFAULT 'new',
    "claimedById" TEXT,
    "claimedAt" TIMESTAMP(3),
    "claimActivityAt" TIMESTAMP(3),
    "decision" TEXT,
    "outcome" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertDecision" (
    "id" TEXT NOT NULL,
    "alertId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "byId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FaceCount" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "cameraId" TEXT NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "FaceCount_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_cameraId_fkey" FOREIGN KEY ("cameraId") REFERENCES "Camera"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_claimedById_fkey" FOREIGN KEY ("claimedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertDecision" ADD CONSTRAINT "AlertDecision_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "Alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertDecision" ADD CONSTRAINT "AlertDecision_byId_fkey" FOREIGN KEY ("byId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
