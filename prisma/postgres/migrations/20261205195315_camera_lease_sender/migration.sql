-- AlterTable
ALTER TABLE "CameraLease" ADD COLUMN     "holderId" TEXT NOT NULL DEFAULT '';
