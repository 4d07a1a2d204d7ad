-- CreateTable
CREATE TABLE "SignInWindow" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL,
    "resetAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SignInBlock" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scope" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "refused" INTEGER NOT NULL,
    "blockedUntil" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "SignInWindow_resetAt_idx" ON "SignInWindow"("resetAt");

-- CreateIndex
CREATE INDEX "SignInBlock_blockedUntil_idx" ON "SignInBlock"("blockedUntil");
