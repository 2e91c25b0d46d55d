import { sendJson } from '../http.ts';
import type { LocalService, ServiceContext } from '../service.ts';

// Placeholder until the Realtime service lands: mounted so the gateway's routing is in place.
export async function createRealtimeService(_context: ServiceContext): Promise<LocalService> {
  return {
    prefix: '/realtime/v1',
    description: '/realtime/v1 (not implemented yet)',
    handleRequest(_req, res) {
      sendJson(res, 501, { message: '/realtime/v1 is not implemented yet' });
    },
    async close() {},
  };
}
