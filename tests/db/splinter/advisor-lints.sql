-- The checks behind Supabase's Security and Performance Advisors, for this project's tests.
--
-- Source: Supabase's database linter, supabase/splinter (`splinter.sql`, read at commit 55db5b1,
-- April 2026). This file is our own rewrite of the checks we can meet, not a copy: lint names,
-- levels and categories are Supabase's, so a finding here reads the same as in the dashboard.
-- Left out: checks for features this project does not use (pgmq queues, Storage buckets,
-- pg_graphql), table bloat (needs statistics a fresh test database does not have) and the
-- sensitive-column-name heuristic.
--
-- One statement; run it in a transaction after `set local pgrst.db_schemas = 'public'` (the
-- schemas PostgREST exposes). Each row: name, level, categories, detail, cache_key.
with internal(nspname) as (
  -- Schemas owned by Supabase or by extensions, which the Advisors never report on.
  select unnest(array[
    '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_config', '_timescaledb_internal',
    'auth', 'cron', 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net', 'pgmq',
    'pgroonga', 'pgsodium', 'pgsodium_masks', 'pgtle', 'pgbouncer', 'pg_catalog', 'pg_toast',
    'realtime', 'repack', 'storage', 'supabase_functions', 'supabase_migrations', 'tiger',
    'topology', 'vault'
  ])
),
exposed(nspname) as (
  select trim(s) from unnest(string_to_array(coalesce(current_setting('pgrst.db_schemas', true), ''), ',')) as s
),
extension_owned(objid) as (
  select objid from pg_catalog.pg_depend where deptype = 'e'
),
-- Ordinary tables, views, materialized views and foreign tables of the project (not internal,
-- not created by an extension), with whether the API roles can select from them.
relations as (
  select c.oid, n.nspname as schema_name, c.relname as name, c.relkind, c.relrowsecurity as rls,
         c.reloptions,
         pg_catalog.has_table_privilege('anon', c.oid, 'SELECT')
           or pg_catalog.has_table_privilege('authenticated', c.oid, 'SELECT') as api_selectable,
         n.nspname in (select nspname from exposed) as in_api
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('r', 'p', 'v', 'm', 'f')
     and n.nspname not in (select nspname from internal)
     and n.nspname not like 'pg_temp%'
     and c.oid not in (select objid from extension_owned)
),
policies as (
  select n.nspname as schema_name, c.relname as table_name, c.relrowsecurity as rls, c.relkind,
         p.polname as policy_name, p.polpermissive as permissive, p.polroles as roles, p.polcmd as cmd,
         pg_catalog.pg_get_expr(p.polqual, p.polrelid) as qual,
         pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_catalog.pg_policy p
    join pg_catalog.pg_class c on c.oid = p.polrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where c.oid not in (select objid from extension_owned)
),
invoker_views as (
  select oid from relations
   where relkind = 'v'
     and lower(coalesce(reloptions::text, '{}'))::text[]
         && array['security_invoker=1', 'security_invoker=true', 'security_invoker=yes', 'security_invoker=on']
),
-- A call to one of these in a policy must be wrapped in `(select …)`, or Postgres runs it per row.
per_row_calls(call) as (
  select unnest(array['auth.uid()', 'auth.jwt()', 'auth.role()', 'auth.email()', 'current_setting('])
),
always_true(expr) as (
  select unnest(array['true', '(true)', '1=1', '(1=1)'])
),
functions as (
  select p.oid, n.nspname as schema_name, p.proname as name, p.prosecdef as security_definer,
         p.proconfig as config, pg_catalog.pg_get_function_identity_arguments(p.oid) as args
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where p.oid not in (select objid from extension_owned)
)

-- 0001: a foreign key with no index whose leading columns are its columns (joins and cascades scan).
select 'unindexed_foreign_keys' as name, 'INFO' as level, array['PERFORMANCE'] as categories,
       format('Table `%s.%s` has a foreign key `%s` without a covering index', r.schema_name, r.name, k.conname) as detail,
       format('unindexed_foreign_keys_%s_%s_%s', r.schema_name, r.name, k.conname) as cache_key
  from pg_catalog.pg_constraint k
  join relations r on r.oid = k.conrelid
 where k.contype = 'f'
   and not exists (
     select from pg_catalog.pg_index i
      where i.indrelid = k.conrelid and i.indisvalid
        and (string_to_array(i.indkey::text, ' ')::smallint[])[1:cardinality(k.conkey)] = k.conkey
   )

