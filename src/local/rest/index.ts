import { sendJson } from '../http.ts';
import type { LocalService, ServiceContext } from '../service.ts';

// Placeholder until the Rest service lands: mounted so the gateway's routing is in place.
export async function createRestService(_context: ServiceContext): Promise<LocalService> {
  return {
    prefix: '/rest/v1',
    description: '/rest/v1 (not implemented yet)',
    handleRequest(_req, res) {
      sendJson(res, 501, { message: '/rest/v1 is not implemented yet' });
    },
    async close() {},
  };
}
