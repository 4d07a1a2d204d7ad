-- AlterTable
ALTER TABLE "Alert" ADD COLUMN "claimCorrection" TEXT;