-- 0002: auth.users readable by the API roles through a view or materialized view.
union all
select 'auth_users_exposed', 'ERROR', array['SECURITY'],
       format('View/Materialized View "%s" in the public schema may expose `auth.users` data to anon or authenticated roles', r.name),
       format('auth_users_exposed_%s_%s', r.schema_name, r.name)
  from relations r
 where r.relkind in ('v', 'm') and r.api_selectable and r.in_api
   and exists (
     select from pg_catalog.pg_rewrite w
       join pg_catalog.pg_depend d on d.objid = w.oid and d.deptype = 'n'
      where w.ev_class = r.oid and d.refobjid = 'auth.users'::regclass
   )
   and (
     r.relkind = 'm'
     or r.oid not in (select oid from invoker_views)
     or not (select relrowsecurity from pg_catalog.pg_class where oid = 'auth.users'::regclass)
   )

-- 0003: auth.<function>() or current_setting() re-evaluated for every row by a policy.
union all
select 'auth_rls_initplan', 'WARN', array['PERFORMANCE'],
       format('Table `%s.%s` has a row level security policy `%s` that re-evaluates current_setting() or auth.<function>() for each row', p.schema_name, p.table_name, p.policy_name),
       format('auth_rls_init_plan_%s_%s_%s', p.schema_name, p.table_name, p.policy_name)
  from policies p
 where p.rls
   and (p.schema_name = 'realtime' or p.schema_name not in (select nspname from internal))
   and exists (
     select from per_row_calls f, unnest(array[p.qual, p.with_check]) as e(expr)
      where strpos(e.expr, f.call) > 0 and strpos(lower(e.expr), 'select ' || f.call) = 0
   )

-- 0004: a table without a primary key (no replication identity, slow updates from clients).
union all
select 'no_primary_key', 'INFO', array['PERFORMANCE'],
       format('Table `%s.%s` does not have a primary key', r.schema_name, r.name),
       format('no_primary_key_%s_%s', r.schema_name, r.name)
  from relations r
 where r.relkind = 'r'
   and not exists (select from pg_catalog.pg_index i where i.indrelid = r.oid and i.indisprimary)

-- 0005: an index never scanned (expected on a fresh database; the test tolerates it).
union all
select 'unused_index', 'INFO', array['PERFORMANCE'],
       format('Index `%s` on table `%s.%s` has not been used', s.indexrelname, s.schemaname, s.relname),
       format('unused_index_%s_%s_%s', s.schemaname, s.relname, s.indexrelname)
  from pg_catalog.pg_stat_user_indexes s
  join pg_catalog.pg_index i on i.indexrelid = s.indexrelid
 where s.idx_scan = 0 and not i.indisunique and not i.indisprimary
   and s.schemaname not in (select nspname from internal)
   and s.relid not in (select objid from extension_owned)

-- 0006: two permissive policies for one role and action: Postgres evaluates both on every query.
union all
select 'multiple_permissive_policies', 'WARN', array['PERFORMANCE'],
       format('Table `%s.%s` has multiple permissive policies for role `%s` for action `%s`. Policies include `%s`',
              p.schema_name, p.table_name, r.rolname, a.action, array_agg(p.policy_name order by p.policy_name)::text),
       format('multiple_permissive_policies_%s_%s_%s_%s', p.schema_name, p.table_name, r.rolname, a.action)
  from policies p
  join pg_catalog.pg_roles r on r.oid = any(p.roles) or p.roles = array[0::oid]
  cross join lateral unnest(case p.cmd
    when 'r' then array['SELECT'] when 'a' then array['INSERT'] when 'w' then array['UPDATE']
    when 'd' then array['DELETE'] else array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] end) as a(action)
 where p.relkind = 'r' and p.permissive
   and p.schema_name not in (select nspname from internal)
   and r.rolname not like 'pg\_%' and r.rolname not like 'supabase%admin' and not r.rolbypassrls
 group by p.schema_name, p.table_name, r.rolname, a.action
having count(*) > 1

-- 0007: policies written, but RLS never enabled: the policies do nothing.
union all
select 'policy_exists_rls_disabled', 'ERROR', array['SECURITY'],
       format('Table `%s.%s` has RLS policies but RLS is not enabled on the table. Policies include %s',
              p.schema_name, p.table_name, array_agg(p.policy_name order by p.policy_name)::text),
       format('policy_exists_rls_disabled_%s_%s', p.schema_name, p.table_name)
  from policies p
 where p.relkind = 'r' and not p.rls and p.schema_name not in (select nspname from internal)
 group by p.schema_name, p.table_name

