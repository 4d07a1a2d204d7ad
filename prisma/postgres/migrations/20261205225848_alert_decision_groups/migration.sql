-- AlterTable
ALTER TABLE "AlertDecision" ADD COLUMN     "groupId" TEXT;
