import { notFound, redirect } from 'next/navigation';
import { PublisherPage } from '../../../components/publishers/publisher-page.tsx';
import { knownNames } from '../../../lib/known-names.ts';
import { getPublisher } from '../../../lib/publishers.ts';
import { loadDashboardSession } from '../../../lib/session.ts';
import { createRequestSupabase } from '../../../lib/supabase/server-client.ts';
import { UUID_PATTERN } from '../../../contract/index.ts';

export default async function PublisherRoute({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!UUID_PATTERN.test(id)) notFound();
  const supabase = await createRequestSupabase();
  const session = await loadDashboardSession(supabase);
  if (!session) redirect(`/login?next=/publishers/${id}`);
  // RLS decides: a publisher of another organisation or territory is simply not found.
  const publisher = await getPublisher(supabase, id);
  if (!publisher) notFound();
  return <PublisherPage session={session} publisherId={id} initialName={publisher.name} names={knownNames()} />;
}
