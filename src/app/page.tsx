import { redirect } from 'next/navigation';
import { TeamDashboard } from '../components/dashboard/team-dashboard.tsx';
import { readKpis } from '../lib/kpis.ts';
import { knownNames } from '../lib/known-names.ts';
import { listPublishers } from '../lib/publishers.ts';
import { loadDashboardSession } from '../lib/session.ts';
import { createRequestSupabase } from '../lib/supabase/server-client.ts';

export default async function DashboardPage() {
  const supabase = await createRequestSupabase();
  const session = await loadDashboardSession(supabase);
  if (!session) redirect('/login');
  const [publishers, kpis] = await Promise.all([listPublishers(supabase), readKpis(supabase, session.organizationId)]);
  return <TeamDashboard session={session} initialPublishers={publishers} initialKpis={kpis} names={knownNames()} />;
}
