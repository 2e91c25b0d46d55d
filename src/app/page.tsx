import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { TeamDashboard } from '../components/dashboard/team-dashboard.tsx';
import { NoOrganization } from '../components/people/no-organization.tsx';
import { readKpis } from '../lib/kpis.ts';
import { chosenOrganization, ORGANIZATION_COOKIE } from '../lib/organization-choice.ts';
import { listPeopleNames } from '../lib/people.ts';
import { listPublishers } from '../lib/publishers.ts';
import { loadDashboardSession, signedInUser } from '../lib/session.ts';
import { createRequestSupabase } from '../lib/supabase/server-client.ts';

export default async function DashboardPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { org } = await searchParams;
  const supabase = await createRequestSupabase();
  const remembered = (await cookies()).get(ORGANIZATION_COOKIE)?.value;
  const session = await loadDashboardSession(supabase, { organizationId: chosenOrganization(org, remembered) });
  if (!session) {
    const user = await signedInUser(supabase);
    if (!user) redirect('/login');
    return <NoOrganization email={user.email} />;
  }
  const [publishers, names, kpis] = await Promise.all([
    listPublishers(supabase, session.organizationId),
    listPeopleNames(supabase, session.organizationId),
    readKpis(supabase, session.organizationId),
  ]);
  return <TeamDashboard session={session} initialPublishers={publishers} initialKpis={kpis} names={names} />;
}