-- 0008: RLS enabled without any policy: every API request sees nothing.
union all
select 'rls_enabled_no_policy', 'INFO', array['SECURITY'],
       format('Table `%s.%s` has RLS enabled, but no policies exist', r.schema_name, r.name),
       format('rls_enabled_no_policy_%s_%s', r.schema_name, r.name)
  from relations r
 where r.relkind = 'r' and r.rls
   and not exists (select from pg_catalog.pg_policy p where p.polrelid = r.oid)

-- 0009: identical indexes on one table (each write maintains both).
union all
select 'duplicate_index', 'WARN', array['PERFORMANCE'],
       format('Table `%s.%s` has identical indexes %s. Drop all except one of them', r.schema_name, r.name,
              array_agg(ix.indexname order by ix.indexname)::text),
       format('duplicate_index_%s_%s_%s', r.schema_name, r.name, array_to_string(array_agg(ix.indexname order by ix.indexname), '_'))
  from relations r
  join pg_catalog.pg_indexes ix on ix.schemaname = r.schema_name and ix.tablename = r.name
 where r.relkind in ('r', 'm')
 group by r.schema_name, r.name, replace(ix.indexdef, ix.indexname, '')
having count(*) > 1

-- 0010: a view the API roles can read that runs with its owner's rights (RLS bypassed).
union all
select 'security_definer_view', 'ERROR', array['SECURITY'],
       format('View `%s.%s` is defined with the SECURITY DEFINER property', r.schema_name, r.name),
       format('security_definer_view_%s_%s', r.schema_name, r.name)
  from relations r
 where r.relkind = 'v' and r.api_selectable and r.in_api
   and r.oid not in (select oid from invoker_views)
   and current_setting('server_version_num')::int >= 150000

