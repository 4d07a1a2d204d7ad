-- CreateTable
CREATE TABLE "WallLayout" (
    "userId" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "grid" TEXT NOT NULL DEFAULT 'auto',
    "cameraOrder" TEXT NOT NULL DEFAULT '[]',
    "hiddenCameras" TEXT NOT NULL DEFAULT '[]',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WallLayout_pkey" PRIMARY KEY ("userId","deploymentId")
);

-- CreateIndex
CREATE INDEX "WallLayout_deploymentId_idx" ON "WallLayout"("deploymentId");

-- AddForeignKey
ALTER TABLE "WallLayout" ADD CONSTRAINT "WallLayout_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WallLayout" ADD CONSTRAINT "WallLayout_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
