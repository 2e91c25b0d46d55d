import { hasSqlState, readCatalogGeneration, SQLSTATE, type Database } from '../../db/index.ts';

/** NOTIFY channel carrying the id of each captured change (fires at commit). */
export const CHANGES_CHANNEL = 'pubdev_realtime_changes';

/** The publication Postgres Changes serves (§5.1; Realtime's default per-tenant setting). */
const PUBLICATION = 'supabase_realtime';

const TRIGGER_NAME = 'pubdev_local_capture_changes';

/*
 * Local stand-in for Realtime's WAL reader (§5.5): Supabase decodes the publication's changes from
 * a logical slot with wal2json; PGlite has no logical decoding, so both backends use the same
 * row trigger instead. The queue table is unlogged because a change is worth nothing after a
 * restart (Realtime's slot is temporary too). The trigger function is SECURITY DEFINER because it
 * runs as the writer's role (anon, authenticated…), which has no rights on pubdev_local.
 * `check_filter` / `validate_filter` follow Realtime's `check_equality_op` and
 * `subscription_check_filters`: values are compared after a cast to the column's type. Every
 * function pins its search_path (Supabase's linter: function_search_path_mutable); with only
 * pg_catalog on it, a column type from another schema prints schema-qualified in the casts.
 */
const CAPTURE_SQL = `
create schema if not exists pubdev_local;
revoke all on schema pubdev_local from public;

create unlogged table if not exists pubdev_local.changes (
  id bigint generated always as identity primary key,
  schema_name text not null,
  table_name text not null,
  type text not null,
  record jsonb,
  old_record jsonb,
  -- A trigger cannot know the commit time; the time of the change is the closest it gets.
  commit_timestamp timestamptz not null default clock_timestamp()
);

create or replace function pubdev_local.capture_change() returns trigger
language plpgsql security definer set search_path = pg_catalog
as $$
declare
  change_id bigint;
begin
  -- Realtime decodes only the operations the publication publishes (pubinsert/pubupdate/pubdelete
  -- become wal2json's actions); TRUNCATE never reaches a row trigger, nor a Realtime client.
  if not exists (
    select 1 from pg_catalog.pg_publication
     where pubname = '${PUBLICATION}'
       and case tg_op when 'INSERT' then pubinsert when 'UPDATE' then pubupdate else pubdelete end
  ) then
    return null;
  end if;
  insert into pubdev_local.changes (schema_name, table_name, type, record, old_record)
  values (
    tg_table_schema, tg_table_name, tg_op,
    case when tg_op <> 'DELETE' then to_jsonb(new) end,
    case when tg_op <> 'INSERT' then to_jsonb(old) end
  )
  returning id into change_id;
  perform pg_notify('${CHANGES_CHANNEL}', change_id::text);
  return null;
end;
$$;

create or replace function pubdev_local.filter_expression(op text, type_ regtype, val_1 text, val_2 text)
returns text
language sql immutable set search_path = pg_catalog
as $$
  select case op
    when 'eq' then format('%s::%s = %L::%s', quote_nullable(val_1), type_, val_2, type_)
    when 'neq' then format('%s::%s <> %L::%s', quote_nullable(val_1), type_, val_2, type_)
    when 'lt' then format('%s::%s < %L::%s', quote_nullable(val_1), type_, val_2, type_)
    when 'lte' then format('%s::%s <= %L::%s', quote_nullable(val_1), type_, val_2, type_)
    when 'gt' then format('%s::%s > %L::%s', quote_nullable(val_1), type_, val_2, type_)
    when 'gte' then format('%s::%s >= %L::%s', quote_nullable(val_1), type_, val_2, type_)
    when 'in' then format('%s::%s = any(%L::%s[])', quote_nullable(val_1), type_, val_2, type_)
    when 'like' then format('%s::%s ~~ %L', quote_nullable(val_1), type_, val_2)
    when 'ilike' then format('%s::%s ~~* %L', quote_nullable(val_1), type_, val_2)
    when 'match' then format('%s::%s ~ %L', quote_nullable(val_1), type_, val_2)
    when 'imatch' then format('%s::%s ~* %L', quote_nullable(val_1), type_, val_2)
    when 'isdistinct' then format('%s::%s is distinct from %L::%s', quote_nullable(val_1), type_, val_2, type_)
    when 'is' then format('%s::%s is %s', quote_nullable(val_1), type_,
      case val_2 when 'null' then 'null' when 'true' then 'true' when 'false' then 'false' else 'unknown' end)
  end
$$;

-- One change against a list of filters ({op, type, value_1, value_2, negate}); true when all pass.
-- A comparison with NULL fails unless the operator is is/isdistinct (§5.1).
create or replace function pubdev_local.check_filters(filters jsonb) returns boolean
language plpgsql stable set search_path = pg_catalog
as $$
declare
  f jsonb;
  res boolean;
begin
  for f in select * from jsonb_array_elements(filters) loop
    execute 'select ' || pubdev_local.filter_expression(f ->> 'op', (f ->> 'type')::oid::regtype, f ->> 'value_1', f ->> 'value_2')
      into res;
    if (f ->> 'negate')::boolean then res := not res; end if;
    if res is not true then return false; end if;
  end loop;
  return true;
end;
$$;

-- Subscribe-time validation of one filter, with the server's error messages.
create or replace function pubdev_local.validate_filter(op text, type_ regtype, value text) returns void
language plpgsql stable set search_path = pg_catalog
as $$
declare
  n integer;
begin
  if op = 'in' then
    execute format('select cardinality(%L::%s[])', value, type_) into n;
    if coalesce(n, 0) > 100 then
      raise exception 'too many values for \`in\` filter. Maximum 100';
    end if;
  elsif op = 'is' then
    if value not in ('null', 'true', 'false', 'unknown') then
      raise exception 'invalid value for is filter: must be null, true, false, or unknown';
    end if;
    if value <> 'null' and type_ <> 'boolean'::regtype then
      raise exception 'is % filter requires a boolean column, got %', value, type_::text;
    end if;
  elsif op in ('like', 'ilike') then
    if not exists (select 1 from pg_catalog.pg_operator where oprname = '~~' and oprleft = type_) then
      raise exception 'operator % requires a text-compatible column type, got %', op, type_::text;
    end if;
  elsif op in ('match', 'imatch') then
    if not exists (
      select 1 from pg_catalog.pg_operator
       where oprname = case when op = 'imatch' then '~*' else '~' end
         and oprleft = type_ and oprright = type_ and oprresult = 'boolean'::regtype
    ) then
      raise exception 'operator % requires a text-compatible column type, got %', op, type_::text;
    end if;
    begin
      perform '' ~ value;
    exception when others then
      raise exception 'invalid regular expression for % filter: %', op, sqlerrm;
    end;
  else
    execute format('select %L::%s', value, type_);
  end if;
end;
$$;
`;

