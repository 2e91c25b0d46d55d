import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendEmpty, sendJson } from '../http.ts';
import { requireAdmin } from './access-token.ts';
import { createUser, updateUser } from './admin-user-write.ts';
import { deleteUser, getUser, listUsers } from './admin-users.ts';
import type { AuthContext } from './auth-context.ts';
import { generateLink } from './generate-link.ts';
import { invite } from './invite.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, params: string[]) => Promise<void>;
export interface Route {
  method: string;
  /** The path after `/auth/v1`, anchored; capture groups become `params`. */
  path: RegExp;
  handle: Handler;
}

/**
 * The service-role routes (GoTrue's `requireAdminCredentials`): the user admin API, invites,
 * generated links, and the local inbox, which holds links that sign people in and so is no more
 * public than the admin API.
 */
export function adminRoutes(context: AuthContext): Route[] {
  const { db, config } = context;
  const admin =
    (handle: Handler): Handler =>
    async (req, res, url, params) => {
      await requireAdmin(req, db, config);
      await handle(req, res, url, params);
    };
  return [
    {
      method: 'POST',
      path: /^\/invite$/,
      handle: admin(async (req, res, url) => sendJson(res, 200, await invite(req, url, context))),
    },
    { method: 'GET', path: /^\/admin\/users$/, handle: admin(async (_req, res, url) => listUsers(res, url, context)) },
    {
      method: 'POST',
      path: /^\/admin\/users$/,
      handle: admin(async (req, res) => sendJson(res, 200, await createUser(req, context))),
    },
    {
      method: 'GET',
      path: /^\/admin\/users\/([^/]+)$/,
      handle: admin(async (_req, res, _url, [id = '']) => getUser(res, id, context)),
    },
    {
      method: 'PUT',
      path: /^\/admin\/users\/([^/]+)$/,
      handle: admin(async (req, res, _url, [id = '']) => sendJson(res, 200, await updateUser(req, id, context))),
    },
    {
      method: 'DELETE',
      path: /^\/admin\/users\/([^/]+)$/,
      handle: admin(async (req, res, _url, [id = '']) => deleteUser(req, res, id, context)),
    },
    {
      method: 'POST',
      path: /^\/admin\/generate_link$/,
      handle: admin(async (req, res, url) => sendJson(res, 200, await generateLink(req, url, context))),
    },
    {
      method: 'GET',
      path: /^\/_inbox$/,
      handle: admin(async (_req, res, url) => {
        sendJson(res, 200, { messages: context.mailer.list(url.searchParams.get('email') ?? undefined) });
      }),
    },
    {
      method: 'DELETE',
      path: /^\/_inbox$/,
      handle: admin(async (_req, res, url) => {
        context.mailer.clear(url.searchParams.get('email') ?? undefined);
        sendEmpty(res, 204);
      }),
    },
  ];
}
