import { MESSAGE_TYPES, type MessageType } from '../../contract/index.ts';

/** The body POST /api/websocket forwards to the bridge's /broadcast. */
export interface BroadcastRequest {
  readonly organizationId: string;
  readonly target?: { readonly userId: string } | { readonly territory: string } | { readonly publisherId: string };
  readonly message: { readonly type: MessageType; readonly data: Record<string, unknown> };
  readonly source?: string;
}

export interface SimulationContext {
  readonly organizationId: string;
  readonly userId: string;
  readonly email: string;
  /** The first territory the user may see, if any; team updates are scoped to it. */
  readonly territory: string | null;
  /** A publisher the user may see, for publisher_update. */
  readonly publisherId: string | null;
}

export const SIMULATED_TYPES: readonly MessageType[] = MESSAGE_TYPES;

/**
 * One plausible message of each type, as the signed-in user would send it (the seed's test
 * functions). The bridge decides whether this user may send it; refusals are shown, not hidden.
 */
export function simulatedMessage(type: MessageType, ctx: SimulationContext): BroadcastRequest {
  const base = { organizationId: ctx.organizationId, source: 'dashboard' } as const;
  switch (type) {
    case 'user_snapshot':
      return {
        ...base,
        message: {
          type,
          data: { userId: ctx.userId, activity: { action: 'Simulated activity', status: 'online', ...(ctx.territory ? { territory: ctx.territory } : {}) } },
        },
      };
    case 'agent_status':
      return {
        ...base,
        message: {
          type,
          data: { agentId: 'simulated-agent', status: 'processing', progress: { progress: 50, currentTask: 'Simulated task', estimatedTime: 30 } },
        },
      };
    case 'team_update':
      return {
        ...base,
        ...(ctx.territory ? { target: { territory: ctx.territory } } : {}),
        message: {
          type,
          data: { updateType: 'assignment', message: `Simulated team update from ${ctx.email}`, userId: ctx.userId, territory: ctx.territory, details: {} },
        },
      };
    case 'publisher_update':
      return {
        ...base,
        ...(ctx.publisherId ? { target: { publisherId: ctx.publisherId } } : {}),
        message: {
          type,
          data: { publisherId: ctx.publisherId, update: { field: 'status', newValue: 'active', updatedBy: ctx.userId } },
        },
      };
    case 'notification':
      return {
        ...base,
        target: { userId: ctx.userId },
        message: { type, data: { message: `Simulated notification for ${ctx.email}`, level: 'info', userId: ctx.userId } },
      };
  }
}
