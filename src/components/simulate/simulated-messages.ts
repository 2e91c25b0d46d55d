import { MESSAGE_TYPES, type MessageType } from '../../contract/index.ts';
import type { OutgoingMessage } from '../../react/index.ts';

export interface SimulationContext {
  readonly userId: string;
  readonly displayName: string;
  /** The first territory the user is limited to, if any; team updates are scoped to it. */
  readonly territory: string | null;
  /** A publisher the user may see, for publisher_update. */
  readonly publisherId: string | null;
}

/**
 * The seed's five message types. campaign_metric is not simulated: a data point names a campaign,
 * and agents write those as campaign_metrics rows (docs/data-model.md "Campaigns").
 */
export type SimulatedType = Exclude<MessageType, 'campaign_metric'>;
export const SIMULATED_TYPES: readonly SimulatedType[] = MESSAGE_TYPES.filter(
  (type): type is SimulatedType => type !== 'campaign_metric',
);

/**
 * One plausible message of each type, as the signed-in user would send it (the seed's test
 * functions). The bridge decides whether this user may send it; refusals are shown, not hidden.
 */
export function simulatedMessage(type: SimulatedType, ctx: SimulationContext): OutgoingMessage {
  switch (type) {
    case 'user_snapshot':
      return {
        type,
        data: {
          userId: ctx.userId,
          activity: {
            action: 'Simulated activity',
            status: 'online',
            ...(ctx.territory ? { territory: ctx.territory } : {}),
          },
        },
      };
    case 'agent_status':
      return {
        type,
        data: {
          agentId: 'simulated-agent',
          status: 'processing',
          progress: { progress: 50, currentTask: 'Simulated task', estimatedTime: 30 },
        },
      };
    case 'team_update':
      return {
        type,
        ...(ctx.territory ? { target: { territory: ctx.territory } } : {}),
        data: {
          updateType: 'assignment',
          message: `Simulated team update from ${ctx.displayName}`,
          userId: ctx.userId,
          territory: ctx.territory,
          details: {},
        },
      };
    case 'publisher_update':
      return {
        type,
        ...(ctx.publisherId ? { target: { publisherId: ctx.publisherId } } : {}),
        data: { publisherId: ctx.publisherId, update: { field: 'status', newValue: 'active', updatedBy: ctx.userId } },
      };
    case 'notification':
      return {
        type,
        target: { userId: ctx.userId },
        data: { message: `Simulated notification for ${ctx.displayName}`, level: 'info', userId: ctx.userId },
      };
  }
}
