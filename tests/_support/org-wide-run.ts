import { randomUUID } from 'node:crypto';

interface Queries {
  query<Row>(sql: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
}

/**
 * A processing agent run about no publisher, so its `agent_status` is broadcast on `org:<org>`.
 * The seed's runs do not serve there: one is about a US_West publisher (its territory's topic),
 * the other is completed, which is final.
 */
export async function createOrgWideRun(db: Queries, organizationId: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into public.agent_runs (organization_id, agent_id, status) values ($1, 'org-wide-agent', 'processing') returning id`,
    [organizationId],
  );
  return rows[0]!.id;
}

/**
 * Changes the run's task and priority; answers the id of the `agent_status` message that change
 * broadcasts. The priority makes it a change of state, broadcast at once (a task alone may be
 * held back by the database's pacing of progress).
 */
export async function bumpRun(db: Queries, runId: string): Promise<string> {
  const { rows } = await db.query<{ seq: string }>(
    'update public.agent_runs set current_task = $2, priority = priority + 1 where id = $1 returning seq::text',
    [runId, `task ${randomUUID()}`],
  );
  return `${runId}:${rows[0]!.seq}`;
}
