/** Writes the tests make as a backend would: service-role REST, and Realtime's REST broadcast. */
import type { SupabaseClient } from '@supabase/supabase-js';
import { ACME } from './_client-stack.ts';

export async function insertRow<T extends Record<string, unknown>>(
  service: SupabaseClient,
  table: string,
  row: T,
): Promise<Record<string, unknown>> {
  const { data, error } = await service.from(table).insert(row).select().single();
  if (error) throw new Error(`insert into ${table}: ${error.message}`);
  return data as Record<string, unknown>;
}

export async function updateRow(
  service: SupabaseClient,
  table: string,
  id: string,
  patch: Record<string, unknown>,
): Promise<void> {
  const { error } = await service.from(table).update(patch).eq('id', id);
  if (error) throw new Error(`update ${table}: ${error.message}`);
}

/** A broadcast as the server sends it (service role, private topic): for out-of-order and forged deliveries. */
export async function serverBroadcast(
  url: string,
  serviceKey: string,
  topic: string,
  event: string,
  payload: unknown,
): Promise<void> {
  const response = await fetch(`${url}/realtime/v1/api/broadcast`, {
    method: 'POST',
    headers: { apikey: serviceKey, authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ topic, event, payload, private: true }] }),
  });
  if (response.status !== 202) throw new Error(`broadcast answered ${response.status}: ${await response.text()}`);
}

export const teamUpdate = (message: string, territory: string | null, extra: Record<string, unknown> = {}) => ({
  organization_id: ACME,
  update_type: 'assignment',
  message,
  territory,
  ...extra,
});
