import type { Metadata } from 'next';
import { RecognitionView } from '@/components/recognition/recognition-view';
import { EscalationCard } from '@/components/alerts/escalation-card';
import { ForceNameCard } from '@/components/records/force-name-card';
import { requirePagePermission } from '@/lib/auth/guards';
import { can } from '@/lib/auth/permissions';
import { calibrationCurves, recognitionOverview } from '@/lib/recognition/overview';
import { getEscalation, getForceName } from '@/lib/settings/data';

export const metadata: Metadata = { title: 'Recognition' };

type Search = Record<string, string | string[] | undefined>;

export default async function RecognitionPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePagePermission('recognition:read');
  const overview = await recognitionOverview();
  const asked = (await searchParams).calibration;
  const selectedId =
    (typeof asked === 'string' && overview.calibrations.some((c) => c.id === asked) ? asked : null) ??
    overview.engines.find((e) => e.activeCalibrationId)?.activeCalibrationId ??
    overview.calibrations[0]?.id ??
    null;
  const curves = selectedId ? await calibrationCurves(selectedId) : null;
  return (
    <>
      <RecognitionView overview={overview} curves={curves} manage={can(user.role, 'recognition:manage')} />
      {can(user.role, 'settings:manage') && (
        <div className="page">
          <ForceNameCard name={await getForceName()} manage />
          <EscalationLimits />
        </div>
      )}
    </>
  );
}

async function EscalationLimits() {
  const { isDefault, ...limits } = await getEscalation();
  return <EscalationCard limits={limits} isDefault={isDefault} />;
}
