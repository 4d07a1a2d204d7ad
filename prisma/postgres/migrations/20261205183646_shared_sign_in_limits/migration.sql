-- CreateTable
CREATE TABLE "SignInWindow" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "resetAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SignInWindow_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "SignInBlock" (
    "id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "refused" INTEGER NOT NULL,
    "blockedUntil" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SignInBlock_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SignInWindow_resetAt_idx" ON "SignInWindow"("resetAt");

-- CreateIndex
CREATE INDEX "SignInBlock_blockedUntil_idx" ON "SignInBlock"("blockedUntil");