-- 0011: a function whose search_path comes from the caller (a caller's objects can shadow its names).
union all
select 'function_search_path_mutable', 'WARN', array['SECURITY'],
       format('Function `%s.%s` has a role mutable search_path', f.schema_name, f.name),
       format('function_search_path_mutable_%s_%s_%s', f.schema_name, f.name, md5(f.args))
  from functions f
 where f.schema_name not in (select nspname from internal)
   and not exists (select from unnest(coalesce(f.config, '{}')) as c(setting) where c.setting like 'search\_path=%')

-- 0013: a table the API serves with RLS off: every row open to the anon key.
union all
select 'rls_disabled_in_public', 'ERROR', array['SECURITY'],
       format('Table `%s.%s` is public, but RLS has not been enabled', r.schema_name, r.name),
       format('rls_disabled_in_public_%s_%s', r.schema_name, r.name)
  from relations r
 where r.relkind = 'r' and not r.rls and r.api_selectable and r.in_api

-- 0014: extension functions in public are served by PostgREST as /rpc.
union all
select 'extension_in_public', 'WARN', array['SECURITY'],
       format('Extension `%s` is installed in the public schema. Move it to another schema', e.extname),
       format('extension_in_public_%s', e.extname)
  from pg_catalog.pg_extension e
 where e.extname <> 'plpgsql' and e.extnamespace = 'public'::regnamespace

-- 0015: policies trusting user_metadata, which every user can edit about themselves.
union all
select 'rls_references_user_metadata', 'ERROR', array['SECURITY'],
       format('Table `%s.%s` has a row level security policy `%s` that references Supabase Auth `user_metadata`', p.schema_name, p.table_name, p.policy_name),
       format('rls_references_user_metadata_%s_%s_%s', p.schema_name, p.table_name, p.policy_name)
  from policies p
 where p.schema_name not in (select nspname from internal)
   and exists (
     select from unnest(array[p.qual, p.with_check]) as e(expr)
      where e.expr ~ 'auth\.jwt\(\).*user_metadata' or e.expr ~ 'current_setting\(.*request\.jwt\.claims.*user_metadata'
   )

-- 0016 and 0017: materialized views and foreign tables have no RLS, yet the API serves them.
union all
select case r.relkind when 'm' then 'materialized_view_in_api' else 'foreign_table_in_api' end, 'WARN', array['SECURITY'],
       format(case r.relkind when 'm' then 'Materialized view `%s.%s` is selectable by anon or authenticated roles'
                             else 'Foreign table `%s.%s` is accessible over APIs' end, r.schema_name, r.name),
       format(case r.relkind when 'm' then 'materialized_view_in_api_%s_%s' else 'foreign_table_in_api_%s_%s' end, r.schema_name, r.name)
  from relations r
 where r.relkind in ('m', 'f') and r.api_selectable and r.in_api

-- 0018: reg* columns that pg_upgrade cannot carry over (they store OIDs).
union all
select 'unsupported_reg_types', 'WARN', array['SECURITY'],
       format('Table `%s.%s` has a column `%s` with unsupported reg* type `%s`', r.schema_name, r.name, a.attname, t.typname),
       format('unsupported_reg_types_%s_%s_%s', r.schema_name, r.name, a.attname)
  from relations r
  join pg_catalog.pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
  join pg_catalog.pg_type t on t.oid = a.atttypid
 where t.typname in ('regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper', 'regoperator', 'regproc', 'regprocedure')

-- 0021: a foreign key to a unique (not primary) key of auth: Supabase Auth may change those.
union all
select 'fkey_to_auth_unique', 'ERROR', array['SECURITY'],
       format('Table `%s.%s` has a foreign key `%s` referencing an auth unique constraint', n.nspname, c.relname, k.conname),
       format('fkey_to_auth_unique_%s_%s_%s', n.nspname, c.relname, k.conname)
  from pg_catalog.pg_constraint k
  join pg_catalog.pg_class c on c.oid = k.conrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join pg_catalog.pg_class target on target.oid = k.confrelid
  join pg_catalog.pg_index i on i.indexrelid = k.conindid
 where k.contype = 'f' and target.relnamespace = 'auth'::regnamespace and i.indisunique and not i.indisprimary

-- 0022: an extension older than the version the server ships.
union all
select 'extension_versions_outdated', 'WARN', array['SECURITY'],
       format('Extension `%s` is using version `%s`, but version `%s` is available', e.extname, e.extversion, a.default_version),
       format('extension_versions_outdated_%s_%s', e.extname, e.extversion)
  from pg_catalog.pg_extension e
  join pg_catalog.pg_available_extensions a on a.name = e.extname
 where a.default_version is not null and e.extversion <> a.default_version
   and exists (select from pg_catalog.pg_available_extension_versions v where v.name = e.extname and v.version = e.extversion)

-- 0024: a permissive policy for the API roles whose condition is always true.
union all
select 'rls_policy_always_true', 'WARN', array['SECURITY'],
       format('Table `%s.%s` has an RLS policy `%s` that allows unrestricted access', p.schema_name, p.table_name, p.policy_name),
       format('rls_policy_always_true_%s_%s_%s', p.schema_name, p.table_name, p.policy_name)
  from policies p
 where p.relkind = 'r' and p.rls and p.permissive
   and p.schema_name not in (select nspname from internal)
   and (p.roles = array[0::oid] or exists (select from unnest(p.roles) as o(oid) where o.oid::regrole::text in ('anon', 'authenticated')))
   and (
     (p.cmd in ('w', 'd', '*') and (p.qual is null or regexp_replace(lower(p.qual), '\s', '', 'g') in (select expr from always_true)))
     or regexp_replace(lower(coalesce(p.with_check, '')), '\s', '', 'g') in (select expr from always_true)
     or (p.with_check is null and p.cmd = 'a')
     or (p.with_check is null and p.cmd in ('w', '*') and regexp_replace(lower(coalesce(p.qual, '')), '\s', '', 'g') in (select expr from always_true))
   )

-- 0028 and 0029: SECURITY DEFINER functions the API roles can call as /rest/v1/rpc.
union all
select format('%s_security_definer_function_executable', r.role), 'WARN', array['SECURITY'],
       format('Function `%s.%s(%s)` can be executed by the `%s` role as a `SECURITY DEFINER` function', f.schema_name, f.name, f.args, r.role),
       format('%s_security_definer_function_executable_%s_%s_%s', r.role, f.schema_name, f.name, md5(f.args))
  from functions f
  cross join (values ('anon'), ('authenticated')) as r(role)
 where f.security_definer
   and f.schema_name in (select nspname from exposed)
   and f.schema_name not in (select nspname from internal)
   and pg_catalog.has_function_privilege(r.role, f.oid, 'EXECUTE')
