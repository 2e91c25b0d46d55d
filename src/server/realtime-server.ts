import type { z } from 'zod';
import {
  allStatsSchema,
  BridgeRequestError,
  deliveredSchema,
  errorBodySchema,
  healthSchema,
  organizationStatsSchema,
  type AllOrganizationStats,
  type Delivered,
  type Health,
  type OrganizationStats,
  type SendOptions,
  type ServerMessage,
  type UserNotification,
} from './bridge-api.ts';

/** The service role (any organisation, every type) or a signed-in user (the role table applies). */
export type RealtimeServerOptions = { supabaseUrl: string; fetch?: typeof fetch } & (
  | { serviceRoleKey: string }
  | { accessToken: string }
);

export interface RealtimeServer {
  /** Sends a message to an organisation (org topic; a team_update's `territory` scopes it). */
  broadcastToOrganization(organizationId: string, message: ServerMessage, options?: SendOptions): Promise<Delivered>;
  /** A personal notification on `user:<userId>`; the user must be a member of the organisation. */
  sendToUser(
    organizationId: string,
    userId: string,
    notification: UserNotification,
    options?: SendOptions,
  ): Promise<Delivered>;
  /** A team_update on `org:<org>:territory:<territory>`. */
  sendToTerritory(
    organizationId: string,
    territory: string,
    message: Extract<ServerMessage, { type: 'team_update' }>,
    options?: SendOptions,
  ): Promise<Delivered>;
  /** Who is connected to one organisation (owners/admins), or to every one (service role only). */
  getConnectionStats(organizationId: string): Promise<OrganizationStats>;
  getConnectionStats(): Promise<AllOrganizationStats>;
  /** Database, REST and Realtime reachability; `status: 'down'` (HTTP 503) names what is down. */
  getHealth(): Promise<Health>;
}

const FUNCTION_PATH = '/functions/v1/realtime-bridge';

/**
 * Thin typed calls of the realtime-bridge edge function. Refusals throw BridgeRequestError with
 * the bridge's status and code.
 */
export function createRealtimeServer(options: RealtimeServerOptions): RealtimeServer {
  const base = `${options.supabaseUrl.replace(/\/$/, '')}${FUNCTION_PATH}`;
  const token = 'serviceRoleKey' in options ? options.serviceRoleKey : options.accessToken;
  const fetchFn = options.fetch ?? fetch;

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
    headers: Record<string, string> = {},
    accept: readonly number[] = [],
  ): Promise<T> {
    const response = await fetchFn(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new BridgeRequestError(
        response.status,
        'invalid_response',
        `The bridge answered ${response.status} with a body that is not JSON`,
      );
    }
    if (response.ok || accept.includes(response.status)) {
      const parsed = schema.safeParse(json);
      if (parsed.success) return parsed.data;
      throw new BridgeRequestError(
        response.status,
        'invalid_response',
        `Unexpected answer from the bridge: ${parsed.error.message}`,
      );
    }
    const error = errorBodySchema.safeParse(json);
    if (error.success)
      throw new BridgeRequestError(
        response.status,
        error.data.error.code,
        error.data.error.message,
        error.data.error.details,
      );
    throw new BridgeRequestError(
      response.status,
      'http_error',
      `The bridge answered ${response.status}: ${text.slice(0, 200)}`,
    );
  }

  function send(body: Record<string, unknown>, options: SendOptions = {}): Promise<Delivered> {
    const headers = options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {};
    return call(
      'POST',
      '/broadcast',
      deliveredSchema,
      { ...body, ...(options.source ? { source: options.source } : {}) },
      headers,
    );
  }

  function withDefaults(message: ServerMessage): ServerMessage {
    if (message.type !== 'team_update') return message;
    return { ...message, data: { ...message.data, details: message.data.details ?? {} } };
  }

  function getConnectionStats(organizationId: string): Promise<OrganizationStats>;
  function getConnectionStats(): Promise<AllOrganizationStats>;
  function getConnectionStats(organizationId?: string): Promise<OrganizationStats | AllOrganizationStats> {
    if (organizationId === undefined) return call('GET', '/stats', allStatsSchema);
    return call('GET', `/stats?organizationId=${encodeURIComponent(organizationId)}`, organizationStatsSchema);
  }

  return {
    broadcastToOrganization: (organizationId, message, options) =>
      send({ organizationId, message: withDefaults(message) }, options),
    sendToUser: (organizationId, userId, notification, options) =>
      send({ organizationId, target: { userId }, message: { type: 'notification', data: notification } }, options),
    sendToTerritory: (organizationId, territory, message, options) =>
      send({ organizationId, target: { territory }, message: withDefaults(message) }, options),
    getConnectionStats,
    getHealth: () => call('GET', '/health', healthSchema, undefined, {}, [503]),
  };
}