/** Creates the queue, the trigger function and the filter helpers (idempotent); drops stale changes. */
export async function installChangeCapture(db: Database): Promise<void> {
  await db.exec(CAPTURE_SQL);
  // Changes queued while no engine ran would arrive out of context; Realtime's slot starts fresh too.
  await db.exec('truncate pubdev_local.changes');
}

export interface PublishedTable {
  schema: string;
  table: string;
  /** Whether our capture trigger is on the table. */
  captured: boolean;
}

async function listPublishedTables(db: Database): Promise<PublishedTable[]> {
  const { rows } = await db.query<PublishedTable>(
    `select p.schemaname as schema, p.tablename as table,
            exists (
              select 1 from pg_trigger t
               where t.tgrelid = format('%I.%I', p.schemaname, p.tablename)::regclass and t.tgname = $2
            ) as captured
       from pg_publication_tables p
      where p.pubname = $1
      order by 1, 2`,
    [PUBLICATION, TRIGGER_NAME],
  );
  return rows;
}

/** The publication as last scanned, and the catalog generation it was scanned under. */
const lastScan = new WeakMap<Database, { generation: number; tables: PublishedTable[] }>();

/**
 * Installs the capture trigger on every published table that lacks it; returns the publication's
 * tables. Scans again only after a DDL command (ALTER PUBLICATION among them) has committed.
 */
export async function capturePublishedTables(db: Database): Promise<PublishedTable[]> {
  const generation = await readCatalogGeneration(db);
  const last = lastScan.get(db);
  if (last?.generation === generation) return last.tables;
  const tables = await listPublishedTables(db);
  // Installing a trigger is DDL and moves the generation: only a scan that installed none is kept.
  if (tables.every((t) => t.captured)) lastScan.set(db, { generation, tables });
  for (const t of tables.filter((t) => !t.captured)) {
    // Identifiers come from pg_publication_tables and are quoted with format('%I').
    const { rows } = await db.query<{ sql: string }>(
      `select format('create trigger %I after insert or update or delete on %I.%I for each row execute function pubdev_local.capture_change()',
                     $1::text, $2::text, $3::text) as sql`,
      [TRIGGER_NAME, t.schema, t.table],
    );
    try {
      await db.exec(rows[0]!.sql);
    } catch (error) {
      // Another engine on the same database may have won the race; that trigger is as good as ours.
      if (!hasSqlState(error, SQLSTATE.duplicateObject)) throw error;
    }
    t.captured = true;
  }
  return tables;
}
