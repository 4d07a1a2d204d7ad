-- CreateTable
CREATE TABLE "CameraLease" (
    "cameraId" TEXT NOT NULL PRIMARY KEY,
    "deploymentId" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "holderKind" TEXT NOT NULL,
    "holderName" TEXT NOT NULL,
    "renewedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "CameraLease_deploymentId_idx" ON "CameraLease"("deploymentId");
