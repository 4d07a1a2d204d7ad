-- AlterTable
ALTER TABLE "Alert" ADD COLUMN     "candidateThreshold" DOUBLE PRECISION,
ADD COLUMN     "verifierId" TEXT,
ADD COLUMN     "verifierVersion" TEXT,
ADD COLUMN     "verifyMetric" TEXT,
ADD COLUMN     "verifyScore" DOUBLE PRECISION,
ADD COLUMN     "verifyThreshold" DOUBLE PRECISION;

-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN     "authoriseOverrideReason" TEXT,
ADD COLUMN     "authorisedForecast" TEXT,
ADD COLUMN     "submitOverrideReason" TEXT,
ADD COLUMN     "submittedForecast" TEXT,
ADD COLUMN     "verifierId" TEXT,
ADD COLUMN     "verifyThreshold" DOUBLE PRECISION,
ALTER COLUMN "threshold" DROP NOT NULL,
ALTER COLUMN "threshold" DROP DEFAULT;

-- Hand-written: existing plans keep their threshold, now the face-api verification threshold too.
UPDATE "Deployment" SET "verifierId" = 'faceapi-128', "verifyThreshold" = "threshold";

-- CreateTable
CREATE TABLE "FaceTemplate" (
    "id" TEXT NOT NULL,
    "referenceImageId" TEXT NOT NULL,
    "engineId" TEXT NOT NULL,
    "engineVersion" TEXT NOT NULL,
    "dims" INTEGER NOT NULL,
    "vector" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FaceTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SnapshotTemplate" (
    "id" TEXT NOT NULL,
    "snapshotImageId" TEXT NOT NULL,
    "engineId" TEXT NOT NULL,
    "engineVersion" TEXT NOT NULL,
    "dims" INTEGER NOT NULL,
    "vector" BYTEA NOT NULL,

    CONSTRAINT "SnapshotTemplate_pkey" PRIMARY KEY ("id")
);

-- Hand-written: each stored face-api descriptor becomes that image's faceapi-128 template (and
-- likewise in snapshots) before the descriptor columns go.
INSERT INTO "FaceTemplate" ("id", "referenceImageId", "engineId", "engineVersion", "dims", "vector", "createdAt")
SELECT md5(random()::text || clock_timestamp()::text || "id"), "id", 'faceapi-128', '1.7.15', 128, "descriptor", "createdAt" FROM "ReferenceImage";
INSERT INTO "SnapshotTemplate" ("id", "snapshotImageId", "engineId", "engineVersion", "dims", "vector")
SELECT md5(random()::text || clock_timestamp()::text || "id"), "id", 'faceapi-128', '1.7.15', 128, "descriptor" FROM "SnapshotImage";

-- AlterTable
ALTER TABLE "ReferenceImage" DROP COLUMN "descriptor";

-- AlterTable
ALTER TABLE "SnapshotImage" DROP COLUMN "descriptor";

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Calibration" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "message" TEXT,
    "engineIds" TEXT NOT NULL DEFAULT '[]',
    "result" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Calibration_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FaceTemplate_engineId_engineVersion_idx" ON "FaceTemplate"("engineId", "engineVersion");

-- CreateIndex
CREATE UNIQUE INDEX "FaceTemplate_referenceImageId_engineId_key" ON "FaceTemplate"("referenceImageId", "engineId");

-- CreateIndex
CREATE UNIQUE INDEX "SnapshotTemplate_snapshotImageId_engineId_key" ON "SnapshotTemplate"("snapshotImageId", "engineId");

-- CreateIndex
CREATE INDEX "Calibration_createdAt_idx" ON "Calibration"("createdAt");

-- CreateIndex
CREATE INDEX "SnapshotImage_snapshotId_entryId_idx" ON "SnapshotImage"("snapshotId", "entryId");

-- AddForeignKey
ALTER TABLE "FaceTemplate" ADD CONSTRAINT "FaceTemplate_referenceImageId_fkey" FOREIGN KEY ("referenceImageId") REFERENCES "ReferenceImage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SnapshotTemplate" ADD CONSTRAINT "SnapshotTemplate_snapshotImageId_fkey" FOREIGN KEY ("snapshotImageId") REFERENCES "SnapshotImage"("id") ON DELETE CASCADE ON UPDATE CASCADE;
