import { sendJson } from '../http.ts';
import type { LocalService, ServiceContext } from '../service.ts';

// Placeholder until the Functions service lands: mounted so the gateway's routing is in place.
export async function createFunctionsService(_context: ServiceContext): Promise<LocalService> {
  return {
    prefix: '/functions/v1',
    description: '/functions/v1 (not implemented yet)',
    handleRequest(_req, res) {
      sendJson(res, 501, { message: '/functions/v1 is not implemented yet' });
    },
    async close() {},
  };
}
