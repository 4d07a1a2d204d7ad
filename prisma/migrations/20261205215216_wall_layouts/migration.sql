-- CreateTable
CREATE TABLE "WallLayout" (
    "userId" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "grid" TEXT NOT NULL DEFAULT 'auto',
    "cameraOrder" TEXT NOT NULL DEFAULT '[]',
    "hiddenCameras" TEXT NOT NULL DEFAULT '[]',
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("userId", "deploymentId"),
    CONSTRAINT "WallLayout_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WallLayout_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "WallLayout_deploymentId_idx" ON "WallLayout"("deploymentId");
