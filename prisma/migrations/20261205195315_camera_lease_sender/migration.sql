-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CameraLease" (
    "cameraId" TEXT NOT NULL PRIMARY KEY,
    "deploymentId" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "holderKind" TEXT NOT NULL,
    "holderName" TEXT NOT NULL,
    "holderId" TEXT NOT NULL DEFAULT '',
    "renewedAt" DATETIME NOT NULL
);
INSERT INTO "new_CameraLease" ("cameraId", "deploymentId", "holderKind", "holderName", "instance", "renewedAt") SELECT "cameraId", "deploymentId", "holderKind", "holderName", "instance", "renewedAt" FROM "CameraLease";
DROP TABLE "CameraLease";
ALTER TABLE "new_CameraLease" RENAME TO "CameraLease";
CREATE INDEX "CameraLease_deploymentId_idx" ON "CameraLease"("deploymentId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
