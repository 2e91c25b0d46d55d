import { NextResponse } from 'next/server';
import { checkHealth } from '../../../lib/api/health-checks.ts';
import { jsonError } from '../../../lib/api/json-error.ts';
import { readPublicSupabaseConfig, readServiceRoleKey } from '../../../lib/supabase/public-config.ts';

const STARTED = Date.now();

export const dynamic = 'force-dynamic';

/**
 * GET /api/health — app, Supabase, bridge and realtime health with latencies and Realtime's quota:
 * 200 when all are up (`degraded` while over the quota), 503 naming what is down. No session
 * needed (load balancers and uptime checks call it).
 */
export async function GET(): Promise<NextResponse> {
  let config;
  try {
    config = readPublicSupabaseConfig();
  } catch (error) {
    return jsonError(503, 'misconfigured', error instanceof Error ? error.message : String(error));
  }
  const report = await checkHealth(config, readServiceRoleKey(), STARTED);
  return NextResponse.json(report, {
    status: report.status === 'down' ? 503 : 200,
    headers: { 'cache-control': 'no-store' },
  });
}
