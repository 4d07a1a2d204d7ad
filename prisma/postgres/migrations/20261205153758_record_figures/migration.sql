-- AlterTable
ALTER TABLE "Alert" ADD COLUMN     "firstClaimedAt" TIMESTAMP(3),
ADD COLUMN     "firstDecidedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN     "facesProcessed" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "CoverageMinute" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "cameraId" TEXT NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CoverageMinute_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CoverageMinute_deploymentId_minute_idx" ON "CoverageMinute"("deploymentId", "minute");

-- CreateIndex
CREATE UNIQUE INDEX "CoverageMinute_cameraId_minute_key" ON "CoverageMinute"("cameraId", "minute");

-- CreateIndex
CREATE INDEX "Deployment_startsAt_idx" ON "Deployment"("startsAt");

-- Backfill (hand-written): the figures of deployments and alerts recorded before these columns existed.
UPDATE "Deployment" SET "facesProcessed" = COALESCE((SELECT SUM("count") FROM "FaceCount" WHERE "FaceCount"."deploymentId" = "Deployment"."id"), 0);
UPDATE "Alert" SET "firstDecidedAt" = (SELECT MIN("at") FROM "AlertDecision" WHERE "AlertDecision"."alertId" = "Alert"."id" AND "AlertDecision"."kind" = 'decision');
UPDATE "Alert" SET "firstClaimedAt" = (SELECT MIN("at") FROM "AuditEvent" WHERE "AuditEvent"."subjectType" = 'alert' AND "AuditEvent"."subjectId" = "Alert"."id" AND "AuditEvent"."action" = 'alert.claimed');
