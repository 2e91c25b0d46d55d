import { z } from 'zod';
import { AGENT_RUN_STATUSES, TEAM_UPDATE_TYPES, resultSummarySchema } from '../contract/index.ts';

/*
 * Rows read back over REST are a boundary like any other: validated with zod before they reach a
 * store. Column lists are the exact `select` each store asks for.
 */

const timestamp = z.string().min(1);

/** Read from the view public.agent_run_states: the run, `stalled` and the server's clock (`read_at`). */
export const AGENT_RUN_COLUMNS =
  'id,agent_id,status,progress,current_task,estimated_time,queue_position,attempt,error,result,publisher_id,requested_by,priority,lease_expires_at,stalled,read_at,seq,updated_at';
export const agentRunRowSchema = z.object({
  id: z.string(),
  agent_id: z.string(),
  status: z.enum(AGENT_RUN_STATUSES),
  progress: z.number().nullable(),
  current_task: z.string().nullable(),
  estimated_time: z.number().nullable(),
  queue_position: z.number().nullable(),
  attempt: z.number().nullable(),
  error: z.string().nullable(),
  // A row written before results were bounded may hold anything: it is shown without its result.
  result: resultSummarySchema.nullable().catch(null),
  publisher_id: z.string().nullable(),
  requested_by: z.string().nullable(),
  priority: z.number(),
  lease_expires_at: z.string().nullable(),
  stalled: z.boolean(),
  read_at: timestamp,
  seq: z.coerce.number(),
  updated_at: timestamp,
});
export type AgentRunRow = z.infer<typeof agentRunRowSchema>;

export const TEAM_UPDATE_COLUMNS = 'id,update_type,message,user_id,territory,publisher_id,details,created_at';
export const teamUpdateRowSchema = z.object({
  id: z.string(),
  update_type: z.enum(TEAM_UPDATE_TYPES),
  message: z.string(),
  user_id: z.string().nullable(),
  territory: z.string().nullable(),
  publisher_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  created_at: timestamp,
});
export type TeamUpdateRow = z.infer<typeof teamUpdateRowSchema>;

export const NOTIFICATION_COLUMNS = 'id,user_id,level,message,action_url,persistent,read_at,created_at';
export const notificationRowSchema = z.object({
  id: z.string(),
  user_id: z.string().nullable(),
  level: z.enum(['info', 'warning', 'error', 'success']),
  message: z.string(),
  action_url: z.string().nullable(),
  persistent: z.boolean(),
  read_at: z.string().nullable(),
  created_at: timestamp,
});
export type NotificationRow = z.infer<typeof notificationRowSchema>;

export const PUBLISHER_COLUMNS =
  'id,organization_id,name,status,territory,owner_id,custom_fields,version,updated_by,updated_at';
export const publisherRowSchema = z.object({
  id: z.string(),
  organization_id: z.string(),
  name: z.string(),
  status: z.string(),
  territory: z.string().nullable(),
  owner_id: z.string().nullable(),
  custom_fields: z.record(z.string(), z.unknown()),
  version: z.number(),
  updated_by: z.string().nullable(),
  updated_at: timestamp,
});
export type PublisherRow = z.infer<typeof publisherRowSchema>;

export const CAMPAIGN_COLUMNS =
  'id,publisher_id,name,status,impressions,clicks,conversions,spend,points,last_recorded_at,updated_at';
// bigint and numeric columns arrive as numbers or (beyond 2^53, or numeric) strings.
const figure = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]);
export const campaignRowSchema = z.object({
  id: z.string(),
  publisher_id: z.string(),
  name: z.string(),
  status: z.string(),
  impressions: figure,
  clicks: figure,
  conversions: figure,
  spend: figure,
  points: z.number(),
  last_recorded_at: timestamp.nullable(),
  updated_at: timestamp,
});
export type CampaignRow = z.infer<typeof campaignRowSchema>;

export const CAMPAIGN_POINT_COLUMNS = 'id,campaign_id,recorded_at,impressions,clicks,conversions,spend,created_at';
export const campaignPointRowSchema = z.object({
  id: z.coerce.number(),
  campaign_id: z.string(),
  recorded_at: timestamp,
  impressions: figure,
  clicks: figure,
  conversions: figure,
  spend: figure,
  created_at: timestamp,
});
export type CampaignPointRow = z.infer<typeof campaignPointRowSchema>;

export const KPI_COLUMNS =
  'publishers_total,publishers_by_status,runs_queued,runs_processing,campaigns_active,impressions,clicks,conversions,spend,click_through_rate,conversion_rate,cost_per_conversion';
const figureNumber = figure.transform(Number);
export const kpiRowSchema = z.object({
  publishers_total: z.number(),
  publishers_by_status: z.record(z.string(), z.number()),
  runs_queued: z.number(),
  runs_processing: z.number(),
  campaigns_active: z.number(),
  impressions: figureNumber,
  clicks: figureNumber,
  conversions: figureNumber,
  spend: figureNumber,
  click_through_rate: figureNumber.nullable(),
  conversion_rate: figureNumber.nullable(),
  cost_per_conversion: figureNumber.nullable(),
});
export type KpiRow = z.infer<typeof kpiRowSchema>;

/** Parses a list of rows, keeping the valid ones and naming the first invalid one. */
export function parseRows<T>(schema: z.ZodType<T>, data: unknown): { rows: T[]; invalid: string | null } {
  const rows: T[] = [];
  let invalid: string | null = null;
  for (const item of Array.isArray(data) ? data : []) {
    const parsed = schema.safeParse(item);
    if (parsed.success) rows.push(parsed.data);
    else invalid ??= parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  }
  return { rows, invalid };
}

/** Postgres timestamps (`2026-12-01 15:00:00.123+00`, or ISO) → milliseconds, for ordering. */
export function timeOf(value: string): number {
  return Date.parse(value.includes('T') ? value : value.replace(' ', 'T'));
}
