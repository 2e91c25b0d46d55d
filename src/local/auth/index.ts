import { sendJson } from '../http.ts';
import type { LocalService, ServiceContext } from '../service.ts';

// Placeholder until the Auth service lands: mounted so the gateway's routing is in place.
export async function createAuthService(_context: ServiceContext): Promise<LocalService> {
  return {
    prefix: '/auth/v1',
    description: '/auth/v1 (not implemented yet)',
    handleRequest(_req, res) {
      sendJson(res, 501, { message: '/auth/v1 is not implemented yet' });
    },
    async close() {},
  };
}
