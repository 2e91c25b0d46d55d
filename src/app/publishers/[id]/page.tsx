import { notFound, redirect } from 'next/navigation';
import { PublisherPage } from '../../../components/publishers/publisher-page.tsx';
import { listPeopleNames } from '../../../lib/people.ts';
import { getPublisher } from '../../../lib/publishers.ts';
import { loadDashboardSession } from '../../../lib/session.ts';
import { createRequestSupabase } from '../../../lib/supabase/server-client.ts';
import { UUID_PATTERN } from '../../../contract/index.ts';

export default async function PublisherRoute({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!UUID_PATTERN.test(id)) notFound();
  const supabase = await createRequestSupabase();
  // RLS decides: a publisher of another organisation or territory is simply not found.
  const publisher = await getPublisher(supabase, id);
  // The page belongs to the publisher's organisation, whichever one the dashboard last showed.
  const session = await loadDashboardSession(supabase, { organizationId: publisher?.organization_id ?? null });
  if (!session) redirect(`/login?next=/publishers/${id}`);
  if (!publisher) notFound();
  const names = await listPeopleNames(supabase, session.organizationId);
  return <PublisherPage session={session} publisherId={id} initialName={publisher.name} names={names} />;
}
