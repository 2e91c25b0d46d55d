/**
 * The message types: the seed's five and `campaign_metric` (a campaign's data point). Kept free of
 * zod so that topic tables can import it cheaply.
 */
export const MESSAGE_TYPES = [
  'user_snapshot',
  'agent_status',
  'team_update',
  'publisher_update',
  'notification',
  'campaign_metric',
] as const;

export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Broadcast event names: the event of each message type is the type itself. */
export const EVENTS = {
  userSnapshot: 'user_snapshot',
  agentStatus: 'agent_status',
  teamUpdate: 'team_update',
  publisherUpdate: 'publisher_update',
  notification: 'notification',
  campaignMetric: 'campaign_metric',
} as const satisfies Record<string, MessageType>;

export function isMessageType(value: unknown): value is MessageType {
  return (MESSAGE_TYPES as readonly unknown[]).includes(value);
}
