import type { Queryable } from '../../../local-stack/db/index.ts';
import type { Relationship } from './introspect.ts';
import { viewColumnOrigins, type ColumnOrigin } from './node-tree.ts';

/**
 * Relationships through views, as PostgREST finds them (and postgres-meta types them): a view
 * that shows every column of a foreign key unchanged takes part in that key's relationship, on the
 * referencing side, the referenced side, or both. Origins are traced through views on views.
 */
type TableRelationship = Relationship & { relationId: string; referencedId: string };

interface KeyDependency {
  viewId: string;
  /** Per key column, in key order: the view columns showing it. */
  viewColumns: string[][];
}

interface View {
  id: string;
  schema: string;
  name: string;
  origins: ColumnOrigin[];
}

function cartesian(lists: string[][]): string[][] {
  return lists.reduce<string[][]>(
    (combos, list) => combos.flatMap((combo) => list.map((item) => [...combo, item])),
    [[]],
  );
}

export async function viewRelationships(
  db: Queryable,
  schemas: readonly string[],
  tableRelationships: readonly TableRelationship[],
): Promise<Relationship[]> {
  const views: View[] = (
    await db.query<{ id: string; schema: string; name: string; action: string }>(
      `select c.oid::text as id, n.nspname as schema, c.relname as name, r.ev_action::text as action
         from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('v', 'm') and n.nspname = any($1) and r.rulename = '_RETURN'`,
      [schemas],
    )
  ).rows.map(({ action, ...view }) => ({ ...view, origins: viewColumnOrigins(action) }));
  if (views.length === 0) return [];

  const attnames = new Map<string, string>();
  for (const row of (
    await db.query<{ rel: string; num: number; name: string }>(
      `select attrelid::text as rel, attnum::int as num, attname::text as name from pg_attribute
        where attnum > 0 and not attisdropped and attrelid = any($1::oid[])`,
      [[...new Set([...views.map((v) => v.id), ...views.flatMap((v) => v.origins.map((o) => String(o.relation)))])]],
    )
  ).rows) {
    attnames.set(`${row.rel}:${row.num}`, row.name);
  }
  const byId = new Map(views.map((v) => [v.id, v]));

  // For each view: (relation, column) → the view's columns reading it, directly or through views.
  const reads = new Map<string, Map<string, string[]>>();
  for (const view of views) {
    const map = new Map<string, string[]>();
    for (const origin of view.origins) {
      const viewColumn = attnames.get(`${view.id}:${origin.column}`);
      if (!viewColumn) continue;
      const seen = new Set<string>();
      let at: { relation: number; relationColumn: number } | undefined = origin;
      while (at && !seen.has(String(at.relation))) {
        seen.add(String(at.relation));
        const key = `${at.relation}:${at.relationColumn}`;
        map.set(key, [...(map.get(key) ?? []), viewColumn]);
        const inner = byId.get(String(at.relation));
        const column: number = at.relationColumn;
        at = inner?.origins.find((o) => o.column === column);
      }
    }
    reads.set(view.id, map);
  }

  const dependencies = (relation: string, columns: readonly string[]): KeyDependency[] =>
    views.flatMap((view) => {
      const map = reads.get(view.id)!;
      const viewColumns = columns.map((column) => {
        const entry = [...map.entries()].find(
          ([key]) => key.startsWith(`${relation}:`) && attnames.get(key) === column,
        );
        return entry?.[1] ?? [];
      });
      return viewColumns.every((c) => c.length > 0) ? [{ viewId: view.id, viewColumns }] : [];
    });

  return tableRelationships.flatMap((r) => {
    const fromViews = dependencies(r.relationId, r.columns);
    const toViews = dependencies(r.referencedId, r.referencedColumns);
    const view = (id: string) => byId.get(id)!;
    return [
      ...fromViews.flatMap((dep) =>
        cartesian(dep.viewColumns).map((columns) => ({
          ...r,
          schema: view(dep.viewId).schema,
          relation: view(dep.viewId).name,
          columns,
        })),
      ),
      ...toViews.flatMap((dep) =>
        cartesian(dep.viewColumns).map((referencedColumns) => ({
          ...r,
          referencedSchema: view(dep.viewId).schema,
          referencedRelation: view(dep.viewId).name,
          referencedColumns,
        })),
      ),
      ...fromViews.flatMap((from) =>
        cartesian(from.viewColumns).flatMap((columns) =>
          toViews.flatMap((to) =>
            cartesian(to.viewColumns).map((referencedColumns) => ({
              ...r,
              schema: view(from.viewId).schema,
              relation: view(from.viewId).name,
              columns,
              referencedSchema: view(to.viewId).schema,
              referencedRelation: view(to.viewId).name,
              referencedColumns,
            })),
          ),
        ),
      ),
    ];
  });
}
