export { createRealtimeServer } from './realtime-server.ts';
export type { RealtimeServer, RealtimeServerOptions } from './realtime-server.ts';
export { getWebSocketServer } from './websocket-server.ts';
export { BridgeRequestError } from './bridge-api.ts';
export type {
  AllOrganizationStats,
  Delivered,
  Health,
  OrganizationStats,
  SendOptions,
  ServerMessage,
  UserNotification,
} from './bridge-api.ts';
