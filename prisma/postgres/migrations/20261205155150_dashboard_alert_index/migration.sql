-- CreateIndex
CREATE INDEX "Alert_deploymentId_createdAt_firstDecidedAt_decision_outcom_idx" ON "Alert"("deploymentId", "createdAt", "firstDecidedAt", "decision", "outcome");
