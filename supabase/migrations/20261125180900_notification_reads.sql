-- Per-user read state for org-wide notifications: public.notification_reads, its RLS,
-- mark_notifications_read and the view my_notifications. A personal notification keeps its read
-- state in notifications.read_at; an org-wide one (user_id null) is one row shared by every
-- member, so each member's "read" lives here. mark_notifications_read and my_notifications hide
-- the difference from clients. See docs/data-model.md.

create table public.notification_reads (
  notification_id uuid not null references public.notifications (id) on delete cascade,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  read_at timestamptz not null default now(),
  primary key (notification_id, user_id)
);
-- "Which org-wide notifications has this user read" (the my_notifications join), and the user
-- foreign key's index.
create index notification_reads_user_id_notification_id_idx on public.notification_reads (user_id, notification_id);

alter table public.notification_reads enable row level security;

-- A user sees and writes only their own rows, and only for org-wide notifications they can read
-- now (the subquery runs under the caller's RLS on notifications). Personal notifications are
-- refused here: their read state is notifications.read_at, one place per notification.
create policy "users read their own read marks" on public.notification_reads
  for select to authenticated using (user_id = (select auth.uid()));
create policy "users mark org-wide notifications read for themselves" on public.notification_reads
  for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (
      select 1 from public.notifications n
       where n.id = notification_reads.notification_id and n.user_id is null
    )
  );
-- Deleting one's own mark is "mark unread", as setting read_at back to null is for a personal one.
create policy "users remove their own read marks" on public.notification_reads
  for delete to authenticated using (user_id = (select auth.uid()));

revoke all on public.notification_reads from anon, authenticated;
grant select, insert, delete on public.notification_reads to authenticated;

-- Marks notifications read for the caller: `ids` null means every notification the caller can
-- read (in `organization_id` when given, else in all their organisations). Personal ones get
-- read_at, org-wide ones a notification_reads row. Returns how many became read now (already
-- read ones and ids the caller cannot read count nothing), so "mark all read" twice answers 0.
-- Security invoker: RLS decides which notifications the caller reaches.
create or replace function public.mark_notifications_read(ids uuid[] default null, organization_id uuid default null)
returns integer
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  me constant uuid := (select auth.uid());
  personal integer;
  org_wide integer;
begin
  if me is null then
    raise exception 'mark_notifications_read needs a signed-in user' using errcode = '42501';
  end if;
  update public.notifications n
     set read_at = now()
   where n.user_id = me and n.read_at is null
     and (mark_notifications_read.ids is null or n.id = any (mark_notifications_read.ids))
     and (mark_notifications_read.organization_id is null or n.organization_id = mark_notifications_read.organization_id);
  get diagnostics personal = row_count;
  insert into public.notification_reads (notification_id, user_id)
  select n.id, me
    from public.notifications n
   where n.user_id is null
     and (mark_notifications_read.ids is null or n.id = any (mark_notifications_read.ids))
     and (mark_notifications_read.organization_id is null or n.organization_id = mark_notifications_read.organization_id)
  on conflict (notification_id, user_id) do nothing;
  get diagnostics org_wide = row_count;
  return personal + org_wide;
end;
$$;

revoke execute on function public.mark_notifications_read(uuid[], uuid) from public, anon;
grant execute on function public.mark_notifications_read(uuid[], uuid) to authenticated;

-- The caller's notifications with their read state: what a notification list reads
-- (`supabase.from('my_notifications').select().eq('organization_id', org)`). read_at is the
-- personal read_at or the caller's mark of an org-wide one; is_read says whether there is one.
-- security_invoker: the caller's RLS on both tables applies, as if they queried them directly.
create view public.my_notifications with (security_invoker = true) as
select n.id, n.organization_id, n.user_id, n.level, n.message, n.action_url, n.persistent, n.source,
       n.created_at,
       case when n.user_id is null then r.read_at else n.read_at end as read_at,
       (case when n.user_id is null then r.read_at else n.read_at end) is not null as is_read
  from public.notifications n
  left join public.notification_reads r
    on r.notification_id = n.id and r.user_id = (select auth.uid());

revoke all on public.my_notifications from anon, authenticated;
grant select on public.my_notifications to authenticated;
