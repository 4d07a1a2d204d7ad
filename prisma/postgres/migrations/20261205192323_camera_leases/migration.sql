-- CreateTable
CREATE TABLE "CameraLease" (
    "cameraId" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "holderKind" TEXT NOT NULL,
    "holderName" TEXT NOT NULL,
    "renewedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CameraLease_pkey" PRIMARY KEY ("cameraId")
);

-- CreateIndex
CREATE INDEX "CameraLease_deploymentId_idx" ON "CameraLease"("deploymentId");
