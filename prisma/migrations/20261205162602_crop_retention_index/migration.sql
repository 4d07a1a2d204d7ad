-- CreateIndex
CREATE INDEX "Alert_cropDeletedAt_retained_createdAt_idx" ON "Alert"("cropDeletedAt", "retained", "createdAt");
