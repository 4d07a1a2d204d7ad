import { auditedTransaction } from '@/lib/audit/mutations';
import { hashPassword } from '@/lib/auth/passwords';
import type { Role } from '@/lib/auth/permissions';
import { seedDemoDeployments } from './deployment-seed';
import { seedDemoWatchlist } from './watchlist-seed';

export const DEMO_PASSWORD = 'sightline-demo';

export const DEMO_USERS: readonly { email: string; name: string; role: Role }[] = [
  { email: 'operator@sightline.test', name: 'Olivia Operator', role: 'operator' },
  { email: 'operator2@sightline.test', name: 'Omar Operator', role: 'operator' },
  { email: 'officer@sightline.test', name: 'Sam Senior', role: 'senior_officer' },
  { email: 'officer2@sightline.test', name: 'Sasha Senior', role: 'senior_officer' },
  { email: 'admin@sightline.test', name: 'Ada Admin', role: 'admin' },
  { email: 'auditor@sightline.test', name: 'Aubrey Auditor', role: 'auditor' },
];

/**
 * Creates the demo users (only those missing; existing accounts are left as they are).
 * Only ever run on request (`npm run db:seed -- --demo`, `npm run demo`), never implicitly.
 */
export async function seedDemo(log: (line: string) => void = console.log): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const created = await auditedTransaction(async (tx, audit) => {
    const added: string[] = [];
    for (const user of DEMO_USERS) {
      const existing = await tx.user.findUnique({ where: { email: user.email }, select: { id: true } });
      if (existing) continue;
      const row = await tx.user.create({ data: { ...user, passwordHash }, select: { id: true } });
      await audit({
        action: 'user.created',
        subjectType: 'user',
        subjectId: row.id,
        details: { email: user.email, name: user.name, role: user.role, source: 'demo seed' },
      });
      added.push(user.email);
    }
    return added;
  });
  log(created.length ? `[seed] demo users created: ${created.join(', ')}` : '[seed] demo users already present');
  await seedDemoWatchlist('admin@sightline.test', log);
  await seedDemoDeployments(log);
}
