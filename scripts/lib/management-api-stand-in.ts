/**
 * A stand-in for the one Supabase Management API endpoint `supabase functions deploy --use-api`
 * calls: POST /v1/projects/{ref}/functions/deploy?slug=<name>, a multipart form with a `metadata`
 * JSON part and one `file` part per source file (supabase/cli pkg/function/deploy.go). It keeps
 * what was uploaded and answers 201 as the platform does; anything else is recorded and refused.
 * The CLI reaches it through a profile file (`--profile`) whose api_url points here.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UploadedFunction {
  slug: string;
  metadata: Record<string, unknown>;
  /** Path as the CLI sent it (relative to the project root) → content. */
  files: Map<string, string>;
}

export interface ManagementApiStandIn {
  url: string;
  deployments: UploadedFunction[];
  /** Every request as `METHOD path`, in order. */
  requests: string[];
  /** The Authorization header of each request. */
  authorizations: string[];
  /** A CLI profile (YAML) that sends the CLI's API calls here. */
  profile(): string;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startManagementApiStandIn(projectRef: string): Promise<ManagementApiStandIn> {
  const deployments: UploadedFunction[] = [];
  const requests: string[] = [];
  const authorizations: string[] = [];
  const deployPath = `/v1/projects/${projectRef}/functions/deploy`;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      requests.push(`${req.method} ${url.pathname}`);
      authorizations.push(req.headers.authorization ?? '');
      const raw = await body(req);
      const slug = url.searchParams.get('slug');
      if (req.method !== 'POST' || url.pathname !== deployPath || !slug) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not found"}');
        return;
      }
      // The Fetch API's multipart parser reads the form exactly as a server would.
      const form = await new Request('http://stand-in/', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: new Uint8Array(raw),
      }).formData();
      const files = new Map<string, string>();
      for (const part of form.getAll('file')) {
        if (typeof part !== 'string') files.set(part.name, await part.text());
      }
      const metadata = JSON.parse(String(form.get('metadata'))) as Record<string, unknown>;
      deployments.push({ slug, metadata, files });
      const now = Date.now();
      res.writeHead(201, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: '00000000-0000-4000-8000-000000000001',
          slug,
          name: slug,
          version: deployments.length,
          status: 'ACTIVE',
          created_at: now,
          updated_at: now,
          verify_jwt: metadata.verify_jwt,
          entrypoint_path: metadata.entrypoint_path,
          import_map_path: metadata.import_map_path,
        }),
      );
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deployments,
    requests,
    authorizations,
    profile: () =>
      [
        'name: pubdev-management-api-stand-in',
        `api_url: ${url}`,
        `dashboard_url: ${url}/dashboard`,
        'project_host: supabase.test',
        '',
      ].join('\n'),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
